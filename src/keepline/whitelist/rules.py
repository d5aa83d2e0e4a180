"""Who decides which step of a whitelist application, who applies, who revokes and who invites:
the predicates the services enforce and the pages and API ask before offering a step."""

from __future__ import annotations

from keepline.core.scopes import Actor, holds, may_place, visible
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.whitelist.models import (
    ApplicationStatus,
    CityReview,
    EconomyReview,
    HealthReview,
    InspectionReview,
    OwnApplication,
    ProvinceReview,
    Step,
    WhitelistApplication,
    WhitelistInvitation,
    WhitelistListing,
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
SINGLE_STEPS: dict[str, str] = {
    ApplicationStatus.INSPECTION: Step.INSPECTION,
    ApplicationStatus.CITY_DECISION: Step.CITY,
    ApplicationStatus.PROVINCE_DECISION: Step.PROVINCE,
}


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


def may_list_at(actor: Actor, authority: Region | None) -> bool:
    """Whether the actor is the government that lists at this authority's level: the city's or
    the province's industry bureau (for the national list, none: the platform administrator)."""
    return may_place(actor, "decide", WhitelistListing, region=authority)


def may_decide_listing(actor: Actor, listing: WhitelistListing) -> bool:
    """Listings are revoked by the level that decided them."""
    return may_list_at(actor, listing.authority)


def is_decider(actor: Actor) -> bool:
    """Whether the actor's roles decide any step anywhere."""
    return any(holds(actor, model, "decide") for model in set(STEP_MODELS.values()))


def may_invite(actor: Actor, enterprise: Enterprise) -> bool:
    """Whether the actor invites this enterprise to apply (the bureau or the district over it)."""
    return may_place(
        actor, "invite", WhitelistInvitation, region=enterprise.region, park=enterprise.park
    )
