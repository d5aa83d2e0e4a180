"""Forms of closed-loop production; they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.bubble.models import EnterpriseMode
from keepline.core.forms import SELECT, TEXT

CHECK = {"class": "form-check-input"}
NUMBER = TEXT | {"inputmode": "numeric", "min": "0"}


def _number(label: Any, help_text: Any = "") -> forms.CharField:
    # Text, not IntegerField: the service judges every figure, so that a form, an API body and
    # the demo get the same messages, all at once.
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.NumberInput(NUMBER)
    )


def _text(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(TEXT | {"rows": 2}),
    )


class PlanForm(forms.Form):
    """One field per readiness item, in the order of the three conditions; one column on a
    phone. Required-ness and ranges are the service's to judge."""

    perimeter_sealable = forms.BooleanField(
        label=_("The perimeter can be sealed"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    gates = _number(_("Gates"), _("Every way into the site that stays open."))
    guard_posts = _number(_("Guard posts"), _("At least one at each gate."))
    staff_inside = _number(_("Staff living inside"), _("People who eat and sleep in the loop."))
    beds = _number(_("Beds"))
    meals_per_day = _number(_("Meals per day"), _("What the kitchen can make in a day."))
    raw_material_days = _number(_("Days of raw materials"))
    finished_goods_days = _number(_("Days of finished-goods storage"))
    key_inputs = _text(_("Key inputs"), _("What production cannot run without, and from whom."))
    isolation_rooms = _number(_("Isolation rooms"))
    on_site_sampling = forms.BooleanField(
        label=_("Staff can be sampled on site"), required=False, widget=forms.CheckboxInput(CHECK)
    )
    sampling_points = _number(_("Sampling points"))
    reduced_staff_plan = _text(
        _("Reduced-staff plan"), _("How production goes on when staff fall ill.")
    )
    alternative_logistics = _text(
        _("Alternative logistics"), _("How goods move when the usual routes close.")
    )
    review_date = forms.CharField(
        label=_("Review date"),
        required=False,
        help_text=_("Qualification lasts until the end of this day."),
        widget=forms.DateInput(TEXT | {"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        help_text=_("Required when returning or refusing: say what must change."),
        widget=forms.Textarea(TEXT | {"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ModeSetForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Mode"), choices=EnterpriseMode.choices, widget=forms.Select(SELECT)
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.TextInput(TEXT))
    effective_on = forms.DateField(
        label=_("From"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateInput(TEXT | {"type": "date"}),
    )


class RequestForm(forms.Form):
    requested_mode = forms.ChoiceField(
        label=_("Mode asked for"), choices=EnterpriseMode.choices, widget=forms.Select(SELECT)
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(TEXT | {"rows": 4}), max_length=4000
    )


class EndForm(forms.Form):
    return_on = forms.DateField(
        label=_("Back to normal from"), widget=forms.DateInput(TEXT | {"type": "date"})
    )
