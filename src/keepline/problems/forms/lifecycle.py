"""Forms of a problem's life: filing it and each step taken on it; they parse input, the
services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.core.forms import SELECT, TEXT
from keepline.problems.forms.attachments import attachments_field
from keepline.problems.models import ProblemCategory, Urgency


class FileForm(forms.Form):
    # A number, not a checked choice: the service answers for an enterprise the user may not
    # see (404) as everywhere else.
    enterprise = forms.IntegerField(label=_("Enterprise"), widget=forms.Select(SELECT))
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *ProblemCategory.choices],
        widget=forms.Select(SELECT),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.Select(SELECT),
    )
    title = forms.CharField(
        label=_("Problem in one line"), max_length=200, widget=forms.TextInput(TEXT)
    )
    description = forms.CharField(
        label=_("Details"),
        required=False,
        help_text=_("What is stuck, since when, what it stops, whom to call."),
        widget=forms.Textarea(TEXT | {"rows": 4}),
    )
    attachments = attachments_field()

    def __init__(self, *args: Any, enterprises: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        if len(enterprises) == 1:
            field.initial = enterprises[0][0]
            field.widget = forms.HiddenInput()
        else:
            field.widget.choices = [("", "—"), *enterprises]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StartForm(VersionForm):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(TEXT | {"rows": 2})
    )


class ReplyForm(VersionForm):
    text = forms.CharField(
        label=_("Reply"), required=False, widget=forms.Textarea(TEXT | {"rows": 3})
    )
    final = forms.BooleanField(
        label=_("Final reply: the problem is solved, ask the enterprise to confirm"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )


class ConfirmForm(VersionForm):
    rating = forms.IntegerField(
        label=_("Rating (1–5)"),
        widget=forms.NumberInput(TEXT | {"min": 1, "max": 5, "inputmode": "numeric"}),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(TEXT | {"rows": 2})
    )


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=_("Why it is not solved"),
        required=False,
        widget=forms.Textarea(TEXT | {"rows": 2}),
    )


class ReassignForm(VersionForm):
    department = forms.TypedChoiceField(
        label=_("Department"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(SELECT),
    )
    handler = forms.TypedChoiceField(
        label=_("Handler"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(SELECT),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(TEXT | {"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[int, str]],
        handlers: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—"), *departments]  # type: ignore[attr-defined]
        self.fields["handler"].choices = [("", "—"), *handlers]  # type: ignore[attr-defined]
