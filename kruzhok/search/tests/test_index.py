"""The index stays current: every catalog write is visible to the next search, in the writer's
transaction, whichever way it reached the database (ORM, importer, rebuild)."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from kruzhok.catalog.models import Activity, Category, Group, ScheduleSlot, Status, Venue
from kruzhok.catalog.tests import factories
from kruzhok.imports.services import catalog_import
from kruzhok.imports.validation import COLUMNS
from kruzhok.search import backends, store
from kruzhok.search.models import SearchDocument, SearchState
from kruzhok.search.selectors import SearchResult
from kruzhok.search.tests.conftest import (
    IVAN,
    OLGA,
    PLACES,
    SPECS,
    add_group,
    build_catalog,
    ids,
    make_venue,
    run,
)

pytestmark = pytest.mark.django_db


def found(query: dict[str, Any] | None = None, **params: Any) -> set[int]:
    return set(ids(run(query, **params)))


def snapshot(result: SearchResult) -> tuple[Any, ...]:
    """Everything a parent sees, minus next sessions (they move with the clock)."""
    cards = [{k: v for k, v in dataclasses.asdict(c).items() if k != "next_sessions"} for c in result.results]
    return (
        result.count,
        cards,
        result.facets,
        result.corrected_query,
        result.emptied_by,
        [dataclasses.astuple(r) for r in result.relaxations],
    )


QUERIES: list[dict[str, Any]] = [
    {},
    {"q": "шахматы"},
    {"q": "футбол", "age": "8"},
    {"q": "единоборства"},
    {"q": "футбл"},
    {"q": "рисование", "sort": "price"},
    {"where": OLGA.address},
    {"where": "Советский округ"},
    {"lat": str(IVAN.lat), "lon": str(IVAN.lon), "radius_km": "5", "sort": "near"},
    {"direction": "arts", "free": "1"},
    {"category": ["chess", "football"], "day": ["mon", "sat"]},
    {"district": "Ленинский", "after": "15:00"},
    {"ovz": "1", "open": "1"},
    {"q": "плавание", "where": OLGA.address},
    {"q": "шахматы", "age": "14", "free": "1"},
]


def snapshots() -> list[tuple[Any, ...]]:
    return [snapshot(run(query)) for query in QUERIES]


@pytest.fixture
def warm() -> None:
    """A search before the write: the process's store is loaded, so what follows tests its update."""
    run()


# --- ORM writes -------------------------------------------------------------------------------


def test_a_new_activity_is_found_at_once(warm):
    first = factories.activity(title="Секция хоккея «Авангард»", categories=["hockey"], age_min=7, age_max=12)
    assert found(q="хоккей") == {first.pk}
    second = factories.activity(title="Хоккей для малышей", categories=["hockey"], age_min=4, age_max=6)
    assert found(q="хоккей") == {first.pk, second.pk}
    assert found(q="хоккей", age="5") == {second.pk}
    assert run(q="хоккей").facets["category"] == {"hockey": 2}


def test_a_title_edit_is_found_by_the_new_title_and_not_the_old(warm):
    activity = factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])
    assert found(q="ладья") == {activity.pk}
    activity.title = "Шахматный клуб «Гамбит»"
    activity.save()
    assert found(q="гамбит") == {activity.pk}
    assert found(q="ладья") == set()
    assert run(q="шахматы").results[0].title == "Шахматный клуб «Гамбит»"


def test_cached_full_text_answers_are_patched_by_writes_exactly_as_the_engine_answers(warm):
    chess = factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])
    for q in ("шахматы", "футбол", "ладья", "шахм", "единоборства"):
        run(q=q)  # word, synonym and prefix answers now sit in the process's cache
    chess.title = "Футбол и шахматы для всех"
    chess.save()
    factories.activity(title="Шахматная школа «Гамбит»", categories=["chess"], description="Футбол тоже")
    run()
    cache = store.current()
    assert cache.postings  # patched, not emptied
    engine = backends.for_connection()
    for lookup, positions in cache.postings.items():
        assert sorted(positions.tolist()) == sorted(
            cache.positions(engine.match_many([lookup])[0]).tolist()
        ), lookup
    assert found(q="ладья") == set()
    assert chess.pk in found(q="футбол")


def test_a_new_word_is_found_as_typed_even_next_to_an_older_similar_one():
    older = factories.activity(title="Изостудия «Мозаика»", categories=["drawing"])
    assert found(q="мозаика") == {older.pk}  # this process now knows the index's words
    newer = factories.activity(title="Изостудия «Мозайка»", categories=["drawing"])
    # «мозайка» is now a word of the index: it must not be "corrected" into the older «мозаика».
    assert newer.pk in found(q="мозайка")


def test_a_price_edit_moves_the_entry_in_and_out_of_free(warm):
    activity = factories.activity(price_rub=1500)
    cheaper = factories.activity(price_rub=900)
    assert found(free="1") == set()
    activity.price_rub = 0
    activity.save()
    assert found(free="1") == {activity.pk}
    assert run(free="1").results[0].free
    activity.price_rub = 2500
    activity.save()
    assert found(free="1") == set()
    assert [c.price_rub for c in run(sort="price").results] == [900, 2500]
    assert ids(run(sort="price")) == [cheaper.pk, activity.pk]


def test_categories_added_removed_replaced_and_cleared_on_the_activity(warm):
    activity = factories.activity(
        title="Клуб «Юный техник»", direction_slug="technical", categories=["engineering-design"]
    )
    robotics = Category.objects.get(slug="robotics")
    assert found(category="robotics") == set() and found(q="робототехника") == set()
    activity.categories.add(robotics)
    assert found(category="robotics") == found(q="робототехника") == {activity.pk}
    assert run().facets["category"] == {"robotics": 1, "engineering-design": 1}
    activity.categories.remove(robotics)
    assert found(category="robotics") == set() and found(q="робототехника") == set()
    activity.categories.set([Category.objects.get(slug="chess")])
    assert found(category="chess") == found(q="шахматы") == {activity.pk}
    assert found(category="engineering-design") == set()
    activity.categories.clear()
    assert run().facets["category"] == {}
    assert run().results[0].categories == []


def test_activities_added_to_and_removed_from_a_category(warm):
    activity = factories.activity(title="Клуб «Юный техник»", categories=["engineering-design"])
    robotics = Category.objects.get(slug="robotics")
    robotics.activities.add(activity)
    assert found(category="robotics") == found(q="робототехника") == {activity.pk}
    robotics.activities.remove(activity)
    assert found(category="robotics") == found(q="робототехника") == set()


def test_a_category_cleared_of_its_activities(warm):
    activity = factories.activity(title="Клуб «Юный техник»", categories=["engineering-design", "robotics"])
    robotics = Category.objects.get(slug="robotics")
    assert found(category="robotics") == {activity.pk}
    robotics.activities.clear()
    assert found(category="robotics") == set()
    assert run().facets["category"] == {"engineering-design": 1}


def test_a_deleted_category_leaves_its_activities_renumbered_without_it(warm):
    from kruzhok.search.models import SearchDocument

    activity = factories.activity(title="Клуб «Юный техник»", categories=["engineering-design", "robotics"])
    before = SearchDocument.objects.get(pk=activity.pk).seq
    Category.objects.get(slug="robotics").delete()
    document = SearchDocument.objects.get(pk=activity.pk)
    assert document.seq > before, "feeds and alerts read the change in order"
    assert run().facets["category"] == {"engineering-design": 1}


def test_a_venue_move_changes_distance_and_okrug(warm):
    org = factories.organization(name="Дворец творчества «Сибирь»")
    venue = make_venue(org, PLACES["lukashevicha"])
    activity = factories.activity(organization=org, venue=venue)
    assert found(where=OLGA.address, radius_km="1") == {activity.pk}
    assert found(district="Кировский") == {activity.pk}
    venue.address, venue.lat, venue.lon = "улица Ленина, 12", IVAN.lat, IVAN.lon
    venue.district = factories.okrug_row("Центральный")
    venue.save()
    assert found(where=OLGA.address, radius_km="1") == set()
    near_ivan = run(where=IVAN.address, radius_km="1")
    assert ids(near_ivan) == [activity.pk]
    card = near_ivan.results[0]
    assert card.address == "улица Ленина, 12" and card.district == "Центральный"
    assert card.distance_km is not None and card.distance_km < 0.05
    assert found(district="Центральный") == {activity.pk} and found(district="Кировский") == set()


def test_an_activity_moved_to_another_venue(warm):
    org = factories.organization()
    activity = factories.activity(organization=org, venue=make_venue(org, PLACES["lukashevicha"]))
    activity.venue = make_venue(org, PLACES["mira"])
    activity.save()
    assert found(where=OLGA.address, radius_km="1") == set()
    assert found(where="Советский") == {activity.pk}
    assert run(q="").results[0].address == PLACES["mira"].address


def test_a_venue_deleted_takes_its_address_off_the_card(warm):
    activity = factories.activity()
    assert found(lat="54.9947", lon="73.2739", radius_km="1") == {activity.pk}
    activity.venue.delete()
    assert Activity.objects.get(pk=activity.pk).venue is None
    assert found(lat="54.9947", lon="73.2739", radius_km="1") == set()
    card = run().results[0]
    assert (card.address, card.lat, card.lon, card.district) == ("", None, None, "")


def test_an_organization_rename_reaches_cards_and_text(warm):
    org = factories.organization(name="ДДТ «Кировский»")
    activities = {factories.activity(organization=org).pk, factories.activity(organization=org).pk}
    assert found(q="эврика") == set()
    org.name = "Центр развития «Эврика»"
    org.save()
    assert found(q="эврика") == activities
    assert {c.organization_name for c in run().results} == {"Центр развития «Эврика»"}


def test_groups_and_sessions_added_changed_and_deleted(warm):
    activity = factories.activity(slots=[(0, "15:00", "16:30")])
    assert found(day="sat") == set()
    group = add_group(activity, [(5, "10:00", "11:30")])
    assert found(day="sat") == {activity.pk}
    sunday = ScheduleSlot.objects.create(group=group, weekday=6, starts_at="12:00", ends_at="13:00")
    assert found(day="sun") == {activity.pk}
    sunday.starts_at, sunday.ends_at = "18:00", "19:00"
    sunday.save()
    assert found(day="sun", before="14:00") == set() and found(day="sun", after="18:00") == {activity.pk}
    sunday.delete()
    assert found(day="sun") == set()
    group.delete()
    assert found(day="sat") == set() and found(day="mon") == {activity.pk}
    Group.objects.filter(activity=activity).delete()
    assert found(day="mon") == set()
    assert found() == {activity.pk}
    assert run().results[0].next_sessions == []


def test_archiving_hides_and_republishing_shows(warm):
    activity = factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])
    other = factories.activity(title="Футбол во дворе")
    for status in (Status.ARCHIVED, Status.DRAFT, Status.PENDING):
        activity.status = status
        activity.save()
        assert found(q="ладья") == set(), status
        assert found() == {other.pk}
        assert run().facets["category"] == {"football": 1}
    activity.status = Status.PUBLISHED
    activity.save()
    assert found(q="ладья") == {activity.pk}


def test_deleting_an_activity_removes_it(warm):
    doomed = factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])
    kept = factories.activity(title="Шахматы онлайн", categories=["chess"])
    assert found(q="шахматы") == {doomed.pk, kept.pk}
    doomed_pk = doomed.pk
    doomed.delete()
    assert found(q="шахматы") == {kept.pk}
    assert found(q="ладья") == set()
    assert run().facets["category"] == {"chess": 1}
    assert not SearchDocument.objects.filter(pk=doomed_pk).exists()


def test_a_new_category_synonym_finds_its_activities_at_once(warm):
    activity = factories.activity(title="Клуб «Ладья»", categories=["chess"])
    assert found(q="гроссмейстер") == set()
    chess = Category.objects.get(slug="chess")
    chess.synonyms = [*chess.synonyms, "гроссмейстер"]
    chess.save()
    assert found(q="гроссмейстер") == {activity.pk}


# --- transactions -----------------------------------------------------------------------------


def _write_and_fail(activity: Activity) -> None:
    with transaction.atomic():
        activity.title = "Шахматный клуб «Гамбит»"
        activity.price_rub = 0
        activity.save()
        activity.categories.add(Category.objects.get(slug="robotics"))
        add_group(activity, [(5, "10:00", "11:00")])
        factories.activity(title="Клуб «Эндшпиль»")
        raise RuntimeError("the write fails after touching the index")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_write_that_raises_leaves_the_index_as_it_was():
    activity = factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"], price_rub=1500)
    before = [snapshot(run(q)) for q in ({}, {"q": "ладья"}, {"free": "1"}, {"day": "sat"})]
    state = SearchState.objects.get(pk=1).seq
    with pytest.raises(RuntimeError):
        _write_and_fail(activity)
    assert SearchState.objects.get(pk=1).seq == state
    after = [snapshot(run(q)) for q in ({}, {"q": "ладья"}, {"free": "1"}, {"day": "sat"})]
    assert after == before
    assert found(q="гамбит") == found(q="эндшпиль") == found(category="robotics") == set()
    store.reset()  # another process, loading from scratch, agrees
    assert [snapshot(run(q)) for q in ({}, {"q": "ладья"}, {"free": "1"}, {"day": "sat"})] == before


def test_a_search_inside_a_write_that_rolls_back_leaves_nothing_behind(warm):
    paid = factories.activity(title="Шахматный клуб «Ладья»", price_rub=1500)
    teen = factories.activity(title="Футбол для подростков", age_min=14, age_max=16, price_rub=900)
    assert found(free="1") == set()
    with pytest.raises(RuntimeError), transaction.atomic():
        paid.price_rub = 0
        paid.save()
        assert found(free="1") == {paid.pk}  # the writer sees its own write
        raise RuntimeError
    paid.refresh_from_db()
    # The next write must not be mistaken for the rolled-back one.
    teen.age_min = 13
    teen.save()
    assert found(free="1") == set()
    assert found(age="13") == {teen.pk}


# --- other writers ----------------------------------------------------------------------------


def catalog_file(tmp_path: Path, rows: list[dict[str, str]], name: str = "catalog.csv") -> Path:
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row.get(column, "") for column in COLUMNS])
    return path


def catalog_row(**overrides: str) -> dict[str, str]:
    row = {
        "external_id": "sport-1",
        "title": "Футбольная секция «Старт»",
        "description": "Тренировки для начинающих: техника, игра в команде.",
        "direction": "sport",
        "category": "football",
        "organization": "СДЮСШОР «Олимп»",
        "organization_kind": "public",
        "inn": "5501234567",
        "address": "улица Лукашевича, 10",
        "lat": f"{OLGA.lat}",
        "lon": f"{OLGA.lon}",
        "age_min": "7",
        "age_max": "12",
        "price_rub": "0",
        "schedule": "Пн,Ср 15:00-16:30",
        "ovz": "нет",
        "enrollment": "open",
    }
    row.update(overrides)
    return row


def test_the_importer_indexes_what_it_wrote(warm, tmp_path):
    rows = [
        catalog_row(),
        catalog_row(
            external_id="chess-1",
            title="Шахматы в центре",
            category="chess",
            address="улица Ленина, 10",
            lat=f"{IVAN.lat}",
            lon=f"{IVAN.lon}",
            price_rub="1200",
            schedule="Сб 10:00-11:30",
            ovz="да",
        ),
    ]
    report = catalog_import(path_or_file=catalog_file(tmp_path, rows), source="dept")
    assert report.ok and report.created == 2, report.errors
    football = Activity.objects.get(external_id="sport-1")
    chess = Activity.objects.get(external_id="chess-1")
    assert found(q="футбол") == found(free="1") == {football.pk}
    assert found(day="sat") == found(ovz="1") == found(q="шахматы") == {chess.pk}
    assert found(where=OLGA.address, radius_km="1") == {football.pk}
    assert found(district="Кировский") == {football.pk}
    rows[0] = catalog_row(title="Футбольная академия «Старт»", price_rub="1500", schedule="Вт 18:00-19:30")
    report = catalog_import(path_or_file=catalog_file(tmp_path, rows, "again.csv"), source="dept")
    assert report.ok and report.updated == 1, report.errors
    assert found(q="академия") == {football.pk}
    assert found(free="1") == set()
    assert found(day="tue", after="18:00") == {football.pk} and found(day="mon") == set()


def test_a_refused_import_leaves_the_index_as_it_was(warm, tmp_path):
    factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])
    before = snapshots()
    rows = [catalog_row(), catalog_row(external_id="bad-1", age_min="семь")]
    report = catalog_import(path_or_file=catalog_file(tmp_path, rows), source="dept")
    assert not report.ok
    assert snapshots() == before


def test_an_import_that_moves_a_shared_venue_moves_every_activity_there(warm, tmp_path):
    org = factories.organization(name="СДЮСШОР «Олимп»", inn="5501234567")
    venue = factories.venue(org, address="улица Лукашевича, 10", lat=OLGA.lat, lon=OLGA.lon)
    entered_by_hand = factories.activity(organization=org, venue=venue, title="Шахматы при спортшколе")
    # The department's file puts the same address of the same organization elsewhere.
    report = catalog_import(
        path_or_file=catalog_file(tmp_path, [catalog_row(lat=f"{IVAN.lat}", lon=f"{IVAN.lon}")]),
        source="dept",
    )
    assert report.ok, report.errors
    venue.refresh_from_db()
    assert (venue.lat, venue.lon) == (pytest.approx(IVAN.lat), pytest.approx(IVAN.lon))
    near_ivan = found(lat=str(IVAN.lat), lon=str(IVAN.lon), radius_km="1")
    assert entered_by_hand.pk in near_ivan
    assert entered_by_hand.pk not in found(lat=str(OLGA.lat), lon=str(OLGA.lon), radius_km="1")


def test_rebuild_gives_the_same_results_and_prints_a_summary():
    build_catalog()
    before = snapshots()
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert f"Индекс перестроен: {len(SPECS)} занятий" in out.getvalue()
    assert snapshots() == before  # this process's store notices the new generation by itself
    store.reset()
    assert snapshots() == before


def test_results_do_not_depend_on_how_the_index_was_built():
    # Written one activity at a time and then rebuilt from scratch, the index must answer alike,
    # also for a query with a word nearly every entry has («бесплатно» in every description).
    build_catalog()
    queries = [{"q": "футбол бесплатно"}, {"q": "шахматы занятия"}, {"q": "студия группах"}]
    before = [snapshot(run(q)) for q in queries]
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert [snapshot(run(q)) for q in queries] == before


def test_rebuild_if_missing_rebuilds_only_when_documents_are_missing():
    activity = factories.activity(title="Шахматный клуб «Ладья»", categories=["chess"])
    out = io.StringIO()
    call_command("rebuild_search_index", "--if-missing", stdout=out)
    assert "перестраивать не нужно" in out.getvalue()
    SearchDocument.objects.filter(pk=activity.pk).delete()
    store.reset()
    assert found(q="ладья") == set()
    out = io.StringIO()
    call_command("rebuild_search_index", "--if-missing", stdout=out)
    assert "Индекс перестроен: 1 занятий" in out.getvalue()
    assert found(q="ладья") == {activity.pk}


def test_two_processes_see_the_same_data():
    catalog = build_catalog()
    snapshots()  # process A has loaded the index
    ladya = catalog["ladya"]
    ladya.title = "Шахматный клуб «Гамбит»"
    ladya.save()
    catalog["karate"].delete()
    add_group(catalog["azimut"], [(6, "10:00", "12:00")])
    catalog["python"].status = Status.ARCHIVED
    catalog["python"].save()
    Venue.objects.filter(pk=catalog["guitar"].venue_id).get().save()
    factories.activity(title="Хоккей для малышей", categories=["hockey"], age_min=4, age_max=6)
    seen_by_a = snapshots() + [snapshot(run(q="гамбит")), snapshot(run(q="хоккей"))]
    store.reset()  # process B starts after all of it
    seen_by_b = snapshots() + [snapshot(run(q="гамбит")), snapshot(run(q="хоккей"))]
    assert seen_by_a == seen_by_b
    assert seen_by_b[-2][0] == 1 and seen_by_b[-1][0] == 1


def test_live_seq_marks_the_first_publication_and_survives_edits_archiving_and_rebuilds():
    from kruzhok.search.index import current_seq, published_between, rebuild

    before = current_seq()
    pending = factories.activity(title="Кружок оригами", status=Status.PENDING)
    assert SearchDocument.objects.get(pk=pending.pk).live_seq is None
    assert published_between(before, current_seq()) == []
    pending.status = Status.PUBLISHED
    pending.save()
    first = SearchDocument.objects.get(pk=pending.pk).live_seq
    assert first is not None and first > before
    assert published_between(before, current_seq()) == [pending.pk]
    seen = current_seq()
    pending.title = "Кружок оригами «Журавлик»"
    pending.save()
    pending.status = Status.ARCHIVED
    pending.save()
    pending.status = Status.PUBLISHED
    pending.save()
    rebuild()
    # Edited, archived, published again and rebuilt: still not news to whoever saw it go public.
    assert SearchDocument.objects.get(pk=pending.pk).live_seq == first
    assert published_between(seen, current_seq()) == []
    assert published_between(before, first) == [pending.pk]
