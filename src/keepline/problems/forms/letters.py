"""Forms of coordination letters: drafting one, recording its reply, withdrawing it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.core.forms import SELECT, TEXT
from keepline.problems.forms.attachments import ACCEPT
from keepline.problems.forms.lifecycle import VersionForm
from keepline.problems.models import DEFAULT_REPLY_DAYS, AddresseeLevel


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
