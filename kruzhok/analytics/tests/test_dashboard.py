"""/dashboard/: who may open it, what each person sees, the period filter and the CSV files."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kruzhok.accounts.tests import factories as people
from kruzhok.analytics import selectors
from kruzhok.analytics.tests import kpi_city
from kruzhok.catalog.tests import factories

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


@pytest.fixture
def city():
    return kpi_city.build()


def signed_in(client, user, *, totp=False):
    if totp:
        people.enrol_totp(user)
    client.force_login(user)
    return client


def csv_rows(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def html_table(page: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, as text (header row first)."""
    block = page.split(f'<caption class="visually-hidden">{caption}</caption>', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", block, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append(["" if cell == "—" else cell for cell in cells])
    return rows


# --- permission matrix -------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("who", ["citizen", "provider_a"])
def test_citizens_and_providers_find_no_dashboard(client, city, who):
    assert signed_in(client, city.users[who]).get(URL).status_code == 404
    assert client.get(reverse("analytics:csv", args=["traffic"])).status_code == 404


def test_editor_without_totp_is_sent_to_enrol_it(client, city):
    response = signed_in(client, city.users["editor"]).get(URL)
    assert response.status_code == 302 and "totp" in response["Location"]


@pytest.mark.parametrize("who", ["editor", "admin"])
def test_editors_and_admins_see_the_city_and_choose_a_department(client, city, who):
    response = signed_in(client, city.users[who], totp=True).get(URL, {"month": kpi_city.MONTH})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Весь город" in page and 'name="department"' in page
    for title in ("Посещаемость", "Поиск", "Вклад в каталог", "Охват", "Свежесть", "Подписки и письма"):
        assert title in page


def test_department_member_sees_their_network_without_a_department_choice(client, city):
    page = signed_in(client, city.users["member_a"]).get(URL, {"month": kpi_city.MONTH}).content.decode()
    assert "Департамент образования" in page and 'name="department"' not in page
    assert "Управление культуры" not in page


@pytest.mark.parametrize(("who", "other"), [("member_a", "culture"), ("member_b", "education")])
def test_department_member_cannot_open_another_department(client, city, who, other):
    signed_in(client, city.users[who])
    assert client.get(URL, {"department": other}).status_code == 404
    assert client.get(reverse("analytics:csv", args=["freshness"]), {"department": other}).status_code == 404


def test_department_b_never_counts_department_as_organizations(client, city):
    page = signed_in(client, city.users["member_b"]).get(URL, {"month": kpi_city.MONTH}).content.decode()
    assert html_table(page, "Просмотры страниц сети по дням")[1] == ["2026-10-01", "11", "9"]
    freshness = html_table(page, selectors.today_caption("Свежесть: живые занятия, проверенные за 180 дн."))
    assert freshness[1:] == [["Управление культуры", "1", "1", "100"]]
    assert "Департамент образования" not in page


# --- numbers on the page -----------------------------------------------------------------------


def test_each_section_shows_the_hand_counted_numbers(client, city):
    page = (
        signed_in(client, city.users["editor"], totp=True)
        .get(URL, {"month": kpi_city.MONTH})
        .content.decode()
    )
    traffic = html_table(page, "Посещаемость по дням")
    assert traffic[0] == ["день", "просмотры", "посетители"]
    assert len(traffic) == 32 and traffic[1] == ["2026-10-01", "100", "40"]
    assert html_table(page, "Запросы без результатов — что добавить в каталог")[1:] == [
        ["керлинг", "4", "4"],
        ["робототехника", "1", "2"],
    ]
    contributions = html_table(page, "Вклад: кто и как пополнял каталог")
    assert sum(int(row[3]) for row in contributions[1:]) == sum(kpi_city.CITY_CONTRIBUTIONS.values())
    assert ["правки", "импорт", "департамент", "3"] in contributions
    assert ["Департамент образования", "1", "3", "33"] in html_table(
        page, selectors.today_caption("Организации с живой записью, проверенной за 180 дн.")
    )
    assert html_table(page, selectors.today_caption("Свежесть: живые занятия, проверенные за 180 дн."))[
        1
    ] == [
        "Весь город",
        "2",
        "5",
        "40",
    ]
    assert html_table(page, selectors.today_caption("Действующие подписки по видам"))[1] == ["Поиск", "2"]
    assert ["2026-10-03", "2"] in html_table(page, "Отправлено писем по дням")


def test_charts_are_named_svg_images_without_inline_styles(client, city):
    page = (
        signed_in(client, city.users["editor"], totp=True)
        .get(URL, {"month": kpi_city.MONTH})
        .content.decode()
    )
    svgs = re.findall(r"<svg.*?</svg>", page, flags=re.S)
    assert len(svgs) >= 10
    for svg in svgs:
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg and "aria-labelledby" in svg
        assert "style=" not in svg
    assert "style=" not in page.split("<main", 1)[1]


def test_a_hostile_query_is_escaped_in_the_chart_and_the_table(client, city):
    from datetime import date

    from kruzhok.analytics.models import DailyQuery

    DailyQuery.objects.create(
        day=date(2026, 10, 9), query="<script>alert(1)</script>", searches=9, zero_results=9
    )
    page = (
        signed_in(client, city.users["editor"], totp=True)
        .get(URL, {"month": kpi_city.MONTH})
        .content.decode()
    )
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_department_filter_narrows_the_editors_view_to_that_network(client, city):
    signed_in(client, city.users["editor"], totp=True)
    page = client.get(URL, {"month": kpi_city.MONTH, "department": "education"}).content.decode()
    assert html_table(page, selectors.today_caption("Свежесть: живые занятия, проверенные за 180 дн."))[
        1:
    ] == [["Департамент образования", "1", "3", "33"]]
    assert 'value="education" selected' in page


# --- period validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "month", ["2026-13", "abc", "2026-1", "<b>x</b>", "9999-99", "2026-10-01' OR 1=1", "\x00"]
)
def test_a_bad_month_shows_a_message_and_the_last_30_days(client, city, month):
    response = signed_in(client, city.users["editor"], totp=True).get(URL, {"month": month})
    page = response.content.decode()
    assert response.status_code == 200
    assert "За последние 30 дней" in page
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1 and shown[0] in page
    assert "<b>x</b>" not in page


def test_an_unknown_department_shows_a_message_and_the_city(client, city):
    page = (
        signed_in(client, city.users["editor"], totp=True).get(URL, {"department": "<nope>"}).content.decode()
    )
    assert "Такого департамента нет" in page and "Весь город" in page


def test_default_period_is_the_last_30_days(client, city):
    page = signed_in(client, city.users["editor"], totp=True).get(URL).content.decode()
    period = selectors.last_days()
    assert len(html_table(page, "Посещаемость по дням")) == 31
    assert html_table(page, "Посещаемость по дням")[-1][0] == period.end.isoformat()


# --- CSV ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", list(selectors.TABLES))
def test_csv_equals_the_table_on_the_page(client, city, slug):
    signed_in(client, city.users["editor"], totp=True)
    params = {"month": kpi_city.MONTH, "department": "education"}
    page = client.get(URL, params).content.decode()
    response = client.get(reverse("analytics:csv", args=[slug]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    table = selectors.table(slug, selectors.Scope(selectors.month_period(kpi_city.MONTH), city.dep_a))
    # a snapshot is today's catalog whatever the month: its file says the day
    when = f"as-of-{timezone.localdate().isoformat()}" if table.as_of else "2026-10"
    assert f"kruzhok-{slug}-{when}-education.csv" in response["Content-Disposition"]
    assert csv_rows(response) == [table.headers, *table.cells()]
    assert html_table(page, table.caption) == [table.headers, *table.cells()]


def test_csv_cells_that_look_like_formulas_are_made_text(client, city):
    from datetime import date

    from kruzhok.analytics.models import DailyQuery

    DailyQuery.objects.create(
        day=date(2026, 10, 9), query='=HYPERLINK("http://x")', searches=50, zero_results=50
    )
    signed_in(client, city.users["admin"], totp=True)
    rows = csv_rows(client.get(reverse("analytics:csv", args=["gaps"]), {"month": kpi_city.MONTH}))
    assert rows[1] == ['\'=HYPERLINK("http://x")', "50", "50"]


def test_csv_with_a_bad_month_is_a_clear_400(client, city):
    signed_in(client, city.users["admin"], totp=True)
    response = client.get(reverse("analytics:csv", args=["traffic"]), {"month": "2026-99"})
    assert response.status_code == 400 and "Такого месяца нет" in response.content.decode()


def test_unknown_csv_is_404(client, city):
    signed_in(client, city.users["admin"], totp=True)
    assert client.get("/dashboard/secrets.csv").status_code == 404


def test_page_views_of_an_organization_without_department_count_for_nobody(client, city):
    from datetime import date

    from kruzhok.analytics.models import DailyPageStat

    loner = factories.organization(name="Сам по себе")
    DailyPageStat.objects.create(
        day=date(2026, 10, 2), object_type="organization", object_id=loner.pk, views=99
    )
    for member in ("member_a", "member_b"):
        page = signed_in(client, city.users[member]).get(URL, {"month": kpi_city.MONTH}).content.decode()
        assert "99" not in "".join(sum(html_table(page, "Просмотры страниц сети по дням"), []))


def test_dashboard_and_targets_in_english_carry_no_russian_interface_text(client, city):
    from kruzhok.catalog.models import Department
    from kruzhok.core.tests.test_i18n import _untranslated_words
    from kruzhok.places.models import District

    user = city.users["editor"]
    user.language = "en"
    user.save(update_fields=["language"])
    signed_in(client, user, totp=True)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for path in (f"{URL}?month={kpi_city.MONTH}", "/dashboard/targets/"):
        html = client.get(path).content.decode()
        assert '<html lang="en">' in html, path
        # Data (organization, okrug, direction and query names) stays as entered.
        names = ["Департамент образования", "Управление культуры", "шахматы", "керлинг", "робототехника"]
        names += Department.objects.values_list("name", flat=True)
        names += District.objects.filter(kind="okrug").values_list("name", flat=True)
        for name in names:
            html = html.replace(name, "")
        assert _untranslated_words(html) == set(), path


def test_the_whole_page_costs_the_same_queries_with_twice_the_data(client, city):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, city.users["member_a"])

    def cost():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"month": kpi_city.MONTH}).status_code == 200
        return len(captured)

    before = cost()
    kpi_city._contributions(city.orgs, city.activities, city.users, tag="again")
    assert cost() == before


def test_snapshot_tables_say_they_are_today_s_whatever_the_period(client, city):
    signed_in(client, city.users["editor"], totp=True)
    page = client.get(URL, {"month": kpi_city.MONTH}).content.decode()
    today = timezone.localdate().strftime("%d.%m.%Y")
    scope = selectors.Scope(selectors.month_period(kpi_city.MONTH))
    for slug in ("coverage", "offer", "freshness", "subscribers"):
        table = selectors.table(slug, scope)
        assert table.caption.endswith(f"— на сегодня, {today}")
        assert f'<caption class="visually-hidden">{table.caption}</caption>' in page
    for slug in ("traffic", "searches", "contributions", "mails"):
        assert "на сегодня" not in selectors.table(slug, scope).caption
    assert f"На сегодня, {today}: выбранный период эти числа не меняет." in page
