"""Forms for parks and control measures; choices are limited to what the user may see."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.core.forms import SELECT, TEXT
from keepline.core.scopes import visible
from keepline.places.models import MeasureKind, Park, ParkLevel, Region
from keepline.places.selectors import region_label


class RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return region_label(obj)


class RegionMultiChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return region_label(obj)


class ParkForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30, widget=forms.TextInput(TEXT))
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(TEXT))
    region = RegionChoice(
        label=_("Region"), queryset=Region.objects.none(), widget=forms.Select(SELECT)
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=ParkLevel.choices, widget=forms.Select(SELECT)
    )
    committee_contact = forms.CharField(
        label=_("Management committee contact"), max_length=100, widget=forms.TextInput(TEXT)
    )
    committee_phone = forms.CharField(
        label=_("Committee office phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(TEXT),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = visible(Region.objects.all(), user)  # type: ignore[attr-defined]


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=MeasureKind.choices, widget=forms.Select(SELECT)
    )
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(TEXT))
    authority = RegionChoice(
        label=_("Issuing authority"), queryset=Region.objects.none(), widget=forms.Select(SELECT)
    )
    regions = RegionMultiChoice(
        label=_("Regions covered"),
        queryset=Region.objects.none(),
        required=False,
        widget=forms.SelectMultiple(SELECT | {"size": 10}),
    )
    parks = forms.ModelMultipleChoiceField(
        label=_("Parks covered"),
        queryset=Park.objects.none(),
        required=False,
        widget=forms.SelectMultiple(SELECT | {"size": 6}),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=forms.DateTimeInput(TEXT | {"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        required=False,
        help_text=_("Leave empty while the end is not known."),
        widget=forms.DateTimeInput(TEXT | {"type": "datetime-local"}),
    )
    strictness = forms.TypedChoiceField(
        label=_("Strictness"),
        coerce=int,
        choices=[
            (1, _("1 · restrictions")),
            (2, _("2 · static management")),
            (3, _("3 · full lockdown")),
        ],
        initial=2,
        widget=forms.Select(SELECT),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(TEXT | {"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = visible(Region.objects.all(), user)
        self.fields["authority"].queryset = regions  # type: ignore[attr-defined]
        self.fields["regions"].queryset = regions  # type: ignore[attr-defined]
        self.fields["parks"].queryset = visible(Park.objects.all(), user)  # type: ignore[attr-defined]
