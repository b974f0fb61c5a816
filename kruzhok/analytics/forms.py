"""The dashboard's filter (period, department) and the editors' grid of coverage targets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kruzhok.analytics import selectors
from kruzhok.catalog.models import Direction
from kruzhok.catalog.templatetags.catalog_tags import loc_name
from kruzhok.places.models import District

TARGET_MAX = 100_000


class PeriodForm(forms.Form):
    """`month=YYYY-MM` or nothing (the last 30 days); `department=<slug>` for those who may choose."""

    month = forms.CharField(label=_("Месяц"), required=False)
    department = forms.CharField(label=_("Департамент"), required=False)

    def clean_month(self) -> selectors.Period | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        try:
            return selectors.month_period(value)
        except selectors.PeriodError as error:
            raise forms.ValidationError(str(error)) from None


def target_field_name(okrug_id: int, direction_id: int) -> str:
    return f"t_{okrug_id}_{direction_id}"


class CoverageTargetsForm(forms.Form):
    """One whole-number field per okrug × direction; empty means «no target».

    Each field carries the value it was shown with (a hidden `initial-…` input), and `targets()`
    keeps only the cells whose posted value differs from it: two editors saving the grid at once
    overwrite only the cells each of them changed, and a field missing from the POST is left
    as it is (not cleared)."""

    def __init__(
        self,
        *args: Any,
        okrugs: list[District],
        directions: list[Direction],
        current: dict[tuple[int, int], int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.okrugs, self.directions, self.current = okrugs, directions, current
        for okrug in okrugs:
            for direction in directions:
                self.fields[target_field_name(okrug.pk, direction.pk)] = forms.IntegerField(
                    label=_("%(okrug)s округ, %(direction)s")
                    % {"okrug": okrug.name, "direction": loc_name(direction)},
                    required=False,
                    min_value=0,
                    max_value=TARGET_MAX,
                    initial=current.get((okrug.pk, direction.pk)),
                    show_hidden_initial=True,
                    error_messages={
                        "invalid": _("Нужно целое число занятий, например 12."),
                        "min_value": _("Число не может быть отрицательным."),
                        "max_value": _("Не больше %(limit_value)s."),
                    },
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": TARGET_MAX}),
                )

    def _shown(self, key: tuple[int, int], name: str) -> int | None:
        """The value the editor saw in the cell: the hidden initial, else (an old page, a
        tampered one) the value stored now."""
        shown = self.data.get(self.add_initial_prefix(name))
        if shown is None:
            return self.current.get(key)
        try:
            return self.fields[name].to_python(shown)
        except forms.ValidationError:
            return self.current.get(key)

    def targets(self) -> dict[tuple[int, int], int | None]:
        """The cells the editor changed: posted, and different from the value shown."""
        changed: dict[tuple[int, int], int | None] = {}
        for okrug in self.okrugs:
            for direction in self.directions:
                key, name = (okrug.pk, direction.pk), target_field_name(okrug.pk, direction.pk)
                if name not in self.data:
                    continue
                value = self.cleaned_data.get(name)
                if value != self._shown(key, name):
                    changed[key] = value
        return changed

    def grid(self) -> list[tuple[District, list[tuple[Direction, forms.BoundField]]]]:
        return [
            (
                okrug,
                [
                    (direction, self[target_field_name(okrug.pk, direction.pk)])
                    for direction in self.directions
                ],
            )
            for okrug in self.okrugs
        ]
