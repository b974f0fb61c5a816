"""The provider area (/manage/): an organization's members edit its entries, groups and schedules
directly. Every object is fetched through `permissions` — another organization's URL is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kruzhok.accounts import permissions
from kruzhok.accounts.models import Membership
from kruzhok.catalog import services
from kruzhok.catalog.forms import ActivityForm, BaseSlotFormSet, GroupForm, OrganizationForm, SlotFormSet
from kruzhok.catalog.models import Activity, Group, Organization, ScheduleSlot

EDITOR_SEARCH_LIMIT = 30


def _group_for_editing(request: HttpRequest, pk: int) -> tuple[Group, Activity]:
    group = Group.objects.filter(pk=pk).prefetch_related("slots").first()
    if group is None:
        raise Http404(_("Страница не найдена."))
    activity = permissions.get_activity_for_editing(request.user, group.activity_id)
    return group, activity


@permissions.login_mfa_required
def index(request: HttpRequest) -> HttpResponse:
    organizations = list(permissions.organizations_of(request.user).order_by("name"))
    roles = dict(
        Membership.objects.filter(user=permissions.signed_in_user(request)).values_list(
            "organization_id", "role"
        )
    )
    query = " ".join(request.GET.get("q", "").split())[:100]
    found: list[Organization] = []
    is_editor = permissions.is_editor(request.user)
    if is_editor and query:
        found = list(
            Organization.objects.filter(name__icontains=query).order_by("name")[:EDITOR_SEARCH_LIMIT]
        )
    context = {
        "organizations": [(org, roles.get(org.pk)) for org in organizations],
        "is_editor": is_editor,
        "query": query,
        "found": found,
    }
    return render(request, "manage/index.html", context)


@permissions.login_mfa_required
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    org = permissions.get_organization_for_editing(request.user, pk)
    activities = (
        Activity.objects.filter(organization=org)
        .select_related("venue", "direction")
        .prefetch_related(Prefetch("groups", queryset=Group.objects.prefetch_related("slots")))
        .order_by("title", "id")
    )
    context = {
        "organization": org,
        "activities": activities,
        "can_manage": permissions.can_manage_organization(request.user, org),
    }
    return render(request, "manage/organization.html", context)


@permissions.login_mfa_required
@require_http_methods(["GET", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = permissions.get_organization_for_editing(request.user, pk)
    if request.method == "POST":
        form = OrganizationForm(request.POST)
        if form.is_valid():
            services.organization_update(
                organization=org, actor=permissions.signed_in_user(request), fields=form.cleaned_data
            )
            messages.success(request, _("Данные организации сохранены и уже видны на сайте."))
            return redirect("manage:organization", pk=org.pk)
    else:
        form = OrganizationForm(initial={name: getattr(org, name) for name in services.ORGANIZATION_FIELDS})
    status = 400 if form.is_bound else 200
    return render(
        request, "manage/organization_form.html", {"organization": org, "form": form}, status=status
    )


@permissions.login_mfa_required
def members(request: HttpRequest, pk: int) -> HttpResponse:
    org = permissions.get_organization_for_editing(request.user, pk)
    context = {
        "organization": org,
        "members": Membership.objects.filter(organization=org)
        .select_related("user")
        .order_by("role", "user_id"),
        "can_manage": permissions.can_manage_organization(request.user, org),
    }
    return render(request, "manage/members.html", context)


@permissions.login_mfa_required
@require_POST
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    org = permissions.get_for_user_or_404(
        request.user, Organization.objects.all(), pk, permissions.can_manage_organization
    )
    membership = Membership.objects.filter(pk=membership_pk, organization=org).first()
    if membership is None:
        raise Http404(_("Страница не найдена."))
    try:
        services.membership_remove(membership=membership, actor=permissions.signed_in_user(request))
    except services.Refused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Участник удалён из организации."))
    if membership.user_id == request.user.pk and not permissions.can_edit_organization(request.user, org):
        return redirect("manage:index")
    return redirect("manage:members", pk=org.pk)


def _activity_form_page(
    request: HttpRequest, form: ActivityForm, org: Organization, activity: Activity | None
) -> HttpResponse:
    status = 400 if form.is_bound else 200
    context = {"form": form, "organization": org, "activity": activity}
    return render(request, "manage/activity_form.html", context, status=status)


@permissions.login_mfa_required
@require_http_methods(["GET", "POST"])
def activity_new(request: HttpRequest, pk: int) -> HttpResponse:
    org = permissions.get_organization_for_editing(request.user, pk)
    if request.method == "POST":
        form = ActivityForm(request.POST, organization=org)
        if form.is_valid():
            created = services.activity_create(
                organization=org, actor=permissions.signed_in_user(request), data=form.activity_data()
            )
            messages.success(
                request, _("Занятие добавлено и уже видно на сайте. Добавьте группы и расписание.")
            )
            return redirect("manage:groups", pk=created.pk)
    else:
        form = ActivityForm(organization=org, initial={"age_min": 7, "age_max": 14, "price_rub": 0})
    return _activity_form_page(request, form, org, None)


@permissions.login_mfa_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = permissions.get_activity_for_editing(request.user, pk)
    org = activity.organization
    if request.method == "POST":
        form = ActivityForm(request.POST, organization=org)
        if form.is_valid():
            changed = services.activity_update(
                activity=activity, actor=permissions.signed_in_user(request), data=form.activity_data()
            )
            if changed:
                messages.success(request, _("Изменения сохранены и уже видны на сайте."))
            else:
                messages.info(request, _("Изменений нет; отметили, что данные проверены сегодня."))
            return redirect("manage:organization", pk=org.pk)
    else:
        form = ActivityForm(organization=org, initial=ActivityForm.initial_for(activity))
    return _activity_form_page(request, form, org, activity)


@permissions.login_mfa_required
def groups(request: HttpRequest, pk: int) -> HttpResponse:
    activity = permissions.get_activity_for_editing(request.user, pk)
    context = {
        "activity": activity,
        "organization": activity.organization,
        "groups": Group.objects.filter(activity=activity).prefetch_related("slots").order_by("id"),
    }
    return render(request, "manage/groups.html", context)


def _group_page(
    request: HttpRequest, activity: Activity, group: Group | None, form: GroupForm, slots: Any
) -> HttpResponse:
    status = 400 if form.is_bound else 200
    context = {
        "activity": activity,
        "organization": activity.organization,
        "group": group,
        "form": form,
        "slots": slots,
        "weekdays": ScheduleSlot.Weekday.choices,
    }
    return render(request, "manage/group_form.html", context, status=status)


def _save_group(request: HttpRequest, activity: Activity, group: Group | None) -> HttpResponse:
    form = GroupForm(request.POST)
    slots = SlotFormSet(request.POST, prefix="slots")
    assert isinstance(slots, BaseSlotFormSet)  # noqa: S101 (formset_factory's type is too loose)  # nosec B101
    if form.is_valid() and slots.is_valid():
        services.group_save(
            activity=activity,
            actor=permissions.signed_in_user(request),
            fields=form.cleaned_data,
            slots=slots.slots(),
            group=group,
        )
        messages.success(request, _("Группа и расписание сохранены и уже видны на сайте."))
        return redirect("manage:groups", pk=activity.pk)
    return _group_page(request, activity, group, form, slots)


@permissions.login_mfa_required
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest, pk: int) -> HttpResponse:
    activity = permissions.get_activity_for_editing(request.user, pk)
    if request.method == "POST":
        return _save_group(request, activity, None)
    return _group_page(request, activity, None, GroupForm(), SlotFormSet(prefix="slots"))


@permissions.login_mfa_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group, activity = _group_for_editing(request, pk)
    if request.method == "POST":
        return _save_group(request, activity, group)
    form = GroupForm(initial={name: getattr(group, name) for name in services.GROUP_FIELDS})
    initial = [
        {"weekday": s.weekday, "starts_at": s.starts_at, "ends_at": s.ends_at}
        for s in sorted(group.slots.all(), key=lambda s: (s.weekday, s.starts_at))
    ]
    return _group_page(request, activity, group, form, SlotFormSet(prefix="slots", initial=initial))


@permissions.login_mfa_required
@require_POST
def group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    group, activity = _group_for_editing(request, pk)
    services.group_delete(group=group, actor=permissions.signed_in_user(request))
    messages.success(request, _("Группа удалена."))
    return redirect("manage:groups", pk=activity.pk)
