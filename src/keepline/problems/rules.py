"""Who may do what to a problem beyond the role table: the predicates the services enforce and
the pages and API ask before offering a step."""

from __future__ import annotations

from keepline.core.models import Role
from keepline.core.scopes import Actor, SystemActor, actor_roles, may, may_place, memberships
from keepline.enterprises.models import Enterprise
from keepline.places.models import Region, RegionLevel
from keepline.problems.models import CoordinationLetter, Problem, ProblemStatus, RoutingRule
from keepline.problems.selectors import issuing_region


def is_liaison_of(actor: Actor, enterprise: Enterprise) -> bool:
    return not isinstance(actor, SystemActor) and any(
        m.role == Role.LIAISON and m.enterprise_id == enterprise.pk for m in memberships(actor)
    )


def may_file_for(actor: Actor, enterprise: Enterprise) -> bool:
    """Whether the actor may file a problem for this enterprise (its region and park loaded)."""
    return may_place(
        actor,
        "file",
        Problem,
        region=enterprise.region,
        park=enterprise.park,
        enterprise=enterprise,
    )


def may_route_in(actor: Actor, region: Region | None) -> bool:
    """Whether the actor may set, change or remove routing rules for the region."""
    if region is None:
        # A rule for anywhere binds every city: the platform administrator's to set.
        return Role.ADMIN in actor_roles(actor)
    return may_place(actor, "change", RoutingRule, region=region)


def may_attach(actor: Actor, problem: Problem) -> bool:
    """Documents are added by who filed the problem, the enterprise's liaison, or those who
    handle it; not once it is closed."""
    if problem.status == ProblemStatus.CLOSED:
        return False
    if not isinstance(actor, SystemActor) and problem.filed_by_id == actor.pk:
        return may(actor, "view", problem)
    return may(actor, "handle", problem) or may(actor, "confirm", problem)


def may_coordinate(actor: Actor, problem: Problem, issuer: Region | None = None) -> bool:
    """The administrator, or a bureau (task force) member at city level or above whose area
    holds the issuing task force's region: a district does not write to another city."""
    if isinstance(actor, SystemActor):
        return True
    issuer = issuer or issuing_region(problem)
    for m in memberships(actor):
        if m.role == Role.ADMIN:
            return True
        if (
            m.role in CoordinationLetter.access.roles_for("coordinate")
            and m.region is not None
            and m.region.level in (RegionLevel.CITY, RegionLevel.PROVINCE)
            and issuer.path.startswith(m.region.path)
        ):
            return True
    return False
