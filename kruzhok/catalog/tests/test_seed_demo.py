import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from kruzhok.catalog.demo.generator import DemoCatalog, inn_is_valid, make_inn, organization_count
from kruzhok.catalog.demo.loader import demo_catalog_seed
from kruzhok.catalog.models import Activity, Category, Direction, Group, Organization, ScheduleSlot, Venue
from kruzhok.catalog.tests import factories
from kruzhok.places.gazetteer import district_of, houses

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 9, 1)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, "--as-of", AS_OF.isoformat(), stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    """Everything a visitor sees of the demo catalog, independent of database ids."""
    slots = Counter()
    for external_id, weekday, start, end in ScheduleSlot.objects.values_list(
        "group__activity__external_id", "weekday", "starts_at", "ends_at"
    ):
        slots[(external_id, weekday, start, end)] += 1
    rows = Activity.objects.order_by("external_id").values_list(
        "external_id", "title", "description", "organization__name", "organization__inn", "venue__address",
        "age_min", "age_max", "price_rub", "price_note", "format", "ovz", "status", "verified_at",
    )  # fmt: skip
    return [*rows, *sorted(slots.items())]


def test_same_seed_and_size_give_the_same_catalog():
    seed("--activities", "120", "--seed", "7")
    first = snapshot()
    seed("--activities", "120", "--seed", "7", "--replace")
    assert snapshot() == first
    assert len(first) > 120


def test_a_different_seed_gives_a_different_catalog():
    seed("--activities", "120", "--seed", "1")
    first = {row[1:6] for row in snapshot()[:120]}
    seed("--activities", "120", "--seed", "2", "--replace")
    second = {row[1:6] for row in snapshot()[:120]}
    assert len(first & second) < 12


def test_the_catalog_does_not_depend_on_the_write_batch_size():
    demo_catalog_seed(activities=120, seed=3, as_of=AS_OF, batch_size=7)
    small_batches = snapshot()
    demo_catalog_seed(activities=120, seed=3, as_of=AS_OF, replace=True)
    assert snapshot() == small_batches


def test_small_catalog_has_the_requested_size_and_complete_rows():
    output = seed("--activities", "300")
    assert Activity.objects.count() == 300
    assert Organization.objects.count() == organization_count(300) == 86
    assert not Organization.objects.annotate(n=Count("activities")).filter(n=0).exists()
    assert not Activity.objects.annotate(n=Count("categories")).filter(n=0).exists()
    groups = Activity.objects.annotate(n=Count("groups")).values_list("n", flat=True)
    assert set(groups) <= {1, 2, 3}
    slots = Group.objects.annotate(n=Count("slots")).values_list("n", flat=True)
    assert set(slots) <= {1, 2, 3}
    assert "10% — 30 из 300" in output and "Готово" in output and "Физкультурно-спортивная" in output


def test_default_catalog_has_the_real_mix_of_omsk():
    seed()
    activities = Activity.objects.all()
    assert activities.count() == 1500
    assert Organization.objects.count() >= 400
    free_share = activities.filter(price_rub=0).count() / 1500
    assert 0.25 <= free_share <= 0.45
    paid = list(activities.filter(price_rub__gt=0).values_list("price_rub", flat=True))
    assert min(paid) >= 800 and max(paid) <= 8000
    assert 0.07 <= activities.filter(ovz=True).count() / 1500 <= 0.2
    assert activities.filter(status="published").count() / 1500 > 0.93
    assert activities.filter(enrollment="open").count() / 1500 > 0.7
    assert activities.filter(format="group").count() / 1500 > 0.75
    per_direction = Counter(activities.values_list("direction__slug", flat=True))
    assert set(per_direction) == set(Direction.objects.values_list("slug", flat=True))
    assert {slug for slug, _ in per_direction.most_common(2)} == {"sport", "arts"}
    used = Category.objects.filter(activities__isnull=False).distinct().count()
    assert used >= Category.objects.count() - 5
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert set(kinds) == {"public", "private", "ngo", "individual"}
    # Every okrug gets its share of municipal institutions, not only the centre.
    public_okrugs = Counter(
        Venue.objects.filter(organization__kind="public").values_list("district__name", flat=True)
    )
    assert len(public_okrugs) == 5 and min(public_okrugs.values()) >= 20


def test_organizations_are_consistent_with_their_kind():
    seed("--activities", "600")
    for org in Organization.objects.select_related("department"):
        assert inn_is_valid(org.inn), org.inn
        assert len(org.inn) == (12 if org.kind == "individual" else 10)
        if org.kind == "public":
            assert org.department is not None, org.name
        if org.kind in ("private", "individual"):
            assert org.department is None, org.name
        if org.name.startswith(("Детская школа искусств", "Детская музыкальная школа")):
            assert org.department.slug == "culture"
        if "Спортивная школа олимпийского резерва" in org.name:
            assert org.department.slug == "youth-sport"
        if org.name.startswith(("Средняя общеобразовательная школа", "Гимназия", "Лицей", "Дом детского")):
            assert org.department.slug == "education"
        if org.kind == "individual":
            assert org.name.startswith("ИП ")
        assert re.fullmatch(r"\+7 \((3812|9\d\d)\) \d{2,3}-\d{2}-\d{2}", org.phone), org.phone
        assert org.email.endswith(".omsk.example")
        assert org.website == "" or re.fullmatch(r"https://[a-z0-9.-]+\.omsk\.example/", org.website)
    inns = list(Organization.objects.values_list("inn", flat=True))
    assert len(inns) == len(set(inns))


def test_every_activity_satisfies_constraints_and_stands_in_an_omsk_okrug():
    seed("--activities", "400")
    for act in Activity.objects.select_related("venue__district", "venue__microdistrict", "organization"):
        assert 0 <= act.age_min <= act.age_max <= 18
        assert act.source == "demo" and re.fullmatch(r"demo-\d+", act.external_id)
        assert act.venue.organization_id == act.organization_id
        okrug = district_of(act.venue.lat, act.venue.lon)
        assert okrug is not None, act.venue.address
        assert act.venue.district is not None and act.venue.district.name == okrug
        assert AS_OF - timedelta(days=301) <= act.verified_at.date() <= AS_OF
        if act.status == "archived":
            assert act.archived_at is not None
    for slot in ScheduleSlot.objects.select_related("group__activity"):
        assert time(8, 0) <= slot.starts_at < slot.ends_at <= time(21, 0)
        if slot.weekday < 5 and slot.group.activity.age_min >= 7:
            assert slot.starts_at >= time(14, 0)
    for group in Group.objects.select_related("activity"):
        assert group.activity.age_min <= group.age_min <= group.age_max <= group.activity.age_max
        assert len(group.teacher.split()) == 3


def test_no_two_activities_of_an_organization_share_a_title():
    seed()
    duplicates = Activity.objects.values("organization", "title").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()


def test_texts_are_natural_russian():
    seed("--activities", "500")
    all_letters = all_cyrillic = 0
    for title, description in Activity.objects.values_list("title", "description"):
        text = f"{title} {description}"
        assert "lorem" not in text.lower() and "ipsum" not in text.lower()
        assert len(re.findall(r"[.!?…](\s|$)", description)) >= 2, description
        letters = [c for c in text if c.isalpha()]
        cyrillic = sum("а" <= c.lower() <= "я" or c.lower() == "ё" for c in letters)
        # Brand names (LEGO Education SPIKE, Arduino, Unity) are Latin in real listings too.
        assert cyrillic / len(letters) > 0.75, text
        all_letters += len(letters)
        all_cyrillic += cyrillic
        assert "{" not in text and "[" not in text, text
    assert all_cyrillic / all_letters > 0.97
    descriptions = list(Activity.objects.values_list("description", flat=True))
    assert len(set(descriptions)) >= 0.98 * len(descriptions)  # combined blocks, not a few templates


def test_ages_in_titles_match_the_activity():
    seed("--activities", "500")
    for title, age_min, age_max in Activity.objects.values_list("title", "age_min", "age_max"):
        match = re.search(r"(\d+)–(\d+) (год|года|лет)\b", title)
        if match:
            assert (int(match[1]), int(match[2])) == (age_min, age_max), title
        if "дошкольник" in title or "малыш" in title:
            assert age_max <= 7, title


def test_if_empty_does_nothing_when_the_catalog_has_activities():
    factories.activity(title="Секция самбо")
    output = seed("--if-empty")
    assert "не пуст" in output
    assert Activity.objects.count() == 1
    assert not Organization.objects.filter(source="demo").exists()


def test_if_empty_loads_an_empty_catalog():
    seed("--if-empty", "--activities", "50")
    assert Activity.objects.filter(source="demo").count() == 50


def test_a_second_load_is_refused_without_replace():
    seed("--activities", "50")
    with pytest.raises(CommandError, match="уже есть демо-данные"):
        seed("--activities", "50")
    assert Activity.objects.count() == 50


def test_replace_swaps_the_demo_rows_and_keeps_real_ones():
    real = factories.activity(title="Кружок юных моряков")
    seed("--activities", "80")
    old_ids = set(Activity.objects.filter(source="demo").values_list("id", flat=True))
    output = seed("--activities", "60", "--replace")
    assert "Удалён прежний демо-каталог: 80" in output
    assert Activity.objects.filter(source="demo").count() == 60
    assert not Activity.objects.filter(id__in=old_ids).exists()
    assert Activity.objects.filter(pk=real.pk).exists()
    assert Organization.objects.filter(source="demo").count() == organization_count(60)


@pytest.mark.parametrize("value", ["0", "-5", "много"])
def test_a_bad_number_of_activities_is_a_clear_error(value):
    with pytest.raises(CommandError):
        call_command("seed_demo", f"--activities={value}")
    assert not Activity.objects.exists()


def test_inn_check_digits_follow_the_fns_algorithm():
    assert inn_is_valid("7707083893")  # a well-known legal entity's INN
    assert inn_is_valid("500100732259")  # the FNS sample of an individual's INN
    assert not inn_is_valid("7707083894")
    assert not inn_is_valid("55011234")
    assert inn_is_valid(make_inn("550100001")) and len(make_inn("5501000012")) == 12
    assert inn_is_valid(make_inn("5501000012"))


def test_generator_needs_no_database_and_is_reproducible():
    categories = dict(Category.objects.values_list("slug", "direction__slug"))
    omsk = houses()

    def plan(seed_value: int) -> list[tuple]:
        catalog = DemoCatalog(activities=200, seed=seed_value, houses=omsk, category_directions=categories)
        return [(a.external_id, a.title, a.org.name, a.price_rub) for a in catalog.activities()]

    assert plan(5) == plan(5)
    assert plan(5) != plan(6)


def test_verified_at_counts_back_from_the_as_of_date():
    seed("--activities", "100")
    newest = Activity.objects.order_by("-verified_at").first().verified_at
    oldest = Activity.objects.order_by("verified_at").first().verified_at
    assert newest <= datetime(2026, 9, 1, 18, 0, tzinfo=newest.tzinfo) + timedelta(days=1)
    assert (newest - oldest).days >= 60


def test_rows_written_in_bulk_behave_like_ordinary_rows():
    seed("--activities", "40")
    demo = Activity.objects.filter(source="demo").order_by("id")
    first = demo.first()
    assert first.tags == [] and first.created_at is not None and first.slug
    assert first.categories.exists() and first.groups.first().slots.exists()
    # The id sequences moved past the demo rows: ordinary inserts afterwards do not collide.
    later = factories.activity(title="Секция бокса")
    assert later.pk > demo.last().pk
    assert later.organization.pk > Organization.objects.filter(source="demo").order_by("-id").first().pk


def test_the_demo_has_editors_picks_news_and_a_city_offer_and_replace_renews_them():
    from kruzhok.analytics.models import CoverageTarget
    from kruzhok.promotion.models import Featured, OrganizationPost

    output = seed("--activities", "200", "--seed", "5")
    home = Featured.objects.on(AS_OF).filter(direction__isnull=True)
    assert home.filter(activity__source="demo", activity__status="published").count() == 4
    assert home.filter(event__isnull=False).count() == 2
    for direction in Direction.objects.all():
        assert Featured.objects.on(AS_OF).filter(direction=direction).count() == 2
    assert not Featured.objects.on(AS_OF + timedelta(days=31)).exists()
    assert OrganizationPost.objects.filter(organization__source="demo").count() == 24
    assert "18 выборов редакции, 24 новостей организаций" in output
    targets = CoverageTarget.objects.count()
    assert targets and all(t.expected % 5 == 0 for t in CoverageTarget.objects.all())

    first = sorted(
        Featured.objects.values_list("activity__external_id", "event__title", "direction__slug"), key=str
    )
    seed("--activities", "200", "--seed", "5", "--replace")
    assert (
        sorted(
            Featured.objects.values_list("activity__external_id", "event__title", "direction__slug"), key=str
        )
        == first
    )
    assert OrganizationPost.objects.count() == 24
    assert CoverageTarget.objects.count() == targets  # an editor's figures are never overwritten
