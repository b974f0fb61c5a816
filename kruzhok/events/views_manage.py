"""The provider area's events: an organization's members (and editors) create, edit and cancel
its events. Objects come through `permissions`: another organization's event is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kruzhok.accounts import permissions
from kruzhok.catalog.models import Organization
from kruzhok.events import selectors, services
from kruzhok.events.forms import EventForm
from kruzhok.events.models import Event


def _can_edit_event(user: permissions.AnyUser | None, event: Event) -> bool:
    return permissions.can_edit_organization(user, event.organization_id)


def _event_for_editing(request: HttpRequest, pk: int) -> Event:
    return permissions.get_for_user_or_404(
        request.user, Event.objects.select_related("organization"), pk, _can_edit_event
    )


def _form_page(request: HttpRequest, form: EventForm, org: Organization, event: Event | None) -> HttpResponse:
    status = 400 if form.is_bound else 200
    context = {"form": form, "organization": org, "event": event}
    return render(request, "events/manage_form.html", context, status=status)


@permissions.login_mfa_required
def event_index(request: HttpRequest, pk: int) -> HttpResponse:
    org = permissions.get_organization_for_editing(request.user, pk)
    context = {"organization": org, "events": selectors.events_of_organization(org)[:200]}
    return render(request, "events/manage_list.html", context)


@permissions.login_mfa_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest, pk: int) -> HttpResponse:
    org = permissions.get_organization_for_editing(request.user, pk)
    if request.method == "POST":
        form = EventForm(request.POST, organization=org)
        if form.is_valid():
            services.event_create(
                organization=org, actor=permissions.signed_in_user(request), data=form.event_data()
            )
            messages.success(request, _("Событие добавлено и уже видно в календаре."))
            return redirect("events:manage_events", pk=org.pk)
    else:
        form = EventForm(organization=org, initial={"price_rub": 0, "kind": Event.Kind.OPEN_DAY})
    return _form_page(request, form, org, None)


@permissions.login_mfa_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for_editing(request, pk)
    org = event.organization
    if request.method == "POST":
        form = EventForm(request.POST, organization=org)
        if form.is_valid():
            services.event_update(
                event=event, actor=permissions.signed_in_user(request), data=form.event_data()
            )
            messages.success(request, _("Изменения сохранены и уже видны в календаре."))
            return redirect("events:manage_events", pk=org.pk)
    else:
        form = EventForm(organization=org, initial=EventForm.initial_for(event))
    return _form_page(request, form, org, event)


@permissions.login_mfa_required
@require_POST
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_for_editing(request, pk)
    services.event_cancel(event=event, actor=permissions.signed_in_user(request))
    messages.success(request, _("Событие отменено: в календаре оно отмечено как отменённое."))
    return redirect("events:manage_events", pk=event.organization_id)
