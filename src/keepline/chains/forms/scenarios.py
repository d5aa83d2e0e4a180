"""Forms of the scenario pages. They parse what was typed; the services in
`keepline.chains.services.scenarios` decide what is allowed and name the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.chains.models import MAX_DAYS
from keepline.core.forms import DATE, SELECT, TEXT
from keepline.core.scopes import visible
from keepline.places.models import Park, Region

NUMBER = TEXT | {"inputmode": "numeric", "autocomplete": "off"}
DECIMAL = TEXT | {"inputmode": "decimal", "autocomplete": "off"}
STRICTNESS = [
    (3, _("3 · full lockdown")),
    (2, _("2 · static management")),
    (1, _("1 · restrictions")),
]


def place_choices(user: Any) -> list[tuple[Any, Any]]:
    """Regions and parks the user sees, as "r<pk>" / "p<pk>" in two groups."""
    regions = [
        (f"r{r.pk}", f"{'　' * max(r.depth - 1, 0)}{r.code} {r.name}")
        for r in visible(Region.objects.all(), user)
    ]
    parks = [
        (f"p{p.pk}", f"{p.name} ({p.code})")
        for p in visible(Park.objects.select_related("region"), user)
    ]
    return [("", "—"), (_("Regions"), regions), (_("Parks"), parks)]


def keeper_choices(user: Any) -> list[tuple[str, str]]:
    """Regions that may keep a scenario, by pk (the service checks the user's right there)."""
    return [("", "—")] + [
        (str(r.pk), f"{'　' * max(r.depth - 1, 0)}{r.code} {r.name}")
        for r in visible(Region.objects.exclude(level="town"), user)
    ]


class _Window(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, widget=forms.TextInput(TEXT))
    # Text behind a list: a region outside the user's reach is the service's to refuse (404).
    region = forms.CharField(
        label=_("Kept by"),
        widget=forms.Select(SELECT),
        help_text=_("The city or district whose task force follows the scenario."),
    )
    starts_on = forms.DateField(label=_("First day modelled"), widget=forms.DateInput(DATE))
    days = forms.IntegerField(
        label=_("Days modelled"),
        initial=60,
        min_value=1,
        max_value=MAX_DAYS,
        widget=forms.NumberInput(NUMBER),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].widget.choices = keeper_choices(user)


class MeasuresScenarioForm(_Window):
    """A scenario of the control measures in force over the days modelled."""


def _share(label: Any, initial: str, help_text: Any) -> forms.DecimalField:
    """One of the model's shares, 0–1 in hundredths."""
    return forms.DecimalField(
        label=label,
        initial=initial,
        min_value=0,
        max_value=1,
        decimal_places=2,
        widget=forms.TextInput(DECIMAL),
        help_text=help_text,
    )


class ScenarioForm(_Window):
    """A what-if: the window and the model's shares; the areas come in a formset."""

    closed_loop_share = _share(
        _("Closed-loop capacity"),
        "0.70",
        _("Share of normal output a closed-loop enterprise keeps, unless its report says."),
    )
    semi_closed_share = _share(
        _("Semi-closed capacity"),
        "0.50",
        _("Share of normal output a semi-closed enterprise keeps, unless its report says."),
    )
    headroom = _share(
        _("Spare capacity"),
        "0.10",
        _("How much more than normal an unaffected supplier can make for new customers."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(TEXT | {"rows": 2})
    )


class ScenarioEditForm(forms.Form):
    """Name, note and shares of an existing scenario (the window stays)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    name = ScenarioForm.base_fields["name"]
    closed_loop_share = ScenarioForm.base_fields["closed_loop_share"]
    semi_closed_share = ScenarioForm.base_fields["semi_closed_share"]
    headroom = ScenarioForm.base_fields["headroom"]
    note = ScenarioForm.base_fields["note"]


class AreaForm(forms.Form):
    """One area shut: a region or a park, from one day to another, at a strictness."""

    place = forms.RegexField(
        label=_("Region or park"),
        regex=r"^[rp][0-9]+$",
        error_messages={"invalid": _("Choose a region or a park from the list.")},
        widget=forms.Select(SELECT),
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(DATE))
    ends_on = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(DATE))
    strictness = forms.TypedChoiceField(
        label=_("Strictness"),
        choices=STRICTNESS,
        coerce=int,
        initial=3,
        widget=forms.Select(SELECT),
    )

    def __init__(self, *args: Any, places: list[tuple[Any, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].widget.choices = places

    def as_area(self) -> dict[str, Any]:
        """The area as the services take it."""
        data = self.cleaned_data
        place = str(data["place"])
        key = "region_id" if place.startswith("r") else "park_id"
        return {
            key: int(place[1:]),
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "strictness": data["strictness"],
        }


AreaFormSet = forms.formset_factory(AreaForm, extra=1, can_delete=True, max_num=50)


def area_formset(data: Any, user: Any, initial: list[dict[str, Any]] | None = None) -> Any:
    """The formset of areas with the places the user may choose."""
    formset = AreaFormSet(
        data, initial=initial, prefix="areas", form_kwargs={"places": place_choices(user)}
    )
    return formset


def formset_areas(formset: Any) -> list[dict[str, Any]]:
    """The areas filled in and not marked for deletion, in order."""
    return [
        f.as_area()
        for f in formset.forms
        if f.has_changed() and not f.cleaned_data.get("DELETE") and f.cleaned_data
    ]


class RecoveryForm(forms.Form):
    """One enterprise's time to recover; empty clears it."""

    enterprise = forms.IntegerField(widget=forms.HiddenInput)
    days = forms.IntegerField(
        label=_("Time to recover (days)"),
        required=False,
        min_value=1,
        max_value=365,
        widget=forms.NumberInput(NUMBER | {"min": 1, "max": 365}),
    )


class RecoveryImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        help_text=_(
            "Columns: credit code (uscc), time to recover in days (days). "
            "An empty days cell clears it."
        ),
        widget=forms.ClearableFileInput({"class": "form-control", "accept": ".xlsx,.csv"}),
    )
    check_only = forms.BooleanField(
        label=_("Only check the file"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )
