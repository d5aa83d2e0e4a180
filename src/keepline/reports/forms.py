"""Forms of daily reports, deadlines, targets and the figures. Fields arrive as text; the
services' validation decides, so a phone form, the API and an Excel row are judged alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.bubble.models import EnterpriseMode
from keepline.core.forms import DATE, SELECT, TEXT
from keepline.enterprises.selectors import industry_choices
from keepline.places.models import MeasureKind
from keepline.places.selectors import park_choices, region_choices
from keepline.reports.models import TargetBasis

NUMBER = TEXT | {"inputmode": "numeric", "autocomplete": "off"}
DECIMAL = TEXT | {"inputmode": "decimal", "autocomplete": "off"}


class ReportForm(forms.Form):
    """The liaison's daily report, laid out for a phone."""

    date = forms.CharField(label=_("Report date"), widget=forms.DateInput(DATE))
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=[("", "—"), *EnterpriseMode.choices],
        required=False,
        widget=forms.Select(SELECT),
    )
    staff_on_site = forms.CharField(
        label=_("Staff on site"), required=False, widget=forms.TextInput(NUMBER)
    )
    staff_inside = forms.CharField(
        label=_("Staff living inside the loop"), required=False, widget=forms.TextInput(NUMBER)
    )
    output_value = forms.CharField(
        label=_("Output value today (10k CNY)"), required=False, widget=forms.TextInput(DECIMAL)
    )
    capacity_use = forms.CharField(
        label=_("Capacity use (%)"),
        required=False,
        help_text=_("0 to 150: above 100 with extra shifts."),
        widget=forms.TextInput(DECIMAL),
    )
    raw_material_days = forms.CharField(
        label=_("Days of raw-material stock"), required=False, widget=forms.TextInput(DECIMAL)
    )
    finished_goods_days = forms.CharField(
        label=_("Days of finished-goods stock"), required=False, widget=forms.TextInput(DECIMAL)
    )
    problems = forms.CharField(
        label=_("Problems"),
        required=False,
        help_text=_("What holds production back: materials, logistics, staff, energy…"),
        widget=forms.Textarea(TEXT | {"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # Required-ness is the service's to judge; the mark only guides the user.
            field.show_required = name not in {"problems", "version"}  # type: ignore[attr-defined]


class DeadlineForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), widget=forms.Select(SELECT))
    date = forms.DateField(label=_("Report date"), widget=forms.DateInput(DATE))
    due_time = forms.TimeField(
        label=_("Due time"), widget=forms.TimeInput(TEXT | {"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", "—"), *region_choices(user)]  # type: ignore[attr-defined]


class TargetForm(forms.Form):
    area = forms.ChoiceField(label=_("Area"), widget=forms.Select(SELECT))
    date = forms.DateField(label=_("By date"), widget=forms.DateInput(DATE))
    rate = forms.CharField(label=_("Target rate (%)"), widget=forms.TextInput(DECIMAL))
    basis = forms.ChoiceField(
        label=_("Basis"), choices=TargetBasis.choices, widget=forms.Select(SELECT)
    )
    note = forms.CharField(
        label=_("Note"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = [(f"region:{code}", label) for code, label in region_choices(user)]
        parks = [(f"park:{code}", label) for code, label in park_choices(user)]
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            (str(_("Regions")), regions),
            (str(_("Parks")), parks),
        ]


class FiguresForm(forms.Form):
    region = forms.MultipleChoiceField(
        label=_("Regions"),
        required=False,
        widget=forms.SelectMultiple(SELECT | {"size": 6}),
    )
    park = forms.MultipleChoiceField(
        label=_("Parks"), required=False, widget=forms.SelectMultiple(SELECT | {"size": 6})
    )
    industry = forms.MultipleChoiceField(
        label=_("Industries"), required=False, widget=forms.SelectMultiple(SELECT | {"size": 6})
    )
    under = forms.ChoiceField(
        label=_("Under a measure in force"),
        required=False,
        choices=[("", _("Any")), *MeasureKind.choices],
        widget=forms.Select(SELECT),
    )
    as_of = forms.DateTimeField(
        label=_("As of"),
        required=False,
        widget=forms.DateTimeInput(TEXT | {"type": "datetime-local"}),
    )
    all_sizes = forms.BooleanField(
        label=_("Include enterprises below designated size"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(user)  # type: ignore[attr-defined]
        self.fields["park"].choices = park_choices(user)  # type: ignore[attr-defined]
        self.fields["industry"].choices = industry_choices()  # type: ignore[attr-defined]
