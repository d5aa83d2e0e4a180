"""Forms of the power pages: a baseline (with the metrics pages' parameter names), detecting
alerts for a period, assigning and closing an alert, and an enterprise's timeline."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from keepline.core.forms import DATE, SELECT, TEXT
from keepline.core.models import User
from keepline.power.metrics.baselines import Baseline, BaselineMethod


class BaselineForm(forms.Form):
    """The baseline of an analysis, with the parameter names of the metrics pages and the API."""

    baseline = forms.ChoiceField(
        label=gettext_lazy("Baseline"),
        required=False,
        choices=BaselineMethod.choices,
        widget=forms.Select(SELECT),
    )
    baseline_start = forms.DateField(
        label=gettext_lazy("Reference from"), required=False, widget=forms.DateInput(DATE)
    )
    baseline_end = forms.DateField(
        label=gettext_lazy("Reference to"), required=False, widget=forms.DateInput(DATE)
    )
    baseline_event = forms.DateField(
        label=gettext_lazy("Event day"), required=False, widget=forms.DateInput(DATE)
    )
    baseline_days = forms.IntegerField(
        label=gettext_lazy("Days before the event"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(TEXT),
    )

    def chosen_baseline(self) -> Baseline:
        """The baseline of the valid form; its own errors name these fields."""
        data = self.cleaned_data
        return Baseline(
            method=BaselineMethod(data.get("baseline") or BaselineMethod.SAME_MONTH_LAST_YEAR),
            start=data.get("baseline_start"),
            end=data.get("baseline_end"),
            event=data.get("baseline_event"),
            days=data.get("baseline_days") or 30,
        )


class DetectForm(BaselineForm):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(DATE))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(DATE))

    field_order = ["start", "end"]


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=gettext_lazy("Assign to"), coerce=int, widget=forms.Select(SELECT)
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, users: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((u.pk, f"{u.display_name or u.username} ({u.username})") for u in users),
        ]


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for closing"),
        required=False,
        help_text=gettext_lazy("What the check found: e.g. a boiler kept warm, a report error."),
        widget=forms.Textarea(TEXT | {"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class TimelineForm(BaselineForm):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(DATE)
    )
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(DATE))
    day = forms.DateField(
        label=gettext_lazy("Load shape of"), required=False, widget=forms.DateInput(DATE)
    )

    field_order = ["start", "end", "day"]
