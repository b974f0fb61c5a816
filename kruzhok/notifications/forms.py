"""The subscribe form behind every «Сообщать о новых» / «Следить» widget, and the manage page's
row form. The form resolves what the subscription is about (a search, a live activity or
organization, an upcoming event) and says in Russian what is wrong; it saves nothing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.models import Activity, Organization, Status
from kruzhok.core.abuse import HoneypotMixin
from kruzhok.events import selectors as event_selectors
from kruzhok.events.models import Event
from kruzhok.notifications.models import Subscription
from kruzhok.search.params import SearchParams, parse_params

Kind = Subscription.Kind
Frequency = Subscription.Frequency
MAX_ID = 2**31 - 1
# Subscription.query holds at most this much (the target adds the kind in front).
MAX_QUERY = 2000


def canonical_query(params: SearchParams) -> str:
    """The saved form of a search: its filters in canonical order, without order or page (those
    change what is shown first, not what is new)."""
    return params.query_string(sort="best", page=1)


def _id_field() -> forms.IntegerField:
    return forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class SubscribeForm(HoneypotMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=Kind.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Не понятно, на что подписаться. Обновите страницу и попробуйте ещё раз."),
            "invalid_choice": _("Не понятно, на что подписаться. Обновите страницу и попробуйте ещё раз."),
        },
    )
    frequency = forms.ChoiceField(
        label=_("Как часто"),
        choices=Frequency.choices,
        required=False,
        error_messages={"invalid_choice": _("Выберите, как часто присылать письма.")},
    )
    email = forms.EmailField(
        label=_("Эл. почта"),
        max_length=254,
        required=False,
        error_messages={
            "invalid": _("Проверьте адрес почты: например, anna@example.org."),
            "max_length": _("Адрес почты слишком длинный."),
        },
    )
    activity = _id_field()
    organization = _id_field()
    event = _id_field()

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        # Its own ids: the activity page holds the comment form (another honeypot) too.
        kwargs.setdefault("auto_id", "subscribe-%s")
        super().__init__(*args, **kwargs)
        self.user = user
        # Resolved by clean(): what the subscription is about.
        self.target: Activity | Organization | Event | None = None
        self.params: SearchParams | None = None

    @property
    def signed_in(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    def clean_email(self) -> str:
        email: str = self.cleaned_data.get("email") or ""
        if not email and self.signed_in:
            email = self.user.email or ""
        if not email:
            raise forms.ValidationError(_("Укажите адрес почты: на него придут письма."))
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == Kind.SEARCH:
            self._clean_search()
        elif kind == Kind.ACTIVITY:
            self.target = self._activity(data.get("activity"))
        elif kind == Kind.ORGANIZATION:
            self.target = self._organization(data.get("organization"))
        elif kind == Kind.EVENT:
            self.target = self._event(data.get("event"))
        # Reminders come the day before, whatever is chosen; the others default to a daily digest.
        if kind == Kind.EVENT or not data.get("frequency"):
            data["frequency"] = Frequency.DAILY
        return data

    def _clean_search(self) -> None:
        data = self.data if isinstance(self.data, QueryDict) else QueryDict(mutable=True)
        params, errors = parse_params(data)
        for error in errors:
            self.add_error(None, error.message)
        if errors:
            return
        if len(canonical_query(params)) > MAX_QUERY:
            self.add_error(None, _("Поиск слишком длинный, чтобы его сохранить: уберите часть условий."))
            return
        self.params = params

    def _activity(self, pk: int | None) -> Activity | None:
        found = Activity.objects.filter(pk=pk).first() if pk else None
        if found is None or found.status in (Status.DRAFT, Status.PENDING):
            self.add_error(None, _("Занятие не найдено."))
            return None
        if found.status != Status.PUBLISHED:
            self.add_error(None, _("Занятие убрано из каталога: следить больше не за чем."))
            return None
        return found

    def _organization(self, pk: int | None) -> Organization | None:
        found = Organization.objects.filter(pk=pk).first() if pk else None
        if found is None or found.status in (Status.DRAFT, Status.PENDING):
            self.add_error(None, _("Организация не найдена."))
            return None
        if found.status != Status.PUBLISHED:
            self.add_error(None, _("Организация убрана из каталога: следить больше не за чем."))
            return None
        return found

    def _event(self, pk: int | None) -> Event | None:
        found = event_selectors.event_for_page(pk) if pk else None
        if found is None:
            self.add_error(None, _("Событие не найдено."))
            return None
        if found.is_cancelled:
            self.add_error(None, _("Событие отменено: напоминать не о чем."))
            return None
        if not event_selectors.upcoming_for_event(found, now=timezone.now(), limit=1):
            self.add_error(None, _("Событие уже прошло: напоминать не о чем."))
            return None
        return found

    def top_errors(self) -> list[str]:
        """The errors shown above the fields: about what to subscribe to (hidden fields) and the
        honeypot; the email and frequency errors go next to their fields."""
        errors = [str(e) for e in self.non_field_errors()]
        return errors + [str(e) for e in self.errors.get("kind", []) if str(e) not in errors]

    def subscribe_kwargs(self) -> dict[str, Any]:
        """What `subscriptions.subscribe` needs besides the person and the language."""
        data = self.cleaned_data
        kind = data["kind"]
        kwargs: dict[str, Any] = {"kind": kind, "email": data["email"], "frequency": data["frequency"]}
        if kind == Kind.SEARCH:
            assert self.params is not None  # noqa: S101 — clean() set it or the form is invalid  # nosec B101
            kwargs["query"] = canonical_query(self.params)
        else:
            kwargs[kind] = self.target
        return kwargs


class RowForm(forms.Form):
    """One action on one subscription of the manage page (the page scopes `subscription`)."""

    ACTIONS = ("frequency", "cancel", "confirm", "cancel_all")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    subscription = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    frequency = forms.ChoiceField(
        choices=Frequency.choices,
        required=False,
        error_messages={"invalid_choice": _("Выберите, как часто присылать письма.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action and action != "cancel_all" and not data.get("subscription"):
            raise forms.ValidationError(_("Не понятно, какую подписку изменить. Обновите страницу."))
        if action == "frequency" and not data.get("frequency"):
            self.add_error("frequency", _("Выберите, как часто присылать письма."))
        return data
