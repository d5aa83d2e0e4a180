"""Reads of the whitelists: who decides which step, the queue waiting for each official, lists
of applications and listings, an application's progress and history — always through the
visibility function."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from keepline.core.scopes import Actor, holds, may_place, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region, WhitelistLevel
from keepline.whitelist.models import (
    OPEN_STATUSES,
    ApplicationStatus,
    CityReview,
    Decision,
    EconomyReview,
    HealthReview,
    InspectionReview,
    InvitationStatus,
    OwnApplication,
    ProvinceReview,
    Step,
    WhitelistApplication,
    WhitelistInvitation,
    WhitelistListing,
    WhitelistReview,
)

# Whose proxy decides each step: the one visibility function answers "may this actor decide".
STEP_MODELS: dict[str, type[WhitelistApplication]] = {
    Step.INSPECTION: InspectionReview,
    Step.ECONOMY: EconomyReview,
    Step.HEALTH: HealthReview,
    Step.CITY: CityReview,
    Step.NOMINATION: CityReview,
    Step.PROVINCE: ProvinceReview,
}
# The steps decided by approve / return / reject (nomination is the city's own act).
DECIDED_STEPS = [Step.INSPECTION, Step.ECONOMY, Step.HEALTH, Step.CITY, Step.PROVINCE]
# The applications waiting at each step.
QUEUES: dict[str, Q] = {
    Step.INSPECTION: Q(status=ApplicationStatus.INSPECTION),
    Step.ECONOMY: Q(status=ApplicationStatus.DISTRICT_REVIEW, economy_approved=False),
    Step.HEALTH: Q(status=ApplicationStatus.DISTRICT_REVIEW, health_approved=False),
    Step.CITY: Q(status=ApplicationStatus.CITY_DECISION),
    Step.PROVINCE: Q(status=ApplicationStatus.PROVINCE_DECISION),
}
SINGLE_STEPS: dict[str, str] = {
    ApplicationStatus.INSPECTION: Step.INSPECTION,
    ApplicationStatus.CITY_DECISION: Step.CITY,
    ApplicationStatus.PROVINCE_DECISION: Step.PROVINCE,
}
LEVEL_RANK = {WhitelistLevel.CITY: 1, WhitelistLevel.PROVINCE: 2, WhitelistLevel.NATIONAL: 3}


def open_steps(application: WhitelistApplication) -> list[str]:
    """The steps waiting for a decision now (two at once during the district review)."""
    status = application.status
    if status == ApplicationStatus.DISTRICT_REVIEW:
        steps: list[str] = []
        if not application.economy_approved:
            steps.append(Step.ECONOMY)
        if not application.health_approved:
            steps.append(Step.HEALTH)
        return steps
    step = SINGLE_STEPS.get(status)
    return [step] if step else []


def reaches(actor: Actor, application: WhitelistApplication, step: str) -> bool:
    """Whether the actor is the official who decides `step` of this application (whatever the
    application's status now)."""
    model = STEP_MODELS[step]
    return visible(model.objects.filter(pk=application.pk), actor, "decide").exists()


def deciding_steps(actor: Actor, application: WhitelistApplication) -> list[str]:
    """Every step of the chain the actor decides for this application."""
    return [s for s in DECIDED_STEPS if reaches(actor, application, s)]


def steps_to_decide(actor: Actor, application: WhitelistApplication) -> list[str]:
    """The open steps the actor may decide now."""
    return [s for s in open_steps(application) if reaches(actor, application, s)]


def may_nominate(actor: Actor, application: WhitelistApplication) -> bool:
    return application.status == ApplicationStatus.LISTED_CITY and reaches(
        actor, application, Step.NOMINATION
    )


def may_apply(actor: Actor, subject: Enterprise | Park) -> bool:
    """Whether the actor applies for this enterprise (its liaison) or park (its committee)."""
    if isinstance(subject, Enterprise):
        return may_place(actor, "apply", OwnApplication, enterprise=subject)
    return may_place(actor, "apply", OwnApplication, park=subject)


def may_edit(actor: Actor, application: WhitelistApplication) -> bool:
    """The applicant may change and resubmit a returned application."""
    return application.status == ApplicationStatus.RETURNED and may_apply(
        actor, application.subject
    )


def may_decide_listing(actor: Actor, listing: WhitelistListing) -> bool:
    """Listings are revoked by the level that decided them: the city's or the province's
    industry bureau (a national listing by the platform administrator)."""
    return may_place(actor, "decide", WhitelistListing, region=listing.authority)


def is_decider(actor: Actor) -> bool:
    """Whether the actor's roles decide any step anywhere: they land on their queue."""
    return any(holds(actor, model, "decide") for model in set(STEP_MODELS.values()))


# ---- lists -----------------------------------------------------------------------------------


def _subject_region(region_code: str) -> Q | None:
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        return None
    return Q(enterprise__region__path__startswith=region.path) | Q(
        park__region__path__startswith=region.path
    )


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


@dataclass(frozen=True)
class ApplicationFilter:
    """The filters the applications page and the API share."""

    view: str = "all"  # "waiting" (for my decision) | "mine" (I applied) | "all" I may see
    step: str = ""  # with "waiting": one step only
    status: str = ""
    category: str = ""
    region: str = ""  # a region code: the whole subtree
    q: str = ""  # part of the name or the credit code


def applications(actor: Actor, f: ApplicationFilter) -> QuerySet[WhitelistApplication]:
    if f.view == "waiting":
        qs = waiting(actor, f.step)
    elif f.view == "mine":
        own = visible(OwnApplication.objects.all(), actor, "apply").values("pk")
        qs = visible(WhitelistApplication.objects.filter(pk__in=own), actor)
    else:
        qs = visible(WhitelistApplication.objects.all(), actor)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.region:
        place = _subject_region(f.region)
        qs = qs.filter(place) if place is not None else qs.none()
    if f.q:
        qs = qs.filter(
            Q(enterprise__name__icontains=f.q)
            | Q(enterprise__uscc__icontains=f.q)
            | Q(park__name__icontains=f.q)
            | Q(chain__icontains=f.q)
        )
    return qs.select_related("enterprise__region", "park__region").order_by("-submitted_at", "-id")


@dataclass(frozen=True)
class ListingFilter:
    """The filters the listings page, its export and the API share."""

    level: str = ""
    category: str = ""
    chain: str = ""
    region: str = ""  # a region code: the whole subtree
    status: str = ""  # "active" | "revoked" | ""
    q: str = ""  # part of the name, credit code or certificate number


def listings(actor: Actor, f: ListingFilter) -> QuerySet[WhitelistListing]:
    qs = visible(
        WhitelistListing.objects.select_related(
            "enterprise__region", "enterprise__park", "park__region", "authority"
        ),
        actor,
    )
    if f.level:
        qs = qs.filter(level=f.level)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.chain:
        qs = qs.filter(chain=f.chain)
    if f.region:
        place = _subject_region(f.region)
        qs = qs.filter(place) if place is not None else qs.none()
    if f.status == "active":
        qs = qs.filter(revoked_at__isnull=True)
    elif f.status == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    if f.q:
        qs = qs.filter(
            Q(enterprise__name__icontains=f.q)
            | Q(enterprise__uscc__icontains=f.q)
            | Q(park__name__icontains=f.q)
            | Q(number__icontains=f.q)
        )
    return qs.order_by("-listed_at", "-id")


def chains(actor: Actor) -> list[str]:
    """The chain names in use, offered as suggestions so the same chain is spelt the same."""
    used = visible(WhitelistListing.objects.all(), actor).order_by("chain")
    return list(used.values_list("chain", flat=True).distinct())


def subject_filter(subject: Enterprise | Park) -> dict[str, Any]:
    return {"enterprise": subject} if isinstance(subject, Enterprise) else {"park": subject}


def open_application(subject: Enterprise | Park) -> WhitelistApplication | None:
    return WhitelistApplication.objects.filter(
        status__in=OPEN_STATUSES, **subject_filter(subject)
    ).first()


def open_invitation(enterprise: Enterprise) -> WhitelistInvitation | None:
    return WhitelistInvitation.objects.filter(
        enterprise=enterprise, status=InvitationStatus.OPEN
    ).first()


def open_states(
    enterprises: list[Enterprise],
) -> tuple[dict[int, WhitelistInvitation], dict[int, WhitelistApplication]]:
    """The open invitation and the open application of each of these enterprises, by its id, in
    two queries for a whole list (each enterprise has at most one of each)."""
    invited = WhitelistInvitation.objects.filter(
        enterprise__in=enterprises, status=InvitationStatus.OPEN
    )
    applying = WhitelistApplication.objects.filter(
        enterprise__in=enterprises, status__in=OPEN_STATUSES
    )
    return (
        {i.enterprise_id: i for i in invited},
        {a.enterprise_id: a for a in applying if a.enterprise_id is not None},
    )


def invitations(actor: Actor, status: str = "") -> QuerySet[WhitelistInvitation]:
    """The invitations the actor may see, newest first; one status or every one."""
    qs = visible(WhitelistInvitation.objects.select_related("enterprise__region"), actor)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-invited_at", "-id")


def may_invite(actor: Actor, enterprise: Enterprise) -> bool:
    """Whether the actor invites this enterprise to apply (the bureau or the district over it)."""
    return may_place(
        actor, "invite", WhitelistInvitation, region=enterprise.region, park=enterprise.park
    )


def active_listings(subject: Enterprise | Park) -> QuerySet[WhitelistListing]:
    return WhitelistListing.objects.filter(revoked_at__isnull=True, **subject_filter(subject))


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


@dataclass
class Event:
    """One line of an application's or a subject's history."""

    at: dt.datetime
    kind: str  # the review's step, or "listed" / "revoked"
    title: str | Promise
    by: str
    text: str = ""
    round: int | None = None
    decision: str = ""
    listing: WhitelistListing | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _listing_events(listing: WhitelistListing) -> list[Event]:
    events = [
        Event(
            at=listing.listed_at,
            kind="listed",
            title=_("Listed: %(level)s, certificate %(number)s")
            % {"level": listing.get_level_display(), "number": listing.number},
            by=listing.listed_by,
            text=listing.basis,
            listing=listing,
        )
    ]
    if listing.revoked_at is not None:
        events.append(
            Event(
                at=listing.revoked_at,
                kind="revoked",
                title=_("Revoked: %(level)s, certificate %(number)s")
                % {"level": listing.get_level_display(), "number": listing.number},
                by=listing.revoked_by,
                text=listing.revoke_reason,
                listing=listing,
            )
        )
    return events


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
        events.extend(_listing_events(listing))
    return sorted(events, key=lambda e: e.at)


def subject_listings(actor: Actor, subject: Enterprise | Park) -> QuerySet[WhitelistListing]:
    return visible(
        WhitelistListing.objects.filter(**subject_filter(subject)).select_related("authority"),
        actor,
    ).order_by("-listed_at", "-id")


def subject_applications(
    actor: Actor, subject: Enterprise | Park
) -> QuerySet[WhitelistApplication]:
    return visible(
        WhitelistApplication.objects.filter(**subject_filter(subject)), actor
    ).prefetch_related("reviews", "listings")


def direct_listing_events(actor: Actor, subject: Enterprise | Park) -> list[Event]:
    """Listings made without an application (bulk or by decision document), with their
    revocations: the part of a subject's history no application holds."""
    events: list[Event] = []
    for listing in subject_listings(actor, subject).filter(application__isnull=True):
        events.extend(_listing_events(listing))
    return sorted(events, key=lambda e: e.at)


# ---- the level kept on enterprises and parks ---------------------------------------------------


def highest_level(levels: set[str] | list[str]) -> str:
    """The highest of the given listing levels, "" for none."""
    return max(levels, key=lambda level: LEVEL_RANK[WhitelistLevel(level)], default="")


def level_mismatches() -> list[tuple[str, int, str, str]]:
    """(model, id, stored level, level from active listings) wherever they differ: empty when
    `whitelist_level` on every enterprise and park agrees with the listings in force."""
    mismatches: list[tuple[str, int, str, str]] = []
    active = WhitelistListing.objects.filter(revoked_at__isnull=True)
    for model, name in ((Enterprise, "enterprise"), (Park, "park")):
        found: dict[int, set[str]] = {}
        for pk, level in active.filter(**{f"{name}__isnull": False}).values_list(name, "level"):
            found.setdefault(pk, set()).add(level)
        expected = {pk: highest_level(levels) for pk, levels in found.items()}
        stored = dict(
            model._default_manager.exclude(whitelist_level="").values_list("pk", "whitelist_level")
        )
        for pk in sorted(set(expected) | set(stored)):
            if expected.get(pk, "") != stored.get(pk, ""):
                mismatches.append((name, pk, stored.get(pk, ""), expected.get(pk, "")))
    return mismatches
