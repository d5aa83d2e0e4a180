"""Forms of the whitelists; they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.core.forms import SELECT, TEXT
from keepline.whitelist.models import Category
from keepline.whitelist.rules import DECIDED_STEPS
from keepline.whitelist.selectors.applications import DOCUMENTS

# What phones offer to pick or photograph: the types core accepts for attachments.
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,image/*"


def _choices(pairs: Any, empty: Any) -> list[tuple[str, Any]]:
    return [("", empty), *pairs]


class ApplicationForm(forms.Form):
    """The application on one column for a phone: category, chain, statement and the three
    documents (a photo of the signed commitment will do). On resubmission a document left
    empty keeps the one already attached."""

    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=_choices(Category.choices, "—"),
        widget=forms.Select(SELECT),
    )
    chain = forms.CharField(
        label=_("Industry chain"),
        required=False,
        help_text=_("The chain the enterprise keeps running, e.g. 白酒, 化工, 装备制造."),
        widget=forms.TextInput(TEXT | {"list": "chains", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("Statement"),
        required=False,
        help_text=_("Why production must go on: what it supplies, to whom."),
        widget=forms.Textarea(TEXT | {"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, resubmitting: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("category", "chain"):
            self.fields[name].show_required = True  # type: ignore[attr-defined]
        for name, label in DOCUMENTS.items():
            self.fields[name] = forms.FileField(
                label=label,
                required=False,
                help_text=(
                    _("Leave empty to keep the document already attached.")
                    if resubmitting
                    else _("PDF, photo, Word or Excel; up to 20 MB.")
                ),
                widget=forms.ClearableFileInput(TEXT | {"accept": ACCEPT}),
            )
            self.fields[name].show_required = not resubmitting  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"),
        required=False,
        help_text=_("Required when returning or rejecting: say what must change, or why not."),
        widget=forms.Textarea(TEXT | {"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    step = forms.ChoiceField(
        choices=[(s, s) for s in DECIDED_STEPS], widget=forms.HiddenInput, required=False
    )


class NominationForm(forms.Form):
    reasons = forms.CharField(
        label=_("Recommendation"),
        required=False,
        help_text=_("Why the province should list it too (optional)."),
        widget=forms.Textarea(TEXT | {"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        required=False,
        help_text=_("Which condition the enterprise no longer meets; the applicant sees this."),
        widget=forms.Textarea(TEXT | {"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].show_required = True  # type: ignore[attr-defined]
