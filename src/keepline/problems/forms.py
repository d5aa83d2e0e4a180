"""Forms of the problem pages; they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.core.forms import SELECT, TEXT
from keepline.problems.models import (
    DEFAULT_REPLY_DAYS,
    AddresseeLevel,
    LetterStatus,
    ProblemCategory,
    ProblemStatus,
    Tier,
    Urgency,
)
from keepline.reports.forms import park_choices, region_choices

DEADLINE_CHOICES = [
    ("", _("Any deadline")),
    ("overdue", _("Overdue")),
    ("near", _("Near a deadline")),
]
# What phones offer to pick or photograph: the types core accepts for attachments.
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,image/*"
WHITELIST_CHOICES = [
    ("", _("Whitelisted or not")),
    ("yes", _("Whitelisted")),
    ("no", _("Not whitelisted")),
]


class ProblemFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *ProblemStatus.choices],
        widget=forms.Select(SELECT),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *ProblemCategory.choices],
        widget=forms.Select(SELECT),
    )
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        choices=[("", _("Any tier")), *Tier.choices],
        widget=forms.Select(SELECT),
    )
    region = forms.ChoiceField(label=_("Region"), required=False, widget=forms.Select(SELECT))
    park = forms.ChoiceField(label=_("Park"), required=False, widget=forms.Select(SELECT))
    whitelisted = forms.ChoiceField(
        label=_("Whitelist"), required=False, choices=WHITELIST_CHOICES, widget=forms.Select(SELECT)
    )
    deadline = forms.ChoiceField(
        label=_("Deadline"), required=False, choices=DEADLINE_CHOICES, widget=forms.Select(SELECT)
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(user, str(_("All regions")))  # type: ignore[attr-defined]
        self.fields["park"].choices = park_choices(user, str(_("All parks")))  # type: ignore[attr-defined]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input: a list of uploads (empty when none). Sizes and types are
    the service's to judge."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(TEXT | {"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Documents"),
        help_text=_("Photos, notices, lists: PDF, image, Word or Excel, up to 20 MB each."),
    )


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


class AttachForm(forms.Form):
    attachments = attachments_field()


# ---- coordination letters ------------------------------------------------------------------


class LetterDraftForm(forms.Form):
    addressee = forms.CharField(
        label=_("To (task force)"),
        required=False,
        help_text=_("For example 宜宾市新冠肺炎疫情防控指挥部."),
        widget=forms.TextInput(TEXT),
    )
    addressee_level = forms.ChoiceField(
        label=_("The addressee is"),
        choices=AddresseeLevel.choices,
        widget=forms.Select(SELECT),
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        help_text=_("For example 关于协调解决原料运输车辆通行问题的函."),
        widget=forms.TextInput(TEXT),
    )
    body = forms.CharField(
        label=_("What we ask of them"),
        required=False,
        widget=forms.Textarea(TEXT | {"rows": 4}),
    )
    contact = forms.CharField(
        label=_("Contact (name and phone)"),
        required=False,
        help_text=_("Empty: your name."),
        widget=forms.TextInput(TEXT),
    )
    reply_days = forms.IntegerField(
        label=_("Reply within (working days)"),
        initial=DEFAULT_REPLY_DAYS,
        widget=forms.NumberInput(TEXT | {"min": 1, "max": 60, "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("addressee", "subject", "body"):
            self.fields[name].show_required = True  # type: ignore[attr-defined]


class LetterReplyForm(VersionForm):
    reply = forms.CharField(
        label=_("Their reply"), required=False, widget=forms.Textarea(TEXT | {"rows": 3})
    )
    reply_file = forms.FileField(
        label=_("Reply document"),
        required=False,
        widget=forms.ClearableFileInput(TEXT | {"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply"].show_required = True  # type: ignore[attr-defined]


class LetterWithdrawForm(VersionForm):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        required=False,
        widget=forms.Textarea(TEXT | {"rows": 2}),
    )


class LetterFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *LetterStatus.choices],
        widget=forms.Select(SELECT),
    )
    overdue = forms.ChoiceField(
        label=_("Reply"),
        required=False,
        choices=[("", _("Overdue or not")), ("yes", _("Reply overdue")), ("no", _("Not overdue"))],
        widget=forms.Select(SELECT),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file"),
        help_text=_("An .xlsx (or .csv) file with the template's columns."),
        widget=forms.ClearableFileInput(TEXT | {"accept": ".xlsx,.csv"}),
    )
    check_only = forms.BooleanField(
        label=_("Only check the file; file nothing"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )
