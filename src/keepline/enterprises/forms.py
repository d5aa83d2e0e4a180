"""Forms of the registry. Fields arrive as text; the service's validation decides, so a form,
an API body and an import row are judged by the same rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from keepline.core.forms import SELECT, TEXT
from keepline.core.scopes import visible
from keepline.enterprises.models import Industry, IndustryLevel
from keepline.enterprises.validation import COLUMNS
from keepline.places.forms import region_label
from keepline.places.models import Park, Region


def _industry_choices(empty: str = "—") -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", empty)]
    for industry in Industry.objects.order_by("code"):
        indent = "" if industry.level == IndustryLevel.SECTION else "　"
        choices.append((industry.code, f"{indent}{industry.code} {industry.name}"))
    return choices


def _region_choices(user: Any, empty: str = "—") -> list[tuple[str, str]]:
    return [("", empty)] + [(r.code, region_label(r)) for r in visible(Region.objects.all(), user)]


def _park_choices(user: Any, empty: str = "—") -> list[tuple[str, str]]:
    return [("", empty)] + [
        (p.code, f"{p.name} ({p.code})") for p in visible(Park.objects.all(), user)
    ]


class EnterpriseForm(forms.Form):
    """Create/edit: one text field per import column."""

    def __init__(self, *args: Any, user: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for column in COLUMNS:
            if not creating and column.key in {"liaison_name", "liaison_phone"}:
                continue  # contacts are edited on the detail page
            widget: forms.Widget = forms.TextInput(TEXT)
            if column.key == "region":
                widget = forms.Select(SELECT, choices=_region_choices(user))
            elif column.key == "park":
                widget = forms.Select(SELECT, choices=_park_choices(user))
            elif column.key == "industry":
                widget = forms.Select(SELECT, choices=_industry_choices())
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


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name or code"),
        required=False,
        widget=forms.TextInput(
            TEXT
            | {
                "type": "search",
                "placeholder": _("Name or credit code"),
                "aria-label": _("Name or code"),
            }
        ),
    )
    region = forms.ChoiceField(label=_("Region"), required=False, widget=forms.Select(SELECT))
    park = forms.ChoiceField(label=_("Park"), required=False, widget=forms.Select(SELECT))
    industry = forms.ChoiceField(label=_("Industry"), required=False, widget=forms.Select(SELECT))
    size = forms.ChoiceField(
        label=_("Size"),
        required=False,
        choices=[
            ("", _("All sizes")),
            ("above", _("Above designated size")),
            ("below", _("Below designated size")),
        ],
        widget=forms.Select(SELECT),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _region_choices(user, str(_("All regions")))  # type: ignore[attr-defined]
        self.fields["park"].choices = _park_choices(user, str(_("All parks")))  # type: ignore[attr-defined]
        self.fields["industry"].choices = _industry_choices(str(_("All industries")))  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(TEXT | {"accept": ".xlsx,.csv"}),
    )


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
