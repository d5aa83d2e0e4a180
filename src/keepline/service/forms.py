"""Forms of the service network pages; they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.core.forms import DATE, SELECT, TEXT
from keepline.core.pickers import MultiPicker, Picker, UsernamesField, split_names
from keepline.problems.models import ProblemCategory, Urgency
from keepline.service.models import CoverageKind

DATETIME = forms.DateTimeInput(TEXT | {"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXTAREA = TEXT | {"rows": 3}


def _choices(field: forms.Field, choices: list[tuple[Any, str]]) -> None:
    field.choices = choices  # type: ignore[attr-defined]


class CoverageAssignForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "—"), *CoverageKind.choices], widget=forms.Select(SELECT)
    )
    user = forms.CharField(
        label=_("Person"),
        max_length=150,
        help_text=_(
            "The leader, commissioner or chief service officer: people with a role in your area."
        ),
        widget=Picker(SELECT),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        help_text=_("For a leader covering an area: a region or a park."),
        widget=forms.Select(SELECT),
    )
    park = forms.ChoiceField(label=_("Park"), required=False, widget=forms.Select(SELECT))
    # Numbers, not checked choices: the page answers for one the user may not see with 404.
    enterprise = forms.IntegerField(
        label=_("Enterprise"),
        required=False,
        help_text=_("For a commissioner."),
        widget=Picker(SELECT),
    )
    project = forms.IntegerField(
        label=_("Key project"),
        required=False,
        help_text=_("For a chief service officer."),
        widget=forms.Select(SELECT),
    )
    since = forms.DateField(
        label=_("Since"),
        required=False,
        help_text=_("Today if left empty."),
        widget=forms.DateInput(DATE),
    )
    note = forms.CharField(
        label=_("Note"), max_length=200, required=False, widget=forms.TextInput(TEXT)
    )

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]],
        parks: list[tuple[str, str]],
        projects: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["region"], regions)
        _choices(self.fields["park"], parks)
        self.fields["project"].widget.choices = [("", "—"), *projects]


class CoverageEndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    until = forms.DateField(
        label=_("Last day covered"),
        required=False,
        help_text=_("Today if left empty."),
        widget=forms.DateInput(DATE),
    )


class KeyProjectForm(forms.Form):
    enterprise = forms.IntegerField(label=_("Enterprise"), widget=Picker(SELECT))
    name = forms.CharField(label=_("Project name"), max_length=200, widget=forms.TextInput(TEXT))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(TEXTAREA)
    )


VISITOR_HELP = _("Yourself if left empty; the list shows who may visit the chosen enterprise.")


class VisitPlanForm(forms.Form):
    enterprise = forms.IntegerField(label=_("Enterprise"), widget=Picker(SELECT))
    planned_for = forms.DateField(label=_("Planned date"), widget=forms.DateInput(DATE))
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(TEXTAREA))
    visitor = forms.CharField(
        label=_("Visitor"),
        required=False,
        max_length=150,
        help_text=VISITOR_HELP,
        widget=Picker(SELECT),
    )


class VisitRecordForm(forms.Form):
    enterprise = forms.IntegerField(label=_("Enterprise"), widget=Picker(SELECT))
    visited_at = forms.DateTimeField(label=_("Visited at"), widget=DATETIME)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(TEXTAREA))
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(TEXTAREA))
    companions = forms.CharField(
        label=_("Went with"), max_length=300, required=False, widget=forms.TextInput(TEXT)
    )
    visitor = forms.CharField(
        label=_("Visitor"),
        required=False,
        max_length=150,
        help_text=VISITOR_HELP,
        widget=Picker(SELECT),
    )
    problems = forms.CharField(
        label=_("Problems followed up"),
        required=False,
        help_text=_("Numbers of the enterprise's problems, separated by commas."),
        widget=forms.TextInput(TEXT | {"inputmode": "numeric"}),
    )

    def clean_problems(self) -> list[str]:
        return split_names(self.cleaned_data.get("problems", ""))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class NewProblemFields(forms.Form):
    """A problem heard at the visit, filed on the enterprise's behalf."""

    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", "—"), *ProblemCategory.choices],
        widget=forms.Select(SELECT),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.Select(SELECT),
    )
    title = forms.CharField(
        label=_("Problem in one line"), max_length=200, widget=forms.TextInput(TEXT)
    )
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(TEXT | {"rows": 2})
    )


class VisitCompleteForm(VersionForm):
    visited_at = forms.DateTimeField(label=_("Visited at"), widget=DATETIME)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(TEXTAREA))
    companions = forms.CharField(
        label=_("Went with"), max_length=300, required=False, widget=forms.TextInput(TEXT)
    )
    problems = forms.TypedMultipleChoiceField(
        label=_("Problems followed up"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple({"class": "form-check-input"}),
    )
    new_category = forms.ChoiceField(
        label=_("New problem raised: category"),
        required=False,
        choices=[("", "—"), *ProblemCategory.choices],
        widget=forms.Select(SELECT),
    )
    new_urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=forms.Select(SELECT),
    )
    new_title = forms.CharField(
        label=_("New problem in one line"),
        max_length=200,
        required=False,
        help_text=_("Leave empty if no new problem was raised."),
        widget=forms.TextInput(TEXT),
    )
    new_description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(TEXT | {"rows": 2})
    )

    def __init__(self, *args: Any, problems: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["problems"], problems)


class VisitCancelForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(TEXTAREA))


class WorkingGroupForm(forms.Form):
    # Not a checked choice: the page answers for a region the user may not see with 404.
    authority = forms.CharField(
        label=_("Sent by"),
        help_text=_("The region whose task force sends the group."),
        widget=forms.Select(SELECT),
    )
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(TEXT))
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(TEXTAREA))
    leader = forms.CharField(
        label=_("Leader"),
        max_length=150,
        help_text=_("People with a role within the sending region."),
        widget=Picker(SELECT),
    )
    members = UsernamesField(
        label=_("Members"),
        required=False,
        help_text=_("Pick several with Ctrl (or a long press on a phone)."),
        widget=MultiPicker(SELECT | {"size": 6}),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions supervised"),
        required=False,
        widget=forms.SelectMultiple(SELECT | {"size": 6}),
    )
    parks = forms.MultipleChoiceField(
        label=_("Parks supervised"),
        required=False,
        widget=forms.SelectMultiple(SELECT | {"size": 4}),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(DATE))
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=forms.DateInput(DATE))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]],
        parks: list[tuple[str, str]],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].widget.choices = [("", "—"), *regions]
        _choices(self.fields["regions"], regions)
        _choices(self.fields["parks"], parks)
        if editing:
            # The sending authority is fixed once the group exists.
            del self.fields["authority"]


class WorkingGroupEndForm(VersionForm):
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        help_text=_("Today if left empty."),
        widget=forms.DateInput(DATE),
    )
