"""Every dashboard figure equals a hand count on the small city of `kpi_city`."""

from __future__ import annotations

from datetime import date

import pytest

from kruzhok.analytics import selectors
from kruzhok.analytics.tests import kpi_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return kpi_city.build()


def scope(department=None):
    return selectors.Scope(period=selectors.month_period(kpi_city.MONTH), department=department)


def by_day(table):
    return {row[0]: row[1:] for row in table.rows if any(row[1:])}


def test_month_period_is_the_calendar_month():
    period = selectors.month_period("2026-02")
    assert (period.start, period.end, len(period.days)) == (date(2026, 2, 1), date(2026, 2, 28), 28)


@pytest.mark.parametrize(
    "value", ["", "2026", "2026-13", "2026-00", "26-10", "2026-10-01", "1999-01", "абв", "2026-1"]
)
def test_month_period_refuses_what_is_not_a_month(value):
    with pytest.raises(selectors.PeriodError):
        selectors.month_period(value)


def test_last_days_ends_today_and_spans_thirty_days():
    period = selectors.last_days(date(2026, 11, 29))
    assert (period.start, period.end, len(period.days)) == (date(2026, 10, 31), date(2026, 11, 29), 30)


def test_city_traffic_is_the_daily_rows_of_the_month_with_empty_days_as_zero(city):
    table = selectors.traffic(scope())
    assert len(table.rows) == 31
    assert by_day(table) == {date(2026, 10, 1): [100, 40], date(2026, 10, 15): [50, 25]}


def test_department_traffic_counts_only_its_networks_pages(city):
    assert by_day(selectors.traffic(scope(city.dep_a))) == {date(2026, 10, 1): [10, 7]}
    assert by_day(selectors.traffic(scope(city.dep_b))) == {date(2026, 10, 1): [11, 9]}


def test_searches_per_day_and_top_queries_and_gaps(city):
    assert by_day(selectors.searches(scope())) == {date(2026, 10, 1): [20, 3], date(2026, 10, 15): [10, 1]}
    assert selectors.top_queries(scope()).rows == [
        ["шахматы", 8, 0],
        ["керлинг", 4, 4],
        ["робототехника", 2, 1],
    ]
    assert selectors.search_gaps(scope()).rows == [["керлинг", 4, 4], ["робототехника", 1, 2]]


def test_departments_see_the_city_wide_search_gaps(city):
    assert selectors.search_gaps(scope(city.dep_a)).rows == selectors.search_gaps(scope()).rows


def test_contributions_by_kind_source_and_role_for_the_city(city):
    assert selectors.contribution_counts(scope()) == kpi_city.CITY_CONTRIBUTIONS


def test_contributions_of_a_department_are_its_networks_only(city):
    assert selectors.contribution_counts(scope(city.dep_a)) == kpi_city.A_CONTRIBUTIONS
    assert selectors.contribution_counts(scope(city.dep_b)) == kpi_city.B_CONTRIBUTIONS


def test_contribution_totals_keep_every_source_and_role_in_order(city):
    counts = selectors.contribution_counts(scope())
    by_source = dict(selectors.totals_by(counts, 1, selectors.SOURCES))
    assert by_source == {"веб-форма": 5, "предложение": 3, "импорт": 4, "API": 0, "админка": 2}
    by_role = dict(selectors.totals_by(counts, 2, selectors.ROLES))
    assert by_role["горожанин"] == 4 and by_role["департамент"] == 4 and by_role["без пользователя"] == 0


def test_department_coverage_counts_organizations_with_a_live_fresh_entry(city):
    rows = selectors.department_coverage(scope()).rows
    assert rows[0] == ["Департамент образования", 1, 3, 33]
    assert rows[2] == ["Управление культуры", 1, 1, 100]
    assert rows[1][1:] == [0, 0, None]  # youth & sport: no organizations yet, still listed


def test_a_department_sees_only_its_own_coverage_row(city):
    assert selectors.department_coverage(scope(city.dep_a)).rows == [["Департамент образования", 1, 3, 33]]


def test_offer_counts_live_entries_per_okrug_and_direction_against_targets(city):
    cells = {(c.okrug, c.direction): (c.live, c.expected) for c in selectors.offer_cells(scope())}
    assert cells[("Кировский", "Физкультурно-спортивная")] == (2, 4)
    assert cells[("Кировский", "Техническая")] == (1, None)
    assert cells[("Советский", "Художественная")] == (1, 2)
    assert cells[("Советский", "Физкультурно-спортивная")] == (1, None)
    assert sum(live for live, _e in cells.values()) == 5
    assert len(cells) == 30  # the five okrugs of Omsk × the six directions
    rows = selectors.offer(scope()).rows
    assert ["Кировский", "Физкультурно-спортивная", 2, 4, 50] in rows
    assert ["Кировский", "Техническая", 1, None, None] in rows


def test_offer_of_a_department_counts_its_network_only(city):
    cells = {(c.okrug, c.direction): (c.live, c.expected) for c in selectors.offer_cells(scope(city.dep_a))}
    assert cells[("Кировский", "Физкультурно-спортивная")] == (2, 4)
    assert cells[("Кировский", "Техническая")] == (0, None)  # b1's, another department's
    assert cells[("Советский", "Физкультурно-спортивная")] == (0, None)  # n1's, no department
    assert sum(live for live, _e in cells.values()) == 3


def test_freshness_overall_and_per_department(city):
    assert selectors.freshness(scope()).rows == [
        ["Весь город", 2, 5, 40],
        ["Департамент образования", 1, 3, 33],
        ["Управление культуры", 1, 1, 100],
        ["без департамента", 0, 1, 0],
    ]
    assert selectors.freshness(scope(city.dep_b)).rows == [["Управление культуры", 1, 1, 100]]


def test_alerts_count_active_subscriptions_by_kind_and_mails_by_omsk_day(city):
    assert selectors.subscribers(scope()).rows == [
        ["Поиск", 2],
        ["Занятие", 1],
        ["Организация", 0],
        ["Событие", 0],
    ]
    assert by_day(selectors.mails(scope())) == {date(2026, 10, 3): [2]}


@pytest.mark.parametrize("slug", list(selectors.TABLES))
def test_each_section_costs_a_bounded_number_of_queries(city, slug, django_assert_max_num_queries):
    selectors.table("contributions", scope())  # content types are cached after the first use
    for department in (None, city.dep_a):
        with django_assert_max_num_queries(12):
            selectors.table(slug, scope(department))


def test_query_count_does_not_grow_with_the_data(city, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost():
        with CaptureQueriesContext(connection) as captured:
            for slug in selectors.TABLES:
                selectors.table(slug, scope(city.dep_a))
        return len(captured)

    before = cost()
    kpi_city._contributions(city.orgs, city.activities, city.users, tag="again")  # twice the contributions
    assert cost() == before


@pytest.mark.parametrize(
    ("peak", "expected"),
    [(0, (4, 4)), (3, (4, 4)), (7, (8, 4)), (205, (250, 5)), (999, (1000, 4)), (18485, (20000, 4))],
)
def test_chart_axis_tops_are_round_and_cover_the_peak(peak, expected):
    from kruzhok.analytics.charts import axis

    top, divisions = axis(peak)
    assert (top, divisions) == expected and top >= peak and top % divisions == 0


def test_daily_chart_escapes_text_and_draws_one_bar_per_day():
    from datetime import date

    from kruzhok.analytics.charts import Series, bar_chart, daily_chart

    days = [date(2026, 10, d) for d in range(1, 8)]
    svg = daily_chart("<b>T</b>", days, [Series("a&b", [1, 2, 3, 4, 5, 6, 7]), Series("c", [0] * 7)])
    assert svg.count('class="chart-bar"') == 7 and "<b>" not in svg and "&lt;b&gt;T" in svg
    assert "style=" not in svg
    bars = bar_chart("x", [("<script>", 3)], wholes=[None])
    assert "<script>" not in bars and "&lt;script&gt;" in bars


def test_an_event_added_in_the_admin_is_one_new_entry_credited_to_the_admin_site(city):
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    from kruzhok.events.models import Event
    from kruzhok.events.tests import factories as event_factories

    before = selectors.contribution_counts(scope())
    added = event_factories.event(city.orgs["b1"])
    Event.objects.filter(pk=added.pk).update(created_at=kpi_city.omsk(11))
    entry = LogEntry.objects.create(
        user=city.users["admin"],
        content_type=ContentType.objects.get_for_model(Event),
        object_id=str(added.pk),
        object_repr=added.title,
        action_flag=ADDITION,
    )
    LogEntry.objects.filter(pk=entry.pk).update(action_time=kpi_city.omsk(11))

    after = selectors.contribution_counts(scope())
    assert after[("new", "admin", "admin")] == before[("new", "admin", "admin")] + 1
    assert {key: n for key, n in after.items() if key != ("new", "admin", "admin")} == {
        key: n for key, n in before.items() if key != ("new", "admin", "admin")
    }
