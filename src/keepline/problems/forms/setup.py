"""Forms of the bureau's problem settings (routing rules, time limits, the working-day
calendar); they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.forms import DATE, SELECT, TEXT
from keepline.core.models import Department
from keepline.core.scopes import Actor, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region
from keepline.problems import selectors
from keepline.problems.models import ProblemCategory, Urgency
from keepline.problems.rules import may_route_in

NUMBER = TEXT | {"min": 1, "inputmode": "numeric"}
WORKING_CHOICES = [("0", gettext_lazy("Holiday (no work)")), ("1", gettext_lazy("Make-up workday"))]


# ---- choices ---------------------------------------------------------------------------------


def region_label(region: Region) -> str:
    return f"{'　' * max(region.depth - 1, 0)}{region.code} {region.name}"


def rule_department_choices(actor: Actor) -> list[tuple[int, str]]:
    qs = visible(Department.objects.select_related("region"), actor)
    return [(d.pk, f"{d.name} · {d.region}") for d in qs.order_by("region__path", "name")]


def rule_handler_choices(actor: Actor) -> list[tuple[int, str]]:
    users = selectors.rule_handlers(actor).order_by("username")
    return [(u.pk, f"{u.display_name or u.username} ({u.username})") for u in users]


def enterprise_choices(actor: Actor) -> list[tuple[int, str]]:
    qs = visible(Enterprise.objects.order_by("name"), actor).only("pk", "name", "uscc")
    return [(e.pk, f"{e.name} ({e.uscc})") for e in qs]


# ---- routing rules ---------------------------------------------------------------------------


class RoutingRuleForm(forms.Form):
    """A rule for a category and region; sending an existing pair again changes its target."""

    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        choices=[("", gettext_lazy("Any category")), *ProblemCategory.choices],
        widget=forms.Select(SELECT),
    )
    region = forms.ChoiceField(
        label=gettext_lazy("Region"), required=False, widget=forms.Select(SELECT)
    )
    department = forms.TypedChoiceField(
        label=gettext_lazy("Department"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(SELECT),
    )
    handler = forms.TypedChoiceField(
        label=gettext_lazy("or handler"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=gettext_lazy("Choose a department or a handler, not both."),
        widget=forms.Select(SELECT),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = selectors.rule_regions(actor)
        self.regions = {r.code: r for r in regions}
        head = [("", _("Anywhere"))] if may_route_in(actor, None) else []
        self.fields["region"].choices = head + [(r.code, region_label(r)) for r in regions]  # type: ignore[attr-defined]
        if not head:
            self.fields["region"].required = True
        self.fields["department"].choices = [("", "—"), *rule_department_choices(actor)]  # type: ignore[attr-defined]
        self.fields["handler"].choices = [("", "—"), *rule_handler_choices(actor)]  # type: ignore[attr-defined]

    def clean_region(self) -> Region | None:
        code = self.cleaned_data.get("region") or ""
        return self.regions.get(code) if code else None


class TryRouteForm(forms.Form):
    """Where a problem of this enterprise and category would go."""

    # A number, not a checked choice: the selector answers 404 for an enterprise the user may
    # not see, as everywhere else.
    enterprise = forms.IntegerField(label=gettext_lazy("Enterprise"), widget=forms.Select(SELECT))
    category = forms.ChoiceField(
        label=gettext_lazy("Category"), choices=ProblemCategory.choices, widget=forms.Select(SELECT)
    )

    def __init__(self, *args: Any, enterprises: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].widget.choices = [("", "—"), *enterprises]


# ---- time limits -----------------------------------------------------------------------------


class TimeLimitForm(forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        choices=[("", gettext_lazy("Any category")), *ProblemCategory.choices],
        widget=forms.Select(SELECT),
    )
    urgency = forms.ChoiceField(
        label=gettext_lazy("Urgency"),
        required=False,
        choices=[("", gettext_lazy("Any urgency")), *Urgency.choices],
        widget=forms.Select(SELECT),
    )
    acknowledge_hours = forms.IntegerField(
        label=gettext_lazy("Acknowledge within (hours)"), widget=forms.NumberInput(NUMBER)
    )
    interim_days = forms.IntegerField(
        label=gettext_lazy("Interim reply within (working days)"), widget=forms.NumberInput(NUMBER)
    )
    close_days = forms.IntegerField(
        label=gettext_lazy("Close within (working days)"), widget=forms.NumberInput(NUMBER)
    )


# ---- calendar --------------------------------------------------------------------------------


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(DATE))
    working = forms.TypedChoiceField(
        label=gettext_lazy("The day is"),
        choices=WORKING_CHOICES,
        coerce=lambda v: v == "1",
        widget=forms.Select(SELECT),
    )
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(TEXT | {"placeholder": "国庆节"}),
    )


class CalendarRemoveForm(forms.Form):
    date = forms.DateField(widget=forms.HiddenInput)


class CalculatorForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(DATE))
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(DATE))
    days = forms.IntegerField(
        label=gettext_lazy("Working days to add"),
        required=False,
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(TEXT | {"min": 0, "inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("end") is None and data.get("days") is None and not self.errors:
            raise forms.ValidationError(_("Give a second date, a number of working days, or both."))
        return data
