"""The web upload of a catalog file: the same importer and report as `manage.py import_catalog`.

Step 1 checks the file exactly as `--dry-run` would and, when nothing is wrong, keeps it
server-side (kruzhok.imports.uploads) and shows the preview; step 2 imports that same file in
one transaction. A department uploads for its network (new organizations join it), a provider
for its own organization only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kruzhok.accounts import permissions
from kruzhok.catalog.models import Activity, Department, Organization
from kruzhok.core import abuse
from kruzhok.imports import uploads
from kruzhok.imports.readers import ImportFileError, open_table
from kruzhok.imports.services import ImportReport, catalog_import
from kruzhok.imports.validation import COLUMNS, REQUIRED_COLUMNS, normalize_header

PREVIEW_ROWS = 10
PREVIEW_COLUMNS = ("external_id", "title", "organization", "direction", "age_min", "age_max", "address")
UPLOADS_PER_HOUR = 30
SOURCE_MAX = Activity._meta.get_field("source").max_length or 100


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Файл каталога (CSV или XLSX)"),
        help_text=gettext_lazy(
            "Первая строка — заголовки столбцов, как в формате импорта. CSV в UTF-8 или Windows-1251."
        ),
        error_messages={
            "required": gettext_lazy("Выберите файл."),
            "empty": gettext_lazy("Файл пуст: в нём нет ни заголовка, ни строк."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.json,text/csv"}),
    )
    source = forms.CharField(
        label=gettext_lazy("Источник"),
        max_length=SOURCE_MAX,
        help_text=gettext_lazy(
            "Повторная загрузка с тем же источником обновляет занятия с теми же external_id, "
            "а не создаёт новые."
        ),
        error_messages={
            "required": gettext_lazy("Укажите источник."),
            "max_length": gettext_lazy("Не длиннее %(limit_value)d символов (сейчас %(show_value)d)."),
        },
    )


@dataclass(frozen=True)
class Scope:
    """Whose upload this is: a department's network or one organization."""

    key: str
    title: str
    department: Department | None
    organization: Organization | None
    upload_url: str
    back_url: str
    default_source: str

    def confirm_url(self, key: str) -> str:
        return self.upload_url + key + "/"


def _department_scope(request: HttpRequest, slug: str) -> Scope:
    department = permissions.get_department_or_404(request.user, slug)
    return Scope(
        key=f"department:{department.slug}",
        title=department.name,
        department=department,
        organization=None,
        upload_url=reverse("imports:department_upload", args=[department.slug]),
        back_url=reverse("department:network", args=[department.slug]),
        default_source=f"department-{department.slug}",
    )


def _organization_scope(request: HttpRequest, pk: Any) -> Scope:
    organization = permissions.get_organization_for_editing(request.user, pk)
    return Scope(
        key=f"organization:{organization.pk}",
        title=organization.name,
        department=None,
        organization=organization,
        upload_url=reverse("imports:organization_upload", args=[organization.pk]),
        back_url=organization.get_absolute_url(),
        default_source=f"organization-{organization.pk}",
    )


def _run(scope: Scope, request: HttpRequest, file: Any, source: str, *, dry_run: bool) -> ImportReport:
    return catalog_import(
        path_or_file=file,
        source=source,
        dry_run=dry_run,
        actor=request.user,
        department=scope.department,
        organization=scope.organization,
    )


def _first_rows(file: Any) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The preview's first rows, in the columns a person recognises their file by."""
    try:
        table = open_table(file)
        names = [normalize_header(cell) for cell in table.columns]
        shown = [name for name in PREVIEW_COLUMNS if name in names]
        positions = [names.index(name) for name in shown]
        rows: list[tuple[int, list[str]]] = []
        for number, cells in table.rows:
            if not any(cells):
                continue
            rows.append((number, [cells[i][:80] if i < len(cells) else "" for i in positions]))
            if len(rows) == PREVIEW_ROWS:
                break
    except ImportFileError:
        return [], []
    return shown, rows


def _upload(request: HttpRequest, scope: Scope) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, initial={"source": scope.default_source})
    report: ImportReport | None = None
    if request.method == "POST":
        if not abuse.allow(request, "imports.upload", limit=UPLOADS_PER_HOUR):
            return abuse.too_many(request)
        if form.is_valid():
            file = form.cleaned_data["file"]
            source = form.cleaned_data["source"].strip()
            report = _run(scope, request, file, source, dry_run=True)
            if report.ok:
                file.seek(0)
                pending = uploads.upload_store(
                    session=request.session,
                    data=file.read(settings.IMPORT_MAX_BYTES + 1),
                    name=file.name or "upload.csv",
                    scope=scope.key,
                    source=report.source,
                )
                return redirect(scope.confirm_url(pending.key))
    context = {
        "scope": scope,
        "form": form,
        "report": report,
        "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
        "columns": ", ".join(COLUMNS),
        "required_columns": ", ".join(REQUIRED_COLUMNS),
    }
    status = 400 if form.errors or (report is not None and not report.ok) else 200
    return render(request, "imports/upload.html", context, status=status)


def _confirm(request: HttpRequest, scope: Scope, key: str) -> HttpResponse:
    pending = uploads.upload_get(session=request.session, key=key, scope=scope.key)
    if pending is None:
        messages.error(
            request,
            _(
                "Этот файл больше не ждёт подтверждения (он уже загружен или прошло больше суток). Загрузите его снова."
            ),
        )
        return redirect(scope.upload_url)
    if request.method == "POST" and "cancel" in request.POST:
        uploads.upload_discard(session=request.session, key=key)
        messages.info(request, _("Загрузка отменена, файл удалён. Ничего не записано."))
        return redirect(scope.upload_url)
    if request.method == "POST":
        report = _run(scope, request, uploads.upload_open(pending), pending.source, dry_run=False)
        uploads.upload_discard(session=request.session, key=key)
        return render(
            request,
            "imports/report.html",
            {"scope": scope, "report": report},
            status=200 if report.ok else 400,
        )
    # The preview is checked again now, against the catalog as it is at this moment.
    report = _run(scope, request, uploads.upload_open(pending), pending.source, dry_run=True)
    columns, rows = _first_rows(uploads.upload_open(pending))
    context = {"scope": scope, "report": report, "pending": pending, "columns": columns, "rows": rows}
    return render(request, "imports/preview.html", context, status=200 if report.ok else 400)


@permissions.login_mfa_required
@require_http_methods(["GET", "HEAD", "POST"])
def department_upload(request: HttpRequest, slug: str) -> HttpResponse:
    return _upload(request, _department_scope(request, slug))


@permissions.login_mfa_required
@require_http_methods(["GET", "HEAD", "POST"])
def department_confirm(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    return _confirm(request, _department_scope(request, slug), key)


@permissions.login_mfa_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_upload(request: HttpRequest, pk: int) -> HttpResponse:
    return _upload(request, _organization_scope(request, pk))


@permissions.login_mfa_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_confirm(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    return _confirm(request, _organization_scope(request, pk), key)
