"""Forms of the problem pages; they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from keepline.core.forms import SELECT, TEXT
from keepline.core.models import Department
from keepline.core.scopes import get_for, visible
from keepline.enterprises.models import Enterprise
from keepline.problems.models import (
    DEFAULT_REPLY_DAYS,
    AddresseeLevel,
    LetterStatus,
    Problem,
    ProblemCategory,
    ProblemStatus,
    Tier,
    Urgency,
)
from keepline.reports.forms import park_choices, region_choices

DEADLINE_CHOICES = [
    ("", _("Any deadline")),
    ("overdue", _("Overdue")),
    ("near", _("Near a deadline")),
]
# What phones offer to pick or photograph: the types core accepts for attachments.
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,image/*"
WHITELIST_CHOICES = [
    ("", _("Whitelisted or not")),
    ("yes", _("Whitelisted")),
    ("no", _("Not whitelisted")),
]


# The list's filter values that are not a model's choice; keepline.problems.figures builds its
# drill-down links with them.
OPEN = "open"  # submitted, accepted or in progress: the handler side holds it
HANDLER_ONLY = "handler"  # routed to a named handler, no department
UNASSIGNED = "unassigned"  # neither a department nor a handler
YES = "yes"
RATED = "any"
RATED_HIGH = "4-5"
HIGH_RATING = 4  # "4-5": rated 4 or 5
DATE = TEXT | {"type": "date"}
# The dates the list filters by, each a from/until pair of fields (whole days, inclusive).
DATE_RANGES = ("filed", "accepted", "closed")


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(DATE, format="%Y-%m-%d")
    )


class ProblemFilterForm(forms.Form):
    """The problem list's filters (the page, its Excel ledger and the API's list share them)."""

    # On a phone the bar shows these; the rest wait under "More filters".
    MAIN = ("status", "category", "deadline", "region")
    # Set by a link from the enterprise's page and shown as a removable label, not in the bar.
    APART = ("enterprise",)

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            (OPEN, _("Open (submitted, accepted, in progress)")),
            *ProblemStatus.choices,
        ],
        widget=forms.Select(SELECT),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *ProblemCategory.choices],
        widget=forms.Select(SELECT),
    )
    deadline = forms.ChoiceField(
        label=_("Deadline"), required=False, choices=DEADLINE_CHOICES, widget=forms.Select(SELECT)
    )
    region = forms.ChoiceField(label=_("Region"), required=False, widget=forms.Select(SELECT))
    park = forms.ChoiceField(label=_("Park"), required=False, widget=forms.Select(SELECT))
    tier = forms.ChoiceField(
        label=_("Tier"),
        required=False,
        choices=[("", _("Any tier")), *Tier.choices],
        widget=forms.Select(SELECT),
    )
    whitelisted = forms.ChoiceField(
        label=_("Whitelist"), required=False, choices=WHITELIST_CHOICES, widget=forms.Select(SELECT)
    )
    # A department id, HANDLER_ONLY or UNASSIGNED; the choices are the user's (see __init__).
    department = forms.ChoiceField(
        label=_("Assigned to"), required=False, widget=forms.Select(SELECT)
    )
    enterprise = forms.IntegerField(required=False, widget=forms.HiddenInput)
    filed_from = _date(_("Filed from"))
    filed_to = _date(_("Filed until"))
    accepted_from = _date(_("Accepted from"))
    accepted_to = _date(_("Accepted until"))
    closed_from = _date(_("Closed from"))
    closed_to = _date(_("Closed until"))
    acknowledged = forms.ChoiceField(
        label=_("Acknowledged"),
        required=False,
        choices=[("", _("Acknowledged or not")), (YES, _("Acknowledged"))],
        widget=forms.Select(SELECT),
    )
    acknowledged_on_time = forms.ChoiceField(
        label=_("Acknowledged on time"),
        required=False,
        choices=[
            ("", _("Acknowledged on time or not")),
            (YES, _("Acknowledged by the acknowledge deadline")),
        ],
        widget=forms.Select(SELECT),
    )
    on_time = forms.ChoiceField(
        label=_("Final reply on time"),
        required=False,
        choices=[
            ("", _("Final reply on time or not")),
            (YES, _("Final reply by the close deadline")),
        ],
        widget=forms.Select(SELECT),
    )
    rating = forms.ChoiceField(
        label=_("Rating"),
        required=False,
        choices=[("", _("Rated or not")), (RATED, _("Rated")), (RATED_HIGH, _("Rated 4 or 5"))],
        widget=forms.Select(SELECT),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.chosen_enterprise: Enterprise | None = None
        self.fields["region"].choices = region_choices(user, str(_("All regions")))  # type: ignore[attr-defined]
        self.fields["park"].choices = park_choices(user, str(_("All parks")))  # type: ignore[attr-defined]
        self.fields["department"].choices = self._department_choices(user)  # type: ignore[attr-defined]
        for field in self.fields.values():
            # The bar shows the selects without their labels.
            field.widget.attrs.setdefault("aria-label", str(field.label))

    def _department_choices(self, user: Any) -> list[tuple[str, str]]:
        """The departments the user's problems are routed to, and the one asked for if it
        exists and the user may see it (a link from the figures stays valid after its problems
        move on; an id in the query string does not reveal a foreign department's name)."""
        # One EXISTS per department rather than a DISTINCT over every visible problem: the list
        # page builds this form on each request (benchmarks/problems.py).
        routed = visible(Problem.objects.filter(department=OuterRef("pk")), user)
        ids = set(
            Department.objects.filter(Exists(routed.values("pk"))).values_list("pk", flat=True)
        )
        asked = str(self.data.get(self.add_prefix("department"), "")) if self.is_bound else ""
        # The one asked for is named only if the user may see it; else its id is its label.
        hidden: set[int] = set()
        if asked.isdigit() and int(asked) not in ids:
            ids.add(int(asked))
            if not visible(Department.objects.filter(pk=int(asked)), user).exists():
                hidden.add(int(asked))
        departments = sorted(
            (
                (str(d.pk), str(d.pk) if d.pk in hidden else str(d))
                for d in Department.objects.filter(pk__in=ids).select_related("region")
            ),
            key=lambda choice: choice[1],
        )
        return [
            ("", str(_("Any department or handler"))),
            (HANDLER_ONLY, str(_("A named handler, no department"))),
            (UNASSIGNED, str(_("Unassigned"))),
            *departments,
        ]

    def clean_enterprise(self) -> int | None:
        """An enterprise the user may see (else 404, as its page would answer)."""
        pk: int | None = self.cleaned_data.get("enterprise")
        if pk is not None:
            self.chosen_enterprise = get_for(Enterprise.objects.only("pk", "name"), self.user, pk)
        return pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix in DATE_RANGES:
            first, last = data.get(f"{prefix}_from"), data.get(f"{prefix}_to")
            if first is not None and last is not None and first > last:
                self.add_error(f"{prefix}_from", _("The first day is after the last."))
        return data

    def main_fields(self) -> list[BoundField]:
        return [self[name] for name in self.MAIN]

    def more_fields(self) -> list[BoundField]:
        return [self[name] for name in self.fields if name not in (*self.MAIN, *self.APART)]

    def more_in_use(self) -> int:
        """How many of the "more" filters are set (or wrong): the section opens when any is."""
        if not self.is_bound:
            return 0
        return sum(
            1
            for name in self.fields
            if name not in (*self.MAIN, *self.APART)
            and (self.data.get(self.add_prefix(name)) or self.errors.get(name))
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input: a list of uploads (empty when none). Sizes and types are
    the service's to judge."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(TEXT | {"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Documents"),
        help_text=_("Photos, notices, lists: PDF, image, Word or Excel, up to 20 MB each."),
    )


class FileForm(forms.Form):
    # A number, not a checked choice: the service answers for an enterprise the user may not
    # see (404) as everywhere else.
    enterprise = forms.IntegerField(label=_("Enterprise"), widget=forms.Select(SELECT))
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
        label=_("Details"),
        required=False,
        help_text=_("What is stuck, since when, what it stops, whom to call."),
        widget=forms.Textarea(TEXT | {"rows": 4}),
    )
    attachments = attachments_field()

    def __init__(self, *args: Any, enterprises: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        if len(enterprises) == 1:
            field.initial = enterprises[0][0]
            field.widget = forms.HiddenInput()
        else:
            field.widget.choices = [("", "—"), *enterprises]


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StartForm(VersionForm):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(TEXT | {"rows": 2})
    )


class ReplyForm(VersionForm):
    text = forms.CharField(
        label=_("Reply"), required=False, widget=forms.Textarea(TEXT | {"rows": 3})
    )
    final = forms.BooleanField(
        label=_("Final reply: the problem is solved, ask the enterprise to confirm"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )


class ConfirmForm(VersionForm):
    rating = forms.IntegerField(
        label=_("Rating (1–5)"),
        widget=forms.NumberInput(TEXT | {"min": 1, "max": 5, "inputmode": "numeric"}),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(TEXT | {"rows": 2})
    )


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=_("Why it is not solved"),
        required=False,
        widget=forms.Textarea(TEXT | {"rows": 2}),
    )


class ReassignForm(VersionForm):
    department = forms.TypedChoiceField(
        label=_("Department"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(SELECT),
    )
    handler = forms.TypedChoiceField(
        label=_("Handler"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(SELECT),
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(TEXT | {"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[int, str]],
        handlers: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "—"), *departments]  # type: ignore[attr-defined]
        self.fields["handler"].choices = [("", "—"), *handlers]  # type: ignore[attr-defined]


class AttachForm(forms.Form):
    attachments = attachments_field()


# ---- coordination letters ------------------------------------------------------------------


class LetterDraftForm(forms.Form):
    addressee = forms.CharField(
        label=_("To (task force)"),
        required=False,
        help_text=_("For example 宜宾市新冠肺炎疫情防控指挥部."),
        widget=forms.TextInput(TEXT),
    )
    addressee_level = forms.ChoiceField(
        label=_("The addressee is"),
        choices=AddresseeLevel.choices,
        widget=forms.Select(SELECT),
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        help_text=_("For example 关于协调解决原料运输车辆通行问题的函."),
        widget=forms.TextInput(TEXT),
    )
    body = forms.CharField(
        label=_("What we ask of them"),
        required=False,
        widget=forms.Textarea(TEXT | {"rows": 4}),
    )
    contact = forms.CharField(
        label=_("Contact (name and phone)"),
        required=False,
        help_text=_("Empty: your name."),
        widget=forms.TextInput(TEXT),
    )
    reply_days = forms.IntegerField(
        label=_("Reply within (working days)"),
        initial=DEFAULT_REPLY_DAYS,
        widget=forms.NumberInput(TEXT | {"min": 1, "max": 60, "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("addressee", "subject", "body"):
            self.fields[name].show_required = True  # type: ignore[attr-defined]


class LetterReplyForm(VersionForm):
    reply = forms.CharField(
        label=_("Their reply"), required=False, widget=forms.Textarea(TEXT | {"rows": 3})
    )
    reply_file = forms.FileField(
        label=_("Reply document"),
        required=False,
        widget=forms.ClearableFileInput(TEXT | {"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply"].show_required = True  # type: ignore[attr-defined]


class LetterWithdrawForm(VersionForm):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        required=False,
        widget=forms.Textarea(TEXT | {"rows": 2}),
    )


class LetterFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *LetterStatus.choices],
        widget=forms.Select(SELECT),
    )
    overdue = forms.ChoiceField(
        label=_("Reply"),
        required=False,
        choices=[("", _("Overdue or not")), ("yes", _("Reply overdue")), ("no", _("Not overdue"))],
        widget=forms.Select(SELECT),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file"),
        help_text=_("An .xlsx (or .csv) file with the template's columns."),
        widget=forms.ClearableFileInput(TEXT | {"accept": ".xlsx,.csv"}),
    )
    check_only = forms.BooleanField(
        label=_("Only check the file; file nothing"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )
