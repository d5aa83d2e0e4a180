"""Forms of the registry. Fields arrive as text; the service's validation decides, so a form,
an API body and an import row are judged by the same rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keepline.core.forms import SELECT, TEXT
from keepline.enterprises.selectors import industry_choices
from keepline.enterprises.validation import COLUMNS
from keepline.places.selectors import park_choices, region_choices


class EnterpriseForm(forms.Form):
    """Create/edit: one text field per import column."""

    def __init__(self, *args: Any, user: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for column in COLUMNS:
            if not creating and column.key in {"liaison_name", "liaison_phone"}:
                continue  # contacts are edited on the detail page
            widget: forms.Widget = forms.TextInput(TEXT)
            if column.key == "region":
                widget = forms.Select(SELECT, choices=[("", "—"), *region_choices(user)])
            elif column.key == "park":
                widget = forms.Select(SELECT, choices=[("", "—"), *park_choices(user)])
            elif column.key == "industry":
                widget = forms.Select(SELECT, choices=[("", "—"), *industry_choices()])
            elif column.key == "above_size":
                widget = forms.Select(SELECT, choices=[("yes", _("yes")), ("no", _("no"))])
            elif column.key == "capacity_note":
                widget = forms.Textarea(TEXT | {"rows": 2})
            self.fields[column.key] = forms.CharField(
                label=column.label, required=False, widget=widget
            )
            # Required-ness is the service's to judge; the mark only guides the user.
            self.fields[column.key].show_required = column.required  # type: ignore[attr-defined]
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ContactForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"), max_length=50, widget=forms.TextInput(TEXT)
    )
    title = forms.CharField(
        label=_("Position"), max_length=50, required=False, widget=forms.TextInput(TEXT)
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=20, widget=forms.TextInput(TEXT | {"inputmode": "tel"})
    )
    is_liaison = forms.BooleanField(
        label=_("Liaison"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )
