"""Reads of the applications: the queue waiting for each official, the list (filters, columns,
export), a subject's open application, and where an application stands."""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from keepline.core.lists import Column, FilterSet, Listing
from keepline.core.scopes import Actor, get_for, holds, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park
from keepline.whitelist.models import (
    OPEN_STATUSES,
    ApplicationStatus,
    Category,
    Decision,
    OwnApplication,
    Step,
    WhitelistApplication,
    WhitelistReview,
)
from keepline.whitelist.rules import DECIDED_STEPS, STEP_MODELS, open_steps
from keepline.whitelist.selectors.listings import (
    Event,
    listing_events,
    search_subject,
    subject_filter,
    subject_region_filter,
)

# The three documents an application carries, by field name.
DOCUMENTS = {
    "commitment": _("Signed commitment"),
    "staff_list": _("Staff list"),
    "epidemic_plan": _("Epidemic prevention plan"),
}
# What an application's page, the API and the workflow steps draw of it.
APPLICATION_RELATED = (
    "enterprise__region",
    "enterprise__park",
    "park__region",
    "inspect_park",
    "inspect_region",
    "district",
    "city",
    "province",
)
# The applications waiting at each step.
QUEUES: dict[str, Q] = {
    Step.INSPECTION: Q(status=ApplicationStatus.INSPECTION),
    Step.ECONOMY: Q(status=ApplicationStatus.DISTRICT_REVIEW, economy_approved=False),
    Step.HEALTH: Q(status=ApplicationStatus.DISTRICT_REVIEW, health_approved=False),
    Step.CITY: Q(status=ApplicationStatus.CITY_DECISION),
    Step.PROVINCE: Q(status=ApplicationStatus.PROVINCE_DECISION),
}


def waiting(actor: Actor, step: str = "") -> QuerySet[WhitelistApplication]:
    """The applications waiting for the actor's decision, at one step or at any."""
    q = Q(pk__in=[])
    for name, condition in QUEUES.items():
        if step and name != step:
            continue
        model = STEP_MODELS[name]
        if holds(actor, model, "decide"):
            q |= Q(pk__in=visible(model.objects.filter(condition), actor, "decide").values("pk"))
    return visible(WhitelistApplication.objects.filter(q), actor)


class ApplicationFilterSet(FilterSet):
    """The applications' filters: the page, its export and `GET /api/whitelist/applications`."""

    view = django_filters.ChoiceFilter(
        label=_("Applications"),
        choices=[
            ("waiting", _("Waiting for me")),
            ("mine", _("My applications")),
            ("all", _("All I may see")),
        ],
        empty_label=None,
        method="by_view",
        widget=forms.HiddenInput,
    )
    step = django_filters.ChoiceFilter(
        label=_("Step"),
        choices=[(s, Step(s).label) for s in QUEUES],
        empty_label=_("Every step"),
        method="at_step",
    )
    q = django_filters.CharFilter(
        label=_("Name or code"),
        method="search",
        widget=forms.TextInput({"type": "search", "placeholder": _("Name, credit code or chain")}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ApplicationStatus.choices, empty_label=_("All statuses")
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Category.choices, empty_label=_("All categories")
    )
    region = subject_region_filter()

    class Meta:
        model = WhitelistApplication
        fields: list[str] = []

    def by_view(
        self, qs: QuerySet[WhitelistApplication], name: str, value: str
    ) -> QuerySet[WhitelistApplication]:
        if value == "waiting":
            return qs.filter(pk__in=waiting(self.actor).values("pk"))
        if value == "mine":
            own = visible(OwnApplication.objects.all(), self.actor, "apply").values("pk")
            return qs.filter(pk__in=own)
        return qs

    def at_step(
        self, qs: QuerySet[WhitelistApplication], name: str, value: str
    ) -> QuerySet[WhitelistApplication]:
        # A step narrows only the queue: in the other views there is no step to be at.
        if self.form.cleaned_data.get("view") != "waiting":
            return qs
        return qs.filter(pk__in=waiting(self.actor, value).values("pk"))

    def search(
        self, qs: QuerySet[WhitelistApplication], name: str, value: str
    ) -> QuerySet[WhitelistApplication]:
        return search_subject(qs, value, "chain")


APPLICATIONS: Listing[WhitelistApplication] = Listing(
    filterset=ApplicationFilterSet,
    title=_("Whitelist applications"),
    filename="whitelist-applications",
    page="whitelist:applications",
    api="/api/whitelist/applications",
    default_sort="-submitted",
    related=("enterprise__region", "park__region"),
    columns=(
        Column("applicant", _("Applicant"), lambda a: str(a.subject)),
        Column(
            "kind",
            _("Kind"),
            lambda a: gettext("Enterprise") if a.enterprise_id else gettext("Park"),
            table=False,
        ),
        Column(
            "uscc",
            _("Unified social credit code"),
            lambda a: a.enterprise.uscc if a.enterprise else "",
            table=False,
        ),
        Column("status", _("Status"), lambda a: a.get_status_display(), sort="status"),
        Column(
            "category",
            _("Category"),
            lambda a: a.get_category_display(),
            sort="category",
            css="d-none d-md-table-cell",
        ),
        Column("chain", _("Industry chain"), sort="chain", css="d-none d-md-table-cell"),
        Column("region_code", _("Region code"), lambda a: a.subject.region.code, table=False),
        Column(
            "region", _("Region"), lambda a: str(a.subject.region), css="d-none d-lg-table-cell"
        ),
        Column("round", _("Round"), table=False),
        Column("submitted", _("Submitted"), "submitted_at", sort="submitted_at"),
    ),
)


def application_for(actor: Actor, pk: int) -> WhitelistApplication:
    """One application the actor may see, with its documents' names and sizes but not their
    content (read only when a document is opened)."""
    return get_for(
        WhitelistApplication.objects.select_related(*APPLICATION_RELATED, *DOCUMENTS).defer(
            *(f"{name}__content" for name in DOCUMENTS)
        ),
        actor,
        pk,
    )


def open_application(subject: Enterprise | Park) -> WhitelistApplication | None:
    return WhitelistApplication.objects.filter(
        status__in=OPEN_STATUSES, **subject_filter(subject)
    ).first()


def subject_applications(
    actor: Actor, subject: Enterprise | Park
) -> QuerySet[WhitelistApplication]:
    return visible(
        WhitelistApplication.objects.filter(**subject_filter(subject)), actor
    ).prefetch_related("reviews", "listings")


# ---- where an application stands ------------------------------------------------------------


@dataclass
class StepState:
    """One step of the current round as the applicant sees it."""

    step: str
    label: str | Promise
    state: str  # done | current | returned | rejected | waiting | optional
    place: str  # who decides
    review: WhitelistReview | None = None


def place_of(application: WhitelistApplication, step: str) -> str:
    if step == Step.INSPECTION:
        return str(application.inspect_park or application.inspect_region)
    if step == Step.ECONOMY:
        return str(_("%(district)s economy bureau") % {"district": application.district})
    if step == Step.HEALTH:
        return str(_("%(district)s health commission") % {"district": application.district})
    if step in (Step.CITY, Step.NOMINATION):
        return str(application.city)
    if step == Step.PROVINCE:
        return str(application.province)
    return str(application.subject)


def progress(application: WhitelistApplication) -> list[StepState]:
    """The steps of the application's current round and how far it has come."""
    latest: dict[str, WhitelistReview] = {}
    for entry in application.reviews.filter(round=application.round).order_by("at", "id"):
        latest[entry.step] = entry
    current = open_steps(application)
    province_reached = Step.NOMINATION in latest or Step.PROVINCE in latest
    states: list[StepState] = []
    for step in [Step.APPLICATION, *DECIDED_STEPS[:4], Step.NOMINATION, Step.PROVINCE]:
        review = latest.get(step)
        if review is not None:
            state = {
                Decision.SUBMIT: "done",
                Decision.APPROVE: "done",
                Decision.RETURN: "returned",
                Decision.REJECT: "rejected",
            }[Decision(review.decision)]
        elif step in current:
            state = "current"
        elif step in (Step.NOMINATION, Step.PROVINCE) and not province_reached:
            state = "optional"
        else:
            state = "waiting"
        states.append(
            StepState(
                step=step,
                label=Step(step).label,
                state=state,
                place=place_of(application, step),
                review=review,
            )
        )
    return states


def timeline(application: WhitelistApplication) -> list[Event]:
    """Every submission, decision, listing and revocation of the application, oldest first."""
    events = [
        Event(
            at=r.at,
            kind=r.step,
            title=f"{Step(r.step).label} · {Decision(r.decision).label}",
            by=r.actor_name,
            text=r.reasons,
            round=r.round,
            decision=r.decision,
        )
        for r in application.reviews.all()
    ]
    for listing in application.listings.all():
        events.extend(listing_events(listing))
    return sorted(events, key=lambda e: e.at)
