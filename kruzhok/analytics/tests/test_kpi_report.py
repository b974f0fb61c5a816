"""`manage.py kpi_report`: the dashboard's tables as text, from the same selectors."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kruzhok.analytics import selectors
from kruzhok.analytics.tests import kpi_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return kpi_city.build()


def report(*args: str) -> str:
    out = StringIO()
    call_command("kpi_report", *args, stdout=out)
    return out.getvalue()


def test_report_prints_every_table_of_the_month(city):
    text = report("--month", kpi_city.MONTH)
    assert text.startswith("Показатели за 2026-10 — весь город")
    for slug in selectors.TABLES:
        table = selectors.table(slug, selectors.Scope(selectors.month_period(kpi_city.MONTH)))
        assert table.caption in text
    today = timezone.localdate().strftime("%d.%m.%Y")
    assert f"Действующие подписки по видам — на сегодня, {today}" in text  # not the month's
    lines = text.splitlines()
    assert any(line.split() == ["2026-10-01", "100", "40"] for line in lines)
    assert any(line.split() == ["керлинг", "4", "4"] for line in lines)
    assert any(line.split() == ["Весь", "город", "2", "5", "40"] for line in lines)
    assert any(line.split() == ["правки", "импорт", "департамент", "3"] for line in lines)


def test_report_for_a_department_counts_only_its_network(city):
    text = report("--month", kpi_city.MONTH, "--department", "culture")
    assert "Управление культуры" in text
    assert "Департамент образования" not in text
    assert any(line.split() == ["2026-10-01", "11", "9"] for line in text.splitlines())


@pytest.mark.parametrize("month", ["2026-13", "октябрь", "2026/10", ""])
def test_a_bad_month_exits_1_with_a_clear_message(month):
    with pytest.raises(CommandError, match="ГГГГ-ММ|Такого месяца нет") as error:
        report("--month", month)
    assert error.value.returncode == 1


def test_an_unknown_department_exits_1(db):
    with pytest.raises(CommandError, match="Нет департамента «nope»"):
        report("--month", "2026-10", "--department", "nope")
