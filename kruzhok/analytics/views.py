"""The KPI dashboard: admins and editors see the city, a department member their network.

Everyone else gets 404, as for any page that is not theirs. Each section is a chart, its numbers
as a table and a CSV file of exactly that table.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kruzhok.accounts import permissions
from kruzhok.analytics import charts, selectors
from kruzhok.analytics.coverage import coverage_targets_set
from kruzhok.analytics.forms import CoverageTargetsForm, PeriodForm
from kruzhok.analytics.models import CoverageTarget
from kruzhok.catalog.models import Department, Direction
from kruzhok.core.spreadsheet import csv_attachment, excel_csv_writer
from kruzhok.imports.export import escape_formula
from kruzhok.places.models import District


@dataclass
class Chart:
    title: str
    svg: SafeString
    legend: list[tuple[str, str]] = field(default_factory=list)  # (css class, label)


def bars(title: str, items: list[tuple[str, int]], **options: Any) -> Chart:
    return Chart(title, charts.bar_chart(title, items, **options))


@dataclass
class Section:
    slug: str
    title: str
    note: str = ""
    figures: list[tuple[str, str]] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[selectors.Table] = field(default_factory=list)


@dataclass
class Choice:
    scope: selectors.Scope
    departments: list[Department]
    may_see_city: bool
    errors: list[str]

    def query(self) -> dict[str, str]:
        params = {}
        if self.scope.period.month:
            params["month"] = self.scope.period.month
        if self.scope.department is not None:
            params["department"] = self.scope.department.slug
        return params


def resolve(request: HttpRequest) -> Choice:
    """Who may see what, and the period and department asked for. 404 for anyone without a
    dashboard, and for a department member asking for another department."""
    user = request.user
    may_see_city = permissions.is_editor(user)
    if may_see_city:
        departments = list(Department.objects.order_by("name"))
    else:
        departments = list(permissions.departments_of(user).order_by("name"))
        if not departments:
            raise Http404(_("Страница не найдена."))
    form = PeriodForm(request.GET)
    form.is_valid()
    errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
    period = form.cleaned_data.get("month") or selectors.last_days()
    slug = str(form.cleaned_data.get("department") or "").strip()
    department: Department | None = None
    if slug:
        department = next((dep for dep in departments if dep.slug == slug), None)
        if department is None and not may_see_city:
            raise Http404(_("Страница не найдена."))
        if department is None:
            errors.append(_("Такого департамента нет; показан весь город."))
    elif not may_see_city:
        department = departments[0]
    return Choice(selectors.Scope(period=period, department=department), departments, may_see_city, errors)


def _daily(title: str, table: selectors.Table, legend_classes: tuple[str, ...]) -> Chart:
    days = [row[0] for row in table.rows]
    series = [
        charts.Series(table.headers[i + 1], [row[i + 1] or 0 for row in table.rows])
        for i in range(len(legend_classes))
    ]
    legend = list(zip(legend_classes, [s.label for s in series], strict=True))
    return Chart(title, charts.daily_chart(title, days, series), legend)


def sections(scope: selectors.Scope) -> list[Section]:
    result = []
    is_city = scope.department is None
    today = timezone.localdate().strftime("%d.%m.%Y")
    snapshot_note = _("На сегодня, %(day)s: выбранный период эти числа не меняет.") % {"day": today}

    traffic = selectors.traffic(scope)
    result.append(
        Section(
            "traffic",
            _("Посещаемость") if is_city else _("Посещаемость страниц сети"),
            note=""
            if is_city
            else _("Просмотры страниц организаций, занятий и событий сети; посетители — сумма по страницам."),
            figures=[
                (_("просмотров"), charts.number(sum(row[1] for row in traffic.rows))),
                (_("посетителей в среднем за день"), charts.number(_mean(row[2] for row in traffic.rows)))
                if is_city
                else (_("посетителей страниц (сумма)"), charts.number(sum(row[2] for row in traffic.rows))),
            ],
            charts=[_daily(traffic.caption, traffic, ("chart-key-bar", "chart-key-line"))],
            tables=[traffic],
        )
    )

    searches, queries, gaps = (
        selectors.searches(scope),
        selectors.top_queries(scope),
        selectors.search_gaps(scope),
    )
    result.append(
        Section(
            "searches",
            _("Поиск"),
            note=_(
                "Запросы всего города, как их набрали посетители; номера телефонов и адреса "
                "электронной почты заменены на «…». Список пробелов — только поиски по словам "
                "без фильтров и места."
            ),
            figures=[
                (_("поисков"), charts.number(sum(row[1] for row in searches.rows))),
                (_("без результатов (все)"), charts.number(sum(row[2] for row in searches.rows))),
            ],
            charts=[
                _daily(searches.caption, searches, ("chart-key-bar", "chart-key-line")),
                bars(gaps.caption, [(row[0], row[1]) for row in gaps.rows[:10]]),
                bars(queries.caption, [(row[0], row[1]) for row in queries.rows[:10]]),
            ],
            tables=[searches, gaps, queries],
        )
    )

    counts = selectors.contribution_counts(scope)
    contributions = selectors.contributions(scope, counts)
    result.append(
        Section(
            "contributions",
            _("Вклад в каталог"),
            note=_("Роль — та, что у человека сейчас. Правки из импорта считаются только по всему городу.")
            if is_city
            else _(
                "Роль — та, что у человека сейчас. Правки из импорта здесь не считаются: журнал импорта не делит их по сетям."
            ),
            figures=[(_("всего действий"), charts.number(sum(counts.values())))],
            charts=[
                bars(_("Вклад по видам"), selectors.totals_by(counts, 0, selectors.KINDS)),
                bars(_("Вклад по источникам"), selectors.totals_by(counts, 1, selectors.SOURCES)),
                bars(_("Вклад по ролям"), selectors.totals_by(counts, 2, selectors.ROLES)),
            ],
            tables=[contributions],
        )
    )

    coverage = selectors.department_coverage(scope)
    cells = selectors.offer_cells(scope)
    offer = selectors.offer(scope, cells)
    by_okrug = selectors.offer_by_okrug(cells)
    result.append(
        Section(
            "coverage",
            _("Охват"),
            note=snapshot_note,
            figures=[
                (
                    _("организаций с живой свежей записью"),
                    charts.number(sum(row[1] for row in coverage.rows)),
                ),
                (_("всего организаций"), charts.number(sum(row[2] for row in coverage.rows))),
            ],
            charts=[
                bars(
                    coverage.caption,
                    [(row[0], row[1]) for row in coverage.rows],
                    wholes=[row[2] for row in coverage.rows],
                    shares=True,
                ),
                bars(
                    selectors.today_caption(
                        _("Живые занятия по округам против предложения города")
                        if is_city
                        else _("Живые занятия сети по округам против предложения города")
                    ),
                    [(okrug, live) for okrug, live, _e in by_okrug],
                    wholes=[expected or None for _o, _l, expected in by_okrug],
                ),
            ],
            tables=[coverage, offer],
        )
    )

    freshness = selectors.freshness(scope)
    result.append(
        Section(
            "freshness",
            _("Свежесть"),
            note=snapshot_note,
            figures=[(_("проверены недавно"), f"{selectors.cell(freshness.rows[0][3]) or '—'}\u00a0%")],
            charts=[
                bars(
                    freshness.caption,
                    [(row[0], row[1]) for row in freshness.rows],
                    wholes=[row[2] for row in freshness.rows],
                    shares=True,
                )
            ],
            tables=[freshness],
        )
    )

    subscribers, mails = selectors.subscribers(scope), selectors.mails(scope)
    result.append(
        Section(
            "alerts",
            _("Подписки и письма"),
            note=_("По всему городу. Подписки — на сегодня, %(day)s; письма — за выбранный период.")
            % {"day": today},
            figures=[
                (_("действующих подписок"), charts.number(sum(row[1] for row in subscribers.rows))),
                (_("писем отправлено"), charts.number(sum(row[1] for row in mails.rows))),
            ],
            charts=[
                bars(subscribers.caption, [(row[0], row[1]) for row in subscribers.rows]),
                _daily(mails.caption, mails, ("chart-key-bar",)),
            ],
            tables=[subscribers, mails],
        )
    )
    return result


def _mean(values: Any) -> int:
    values = list(values)
    return round(sum(values) / len(values)) if values else 0


@permissions.login_mfa_required
@require_http_methods(["GET", "HEAD"])
def dashboard(request: HttpRequest) -> HttpResponse:
    choice = resolve(request)
    for error in choice.errors:
        messages.error(request, error)
    query = urlencode(choice.query())
    built = sections(choice.scope)
    context = {
        "choice": choice,
        "scope": choice.scope,
        "sections": built,
        "query": query,
    }
    return render(request, "analytics/dashboard.html", context)


@permissions.login_mfa_required
@require_http_methods(["GET", "HEAD"])
def table_csv(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in selectors.TABLES:
        raise Http404(_("Страница не найдена."))
    choice = resolve(request)
    if choice.errors:
        return HttpResponse("\n".join(choice.errors), status=400, content_type="text/plain; charset=utf-8")
    table = selectors.table(slug, choice.scope)
    buffer = io.StringIO()
    writer = excel_csv_writer(buffer)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow(
            [escape_formula(value) if isinstance(value, str) else selectors.cell(value) for value in row]
        )
    period = choice.scope.period
    name = "-".join(
        part
        for part in (
            "kruzhok",
            slug,
            f"as-of-{table.as_of.isoformat()}"
            if table.as_of
            else period.month or f"{period.start.isoformat()}_{period.end.isoformat()}",
            choice.scope.department.slug if choice.scope.department else "",
        )
        if part
    )
    return csv_attachment(buffer.getvalue(), f"{name}.csv")


@permissions.editor_required
@require_http_methods(["GET", "HEAD", "POST"])
def targets(request: HttpRequest) -> HttpResponse:
    okrugs = list(District.objects.filter(kind=District.Kind.OKRUG).order_by("name"))
    directions = list(Direction.objects.order_by("position"))
    current = {
        (okrug_id, direction_id): expected
        for okrug_id, direction_id, expected in CoverageTarget.objects.values_list(
            "okrug_id", "direction_id", "expected"
        )
    }
    form = CoverageTargetsForm(
        request.POST if request.method == "POST" else None,
        okrugs=okrugs,
        directions=directions,
        current=current,
    )
    if request.method == "POST":
        if form.is_valid():
            changed = coverage_targets_set(targets=form.targets(), editor=permissions.signed_in_user(request))
            messages.success(
                request, _("Предложение города сохранено: изменено ячеек — %(n)s.") % {"n": changed}
            )
            return redirect(reverse("analytics:targets"))
        messages.error(request, _("Не сохранено: исправьте отмеченные ячейки."))
    return render(request, "analytics/targets.html", {"form": form, "directions": directions})
