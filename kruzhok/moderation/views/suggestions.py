"""Citizens contribute (a new entry, an edit of an existing one) and editors decide on them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from kruzhok.accounts import permissions
from kruzhok.accounts.permissions import editor_required
from kruzhok.catalog.models import Activity, Organization, Venue
from kruzhok.core.abuse import allow, too_many
from kruzhok.moderation import selectors
from kruzhok.moderation.forms import (
    AcceptEditForm,
    ActivityFieldsForm,
    ContributeForm,
    CorrectionsForm,
    RejectForm,
    SuggestEditForm,
)
from kruzhok.moderation.humanize import Humanizer
from kruzhok.moderation.models import Suggestion
from kruzhok.moderation.suggestions import (
    SuggestionError,
    suggestion_accept,
    suggestion_reject,
    suggestion_submit_edit,
    suggestion_submit_new,
)
from kruzhok.places import gazetteer

CONTRIBUTE_LIMIT = 10  # new entries per hour per person (×IP_LIMIT_FACTOR per address)
SUGGEST_LIMIT = 30


def _sign_in_first(request: HttpRequest) -> HttpResponse:
    messages.info(
        request,
        _(
            "Чтобы добавить занятие, войдите или зарегистрируйтесь. Сообщить о проблеме можно и без "
            "входа: со страницы любого занятия."
        ),
    )
    return redirect_to_login(request.get_full_path())


@require_http_methods(["GET", "POST"])
def contribute(request: HttpRequest) -> HttpResponse:
    """Add a new activity: fill in, check (duplicates, organization, address), then send."""
    if not request.user.is_authenticated:
        return _sign_in_first(request)
    form = ContributeForm(request.POST or None)
    check: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        payload = form.payload()
        if "send" in request.POST:
            if not allow(request, "contribute", limit=CONTRIBUTE_LIMIT):
                return too_many(request)
            suggestion = suggestion_submit_new(
                author=permissions.signed_in_user(request),
                data=payload,
                note=form.cleaned_data.get("note", ""),
            )
            return redirect("contribute:done", pk=suggestion.pk)
        check = _check(payload, form)
    return render(
        request,
        "contribute/contribute.html",
        {"form": form, "check": check, "mine": selectors.suggestions_of(request.user)[:20]},
    )


def _check(payload: dict[str, Any], form: ContributeForm) -> dict[str, Any]:
    """What the citizen sees before sending: which organization and venue, and look-alikes."""
    venue = payload["venue"]
    existing_venue = Venue.objects.filter(pk=venue["id"]).first() if "id" in venue else None
    return {
        "organization": form.resolved_organization,
        "new_organization": payload["organization"].get("name"),
        "venue": existing_venue,
        "address": venue.get("address", ""),
        "located": form.geocoded,
        "duplicates": selectors.duplicates_for_payload(payload),
    }


@login_required
@require_safe
def done(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_object_or_404(selectors.suggestions_of(request.user), pk=pk)
    return render(
        request,
        "contribute/done.html",
        {"suggestion": suggestion, "title": selectors.suggestion_title(suggestion)},
    )


@require_safe
def organization_options(request: HttpRequest) -> HttpResponse:
    """Existing organizations for the «Организация» field, as <option>s of its datalist."""
    found = selectors.organizations_matching(request.GET.get("organization", "")[:200])
    return render(request, "contribute/_options.html", {"options": [org.name for org in found]})


@require_safe
def address_options(request: HttpRequest) -> HttpResponse:
    """The chosen organization's venues, then gazetteer addresses, for the «Адрес» datalist."""
    text = request.GET.get("address", "")[:200]
    options: list[str] = []
    org, _same = selectors.organization_named(request.GET.get("organization", "")[:300])
    if org is not None:
        options += list(Venue.objects.filter(organization=org).values_list("address", flat=True)[:10])
    if len(text.strip()) >= 2:
        options += gazetteer.suggest(text, limit=8, city=settings.CITY_NAME)
    return render(request, "contribute/_options.html", {"options": list(dict.fromkeys(options))})


@require_safe
def duplicates(request: HttpRequest) -> HttpResponse:
    """Live «возможно, это уже есть» while the title is typed (the check step shows it too)."""
    org, _same = selectors.organization_named(request.GET.get("organization", "")[:300])
    located = gazetteer.geocode(request.GET.get("address", "")[:300], city=settings.CITY_NAME)
    point = located if located is not None and located.precision != gazetteer.Precision.DISTRICT else None
    found = selectors.duplicate_candidates(
        title=request.GET.get("title", "")[:300],
        organization_id=org.pk if org else None,
        lat=point.lat if point else None,
        lon=point.lon if point else None,
    )
    return render(request, "contribute/_duplicates.html", {"duplicates": found})


@login_required
@require_http_methods(["GET", "POST"])
def suggest_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_object_or_404(Activity.objects.live().select_related("organization", "venue"), pk=pk)
    current = selectors.editable_values(activity)
    form = SuggestEditForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        if not allow(request, "suggest", limit=SUGGEST_LIMIT):
            return too_many(request)
        data, original = form.changes()
        suggestion_submit_edit(
            author=permissions.signed_in_user(request),
            activity=activity,
            data=data,
            original=original,
            note=form.cleaned_data.get("note", ""),
        )
        messages.success(request, _("Спасибо! Редактор проверит правку, и мы напишем вам о решении."))
        return redirect(activity.get_absolute_url())
    return render(request, "contribute/suggest_edit.html", {"form": form, "activity": activity})


# --- editors ---------------------------------------------------------------------------------


@editor_required
@require_http_methods(["GET", "POST"])
def suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Suggestion.objects.select_related("author", "activity", "decided_by"), pk=pk)
    if item.kind == Suggestion.Kind.EDIT and item.activity_id is None:
        raise Http404
    is_new = item.kind == Suggestion.Kind.NEW_ACTIVITY
    proposed = list(item.data) if not is_new else []
    accept_form = AcceptEditForm(proposed=proposed)
    reject_form = RejectForm()
    corrections_form = (
        CorrectionsForm(initial=ActivityFieldsForm.initial_from(item.data.get("activity", {})), prefix="c")
        if is_new
        else None
    )
    error = ""
    if request.method == "POST":
        decision = request.POST.get("decision")
        try:
            if decision == "reject":
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    suggestion_reject(
                        suggestion=item,
                        editor=permissions.signed_in_user(request),
                        reason=reject_form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Предложение отклонено, автор получит письмо."))
                    return redirect("moderation:queue")
            elif decision == "accept" and is_new:
                corrections_form = CorrectionsForm(request.POST, prefix="c")
                if corrections_form.is_valid():
                    corrections = corrections_form.corrections(item.data.get("activity", {}))
                    suggestion_accept(
                        suggestion=item, editor=permissions.signed_in_user(request), corrections=corrections
                    )
                    messages.success(request, _("Занятие опубликовано, автор получит письмо."))
                    return redirect("moderation:queue")
            elif decision == "accept":
                accept_form = AcceptEditForm(request.POST, proposed=proposed)
                if accept_form.is_valid():
                    suggestion_accept(
                        suggestion=item,
                        editor=permissions.signed_in_user(request),
                        fields=accept_form.cleaned_data["accepted"],
                    )
                    messages.success(request, _("Правка принята, автор получит письмо."))
                    return redirect("moderation:queue")
            else:
                error = _("Выберите решение: принять или отклонить.")
        except SuggestionError as problem:
            error = problem.message
            item.refresh_from_db()
    context = {
        "item": item,
        "title": selectors.suggestion_title(item),
        "is_new": is_new,
        "accept_form": accept_form,
        "reject_form": reject_form,
        "corrections_form": corrections_form,
        "error": error,
    }
    if is_new:
        context.update(_new_context(item))
    else:
        rows = selectors.suggestion_diff(item)
        context.update({"rows": rows, "stale": any(row.stale for row in rows)})
    return render(request, "moderation/suggestion.html", context, status=400 if error else 200)


def _new_context(item: Suggestion) -> dict[str, Any]:
    data = item.data
    org_data = data.get("organization", {})
    venue_data = data.get("venue") or {}
    activity = data.get("activity", {})
    human = Humanizer()
    return {
        "organization": Organization.objects.filter(pk=org_data["id"]).first() if "id" in org_data else None,
        "new_organization": org_data if "id" not in org_data else None,
        "new_organization_kind": dict(Organization.Kind.choices).get(org_data.get("kind"), ""),
        "venue": Venue.objects.filter(pk=venue_data["id"]).first() if "id" in venue_data else None,
        "new_venue": venue_data if venue_data and "id" not in venue_data else None,
        "proposed_rows": [
            (selectors.field_label(name), selectors.display_value(name, activity.get(name), human))
            for name in ActivityFieldsForm.activity_fields
        ],
        "duplicates": selectors.duplicates_for_payload(data, exclude_id=item.activity_id)
        if item.is_pending
        else [],
    }
