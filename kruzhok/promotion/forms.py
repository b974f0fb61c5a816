"""Forms of the free promotion: a provider's news post and photo, an editor's reason to hide one,
and an editor's featured pick (an activity or an event, by id or by its address on the site)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kruzhok.catalog.forms import one_line, plain
from kruzhok.catalog.models import Activity, Direction
from kruzhok.core.images import ACCEPT_ATTRIBUTE, reencode_image
from kruzhok.events.models import Event
from kruzhok.promotion import selectors
from kruzhok.promotion.models import HIDE_REASON_MAX, PHOTO_CAPTION_MAX, POST_BODY_MAX, POST_TITLE_MAX

PHOTO_MAX_SIDE = 1600
HOME = "home"

_ACTIVITY_PATH = re.compile(r"^/(?:[a-z]{2}/)?activities/(\d{1,10})(?:-[^/]*)?/?")
_EVENT_PATH = re.compile(r"^/(?:[a-z]{2}/)?events/(\d{1,10})/?")
_ID = re.compile(r"^\d{1,10}$")


class PostForm(forms.Form):
    title = forms.CharField(label=_("Заголовок"), max_length=POST_TITLE_MAX)
    body = forms.CharField(
        label=_("Текст"),
        max_length=POST_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Обычный текст. Ссылки вида https://… станут кликабельными."),
    )

    def clean_title(self) -> str:
        title = one_line(self.cleaned_data["title"])
        if not title:
            raise ValidationError(_("Напишите заголовок."))
        return title

    def clean_body(self) -> str:
        body = plain(self.cleaned_data["body"])
        if not body:
            raise ValidationError(_("Напишите текст новости."))
        return body


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Фото"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=_("JPEG, PNG или WebP. Данные о месте съёмки удаляются."),
    )
    caption = forms.CharField(
        label=_("Подпись"),
        max_length=PHOTO_CAPTION_MAX,
        required=False,
        help_text=_("Что на фото — её прочитают и те, кто не видит изображение."),
    )

    def clean_image(self) -> Any:
        return reencode_image(self.cleaned_data["image"], max_side=PHOTO_MAX_SIDE)

    def clean_caption(self) -> str:
        return one_line(self.cleaned_data["caption"])


class CaptionForm(forms.Form):
    caption = forms.CharField(label=_("Подпись"), max_length=PHOTO_CAPTION_MAX, required=False)

    def clean_caption(self) -> str:
        return one_line(self.cleaned_data["caption"])


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина (её увидит организация)"),
        max_length=HIDE_REASON_MAX,
    )

    def clean_reason(self) -> str:
        reason = one_line(self.cleaned_data["reason"])
        if not reason:
            raise ValidationError(_("Напишите причину: организация должна понять, что исправить."))
        return reason


def _placement_choices() -> list[tuple[str, str]]:
    from kruzhok.catalog.templatetags.catalog_tags import loc_name

    return [(HOME, str(_("Главная страница")))] + [
        (d.slug, str(_("Направленность: %(name)s") % {"name": loc_name(d)}))
        for d in Direction.objects.order_by("position", "id")
    ]


class FeaturedForm(forms.Form):
    placement = forms.ChoiceField(label=_("Где показать"), choices=())
    kind = forms.ChoiceField(
        label=_("Что это (важно, если указан номер)"),
        choices=[("activity", _("Занятие")), ("event", _("Событие"))],
        initial="activity",
        widget=forms.RadioSelect,
    )
    target = forms.CharField(
        label=_("Номер или адрес страницы"),
        max_length=500,
        help_text=_("Например 123 или https://…/activities/123-shakhmaty/ или https://…/events/45/"),
    )
    starts_on = forms.DateField(
        label=_("С"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("По (включительно)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    position = forms.IntegerField(
        label=_("Порядок (меньше — раньше)"), min_value=0, max_value=999, initial=0, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        placement = self.fields["placement"]
        assert isinstance(placement, forms.ChoiceField)  # noqa: S101 (type narrowing for mypy; declared just above)  # nosec B101
        placement.choices = _placement_choices()

    def clean_target(self) -> str:
        return one_line(self.cleaned_data["target"])

    def clean_ends_on(self) -> date:
        ends_on: date = self.cleaned_data["ends_on"]
        if ends_on < timezone.localdate():
            raise ValidationError(_("Дата окончания уже прошла."))
        return ends_on

    def _resolve(self, target: str, kind: str) -> tuple[str, int] | None:
        if _ID.match(target):
            return kind, int(target)
        path = urlsplit(
            target if "://" in target else "http://x" + ("" if target.startswith("/") else "/") + target
        ).path
        for pattern, found_kind in ((_ACTIVITY_PATH, "activity"), (_EVENT_PATH, "event")):
            match = pattern.match(path)
            if match:
                return found_kind, int(match.group(1))
        return None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("Дата окончания раньше даты начала."))
        target, kind, placement = data.get("target"), data.get("kind"), data.get("placement")
        if not target or not kind or not placement:
            return data
        resolved = self._resolve(target, kind)
        if resolved is None:
            self.add_error(
                "target", _("Не понятно, что выбрать: укажите номер или адрес страницы занятия или события.")
            )
            return data
        direction = None if placement == HOME else Direction.objects.filter(slug=placement).first()
        data["direction"] = direction
        data["activity"] = data["event"] = None
        found_kind, pk = resolved
        if found_kind == "activity":
            activity = selectors.pickable_activity(pk)
            if activity is None:
                self.add_error("target", _("Занятия №%(id)s нет среди опубликованных.") % {"id": pk})
            elif direction is not None and activity.direction_id != direction.pk:
                self.add_error("target", _("Это занятие другой направленности."))
            else:
                data["activity"] = activity
        else:
            event = selectors.pickable_event(pk)
            if event is None:
                self.add_error(
                    "target", _("События №%(id)s нет среди опубликованных и предстоящих.") % {"id": pk}
                )
            elif direction is not None and not selectors.event_fits_direction(event, direction.pk):
                self.add_error(
                    "target",
                    _(
                        "Это событие другой направленности: у его занятия (или, если занятия нет, "
                        "у организации) нет занятий этой направленности."
                    ),
                )
            else:
                data["event"] = event
        return data

    def pick(self) -> tuple[Direction | None, Activity | None, Event | None]:
        data = self.cleaned_data
        return data["direction"], data["activity"], data["event"]
