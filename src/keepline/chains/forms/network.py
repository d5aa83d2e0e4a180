"""Forms of the supply-network pages; they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.chains.selectors.network import MAX_DEPTH
from keepline.core.forms import SELECT, TEXT
from keepline.core.pickers import Picker

NUMBER = TEXT | {"inputmode": "decimal"}


def _choices(field: forms.Field, choices: list[tuple[Any, str]]) -> None:
    field.choices = choices  # type: ignore[attr-defined]


class LinkForm(forms.Form):
    supplier = forms.CharField(label=_("Supplier"), widget=Picker(SELECT))
    customer = forms.CharField(label=_("Customer"), widget=Picker(SELECT))
    product = forms.CharField(label=_("Product"), max_length=100, widget=forms.TextInput(TEXT))
    sector = forms.ChoiceField(
        label=_("Sector"),
        widget=forms.Select(SELECT),
        help_text=_(
            "The industry of the product; suppliers of one sector can stand in for each other."
        ),
    )
    share = forms.CharField(
        label=_("Share of the customer's need"),
        widget=forms.TextInput(NUMBER | {"placeholder": "40%"}),
        help_text=_("0.4 or 40%: the part of the customer's need for this sector it covers."),
    )
    stock_days = forms.CharField(
        label=_("Stock (days)"),
        widget=forms.TextInput(NUMBER),
        help_text=_("How many days the customer can keep producing on its stock of this input."),
    )
    substitutes = forms.BooleanField(
        label=_("Substitutes exist"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=200, widget=forms.TextInput(TEXT)
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, sectors: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["sector"], sectors)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ChainForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(TEXT))
    region = forms.ChoiceField(
        label=_("Kept by"),
        widget=forms.Select(SELECT),
        help_text=_("The city or district whose task force follows the chain."),
    )
    industry = forms.ChoiceField(
        label=_("Main industry"), required=False, widget=forms.Select(SELECT)
    )
    leader = forms.CharField(label=_("Chain leader"), required=False, widget=Picker(SELECT))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(TEXT | {"rows": 3})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]],
        sectors: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["region"], regions)
        _choices(self.fields["industry"], sectors)


class MemberForm(forms.Form):
    enterprise = forms.CharField(label=_("Enterprise"), widget=Picker(SELECT))
    segment = forms.CharField(
        label=_("Segment"),
        max_length=50,
        widget=forms.TextInput(TEXT | {"placeholder": _("e.g. glass bottles")}),
    )


class DepthForm(forms.Form):
    depth = forms.TypedChoiceField(
        label=_("Depth"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(n, str(n)) for n in range(1, MAX_DEPTH + 1)],
        widget=forms.Select(SELECT),
    )
    colour = forms.ChoiceField(
        label=_("Colour by"),
        required=False,
        choices=[("region", _("Region")), ("city", _("In this city or not"))],
        widget=forms.Select(SELECT),
    )
    layout = forms.ChoiceField(
        label=_("Layout"),
        required=False,
        choices=[("layered", _("Layered")), ("force", _("Force"))],
        widget=forms.Select(SELECT),
    )
