"""Writes for the service network: coverage, visits and working groups. Each checks the actor's
right, validates, changes the rows and writes the audit event in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core import services as core_services
from keepline.core.errors import Conflict, Forbidden, InvalidInput
from keepline.core.models import Membership, Role, User
from keepline.core.scopes import Actor, SystemActor, get_for, may_place, require_place, require_role
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.problems import selectors as problem_selectors
from keepline.problems.models import Problem, Urgency
from keepline.problems.services import lifecycle as problem_lifecycle
from keepline.service import selectors
from keepline.service.models import (
    Coverage,
    CoverageKind,
    KeyProject,
    Visit,
    VisitStatus,
    WorkingGroup,
)

# Memberships follow coverage on the system's authority: the arranger's own right was checked,
# and the coverage's audit event names them.
COVERAGE_GRANTS = SystemActor("service.coverage")

COVERAGE_AUDIT = ["kind", "user", "region", "park", "enterprise", "project", "since", "until"]
VISIT_AUDIT = [
    "enterprise",
    "visitor",
    "status",
    "purpose",
    "planned_for",
    "visited_at",
    "companions",
    "findings",
    "cancel_reason",
    "version",
]
GROUP_AUDIT = ["name", "purpose", "authority", "leader", "starts_on", "ends_on", "version"]

# Which target fields each kind of coverage takes.
KIND_TARGETS = {
    CoverageKind.AREA: ("region", "park"),
    CoverageKind.ENTERPRISE: ("enterprise",),
    CoverageKind.PROJECT: ("project",),
}


def _name(actor: Actor) -> str:
    return actor.name if isinstance(actor, SystemActor) else actor.get_username()


def _check_active(user: Any, field: str, errors: dict[str, list[str]]) -> None:
    if not isinstance(user, User) or not user.is_active:
        errors[field] = [_("Choose an active user.")]


def _check_among(
    people: QuerySet[User], chosen: list[User], field: str, errors: dict[str, list[str]]
) -> None:
    """An error on `field` naming whoever of `chosen` is not among `people` (the list the form
    offered): a name typed or posted from elsewhere is refused, not trusted."""
    found = set(people.filter(pk__in=[u.pk for u in chosen]).values_list("pk", flat=True))
    outside = [u for u in chosen if u.pk not in found]
    if outside and field not in errors:
        errors[field] = [
            _("Not among the people you may choose here: %(names)s.")
            % {"names": ", ".join(u.get_username() for u in outside)}
        ]


# Key projects ---------------------------------------------------------------------------------


@transaction.atomic
def create_key_project(
    *,
    actor: Actor,
    enterprise: Enterprise,
    name: str,
    description: str = "",
    region: Region | None = None,
) -> KeyProject:
    """A key project of an enterprise, placed in the enterprise's region unless told otherwise."""
    region = region or enterprise.region
    # Both the enterprise and the place of the project must lie in the actor's area.
    require_place(actor, "change", KeyProject, region=enterprise.region, park=enterprise.park)
    require_place(actor, "change", KeyProject, region=region, park=enterprise.park)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Name the project."), errors={"name": [_("This field is required.")]})
    if KeyProject.objects.filter(enterprise=enterprise, name=name).exists():
        raise InvalidInput(
            _("This enterprise already has a project of that name."),
            errors={"name": [_("This enterprise already has a project of that name.")]},
        )
    project = KeyProject.objects.create(
        enterprise=enterprise, region=region, name=name, description=description.strip()
    )
    audit.record(actor=actor, action="create", obj=project, after=audit.snapshot(project))
    return project


# Coverage -------------------------------------------------------------------------------------


def _targets(kind: str, given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The one target of a coverage of `kind`, or the errors naming the fields at fault."""
    errors: dict[str, list[str]] = {}
    allowed = KIND_TARGETS[CoverageKind(kind)]
    for field, value in given.items():
        if value is not None and field not in allowed:
            errors[field] = [_("This kind of coverage does not take one.")]
    chosen = {f: given[f] for f in allowed if given.get(f) is not None}
    if not chosen:
        errors.setdefault(allowed[0], [_("This field is required.")])
    elif len(chosen) > 1:
        for field in chosen:
            errors[field] = [_("Choose one target only.")]
    return chosen, errors


def _place(target: Any) -> dict[str, Any]:
    """Where a coverage target lies, for the arranger's area check."""
    if isinstance(target, Region):
        return {"region": target}
    if isinstance(target, Park):
        return {"region": target.region, "park": target}
    if isinstance(target, Enterprise):
        return {"region": target.region, "park": target.park, "enterprise": target}
    return {"region": target.region, "park": target.enterprise.park}


def _covered_enterprise(coverage: Coverage) -> Enterprise | None:
    if coverage.enterprise is not None:
        return coverage.enterprise
    return coverage.project.enterprise if coverage.project is not None else None


def _grant(coverage: Coverage) -> None:
    """Give the coverer sight of the enterprise they serve, unless they already have it."""
    enterprise = _covered_enterprise(coverage)
    if enterprise is None:
        return
    held = Membership.objects.filter(
        user=coverage.user, role=Role.COMMISSIONER, enterprise=enterprise
    ).exists()
    if not held:
        coverage.granted_membership = core_services.add_membership(
            actor=COVERAGE_GRANTS, user=coverage.user, role=Role.COMMISSIONER, target=enterprise
        )


def _release(coverage: Coverage) -> None:
    """Take back the membership this coverage granted, or hand it to another open coverage of
    the same person that still needs it."""
    membership = coverage.granted_membership
    if membership is None:
        return
    coverage.granted_membership = None
    enterprise = membership.enterprise
    heir = (
        Coverage.objects.filter(user=coverage.user, until__isnull=True)
        .filter(Q(enterprise=enterprise) | Q(project__enterprise=enterprise))
        .exclude(pk=coverage.pk)
        .first()
    )
    if heir is not None:
        heir.granted_membership = membership
        heir.save(update_fields=["granted_membership"])
    else:
        core_services.remove_membership(actor=COVERAGE_GRANTS, membership=membership)
    coverage.user.__dict__.pop("_keepline_memberships", None)


@transaction.atomic
def assign_coverage(
    *,
    actor: Actor,
    kind: str,
    user: User,
    region: Region | None = None,
    park: Park | None = None,
    enterprise: Enterprise | None = None,
    project: KeyProject | None = None,
    since: dt.date | None = None,
    note: str = "",
) -> Coverage:
    """`user` covers one region or park (area), enterprise, or key project from `since` (today by
    default; coverage is recorded as it starts or after, never ahead). Covering an enterprise or
    a project gives the user a commissioner membership over the enterprise."""
    require_role(actor, Coverage, "change")
    if kind not in CoverageKind.values:
        raise InvalidInput(_("Unknown kind of coverage."), errors={"kind": [_("Unknown kind.")]})
    given = {"region": region, "park": park, "enterprise": enterprise, "project": project}
    chosen, errors = _targets(kind, given)
    _check_active(user, "user", errors)
    if "user" not in errors:
        _check_among(selectors.coverage_people(actor), [user], "user", errors)
    today = selectors.local_today()
    since = since or today
    if since > today:
        errors["since"] = [_("Record a coverage when it starts.")]
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    [(field, target)] = chosen.items()
    require_place(actor, "change", Coverage, **_place(target))
    clash = (
        Coverage.objects.filter(user=user, **{field: target})
        .filter(Q(until__isnull=True) | Q(until__gte=since))
        .first()
    )
    if clash is not None:
        raise InvalidInput(
            _("%(user)s already covers %(target)s since %(since)s.")
            % {"user": user, "target": target, "since": clash.since},
            errors={"user": [_("Already covers this.")]},
        )
    coverage = Coverage(
        kind=kind,
        user=user,
        since=since,
        note=note.strip(),
        assigned_by=_name(actor),
        **{field: target},
    )
    _grant(coverage)
    coverage.save()
    audit.record(
        actor=actor,
        action="assign_coverage",
        obj=coverage,
        after={
            **audit.snapshot(coverage, COVERAGE_AUDIT),
            "granted_membership": coverage.granted_membership_id,
        },
    )
    return coverage


@transaction.atomic
def end_coverage(
    *,
    actor: Actor,
    coverage_id: int,
    until: dt.date | None = None,
    version: int | None = None,
) -> Coverage:
    """End a coverage on `until` (today by default), keeping it as history."""
    coverage = get_for(
        Coverage.objects.select_for_update(of=("self",)), actor, coverage_id, "change"
    )
    if coverage.until is not None or (version is not None and version != coverage.version):
        raise Conflict(
            _("Someone else changed this coverage while you were looking at it."),
            current=audit.snapshot(coverage, [*COVERAGE_AUDIT, "version"]),
        )
    today = selectors.local_today()
    until = until or today
    if until > today:
        raise InvalidInput(
            _("End a coverage when it ends."), errors={"until": [_("Not in the future.")]}
        )
    if until < coverage.since:
        raise InvalidInput(
            _("A coverage cannot end before it starts."),
            errors={"until": [_("On or after %(since)s.") % {"since": coverage.since}]},
        )
    before = audit.snapshot(coverage, COVERAGE_AUDIT)
    coverage.until = until
    coverage.ended_by = _name(actor)
    coverage.version += 1
    _release(coverage)
    coverage.save(update_fields=["until", "ended_by", "version", "granted_membership"])
    audit.record(
        actor=actor,
        action="end_coverage",
        obj=coverage,
        before=before,
        after=audit.snapshot(coverage, COVERAGE_AUDIT),
    )
    return coverage


# Visits ---------------------------------------------------------------------------------------


def _require_visitor_right(actor: Actor, enterprise: Enterprise, visitor: User) -> None:
    """Officials plan visits in their area, naming as visitor someone who may visit the
    enterprise; whoever covers an enterprise plans their own visits to it (a leader covering
    the district, a commissioner)."""
    place = {"region": enterprise.region, "park": enterprise.park, "enterprise": enterprise}
    if may_place(actor, "change", Visit, **place):
        if not (isinstance(actor, User) and actor.pk == visitor.pk):
            errors: dict[str, list[str]] = {}
            _check_among(selectors.visit_people(actor, enterprise), [visitor], "visitor", errors)
            if errors:
                raise InvalidInput(_("Please correct the marked fields."), errors=errors)
        return
    own = isinstance(actor, User) and actor.pk == visitor.pk
    if own and selectors.covering(COVERAGE_GRANTS, enterprise).filter(user=visitor).exists():
        return
    raise Forbidden(_("This is outside your area."))


@transaction.atomic
def plan_visit(
    *,
    actor: Actor,
    enterprise: Enterprise,
    planned_for: dt.date,
    purpose: str,
    visitor: User | None = None,
) -> Visit:
    """Put a visit on the planned list; the visitor is the actor unless someone else is named."""
    errors: dict[str, list[str]] = {}
    if visitor is None and isinstance(actor, User):
        visitor = actor
    _check_active(visitor, "visitor", errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    assert visitor is not None
    _require_visitor_right(actor, enterprise, visitor)
    if not purpose.strip():
        errors["purpose"] = [_("This field is required.")]
    if planned_for is None:
        errors["planned_for"] = [_("This field is required.")]
    elif planned_for < selectors.local_today():
        errors["planned_for"] = [
            _("A planned visit lies ahead; record a visit already made as done.")
        ]
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    visit = Visit.objects.create(
        enterprise=enterprise,
        visitor=visitor,
        status=VisitStatus.PLANNED,
        purpose=purpose.strip(),
        planned_for=planned_for,
        created_by=_name(actor),
    )
    audit.record(
        actor=actor, action="plan_visit", obj=visit, after=audit.snapshot(visit, VISIT_AUDIT)
    )
    return visit


def _check_done(
    visited_at: dt.datetime | None, findings: str, errors: dict[str, list[str]]
) -> None:
    if visited_at is None:
        errors["visited_at"] = [_("This field is required.")]
    elif visited_at > timezone.now():
        errors["visited_at"] = [_("A visit is recorded once it has taken place.")]
    if not findings.strip():
        errors["findings"] = [_("This field is required.")]


@transaction.atomic
def record_visit(
    *,
    actor: Actor,
    enterprise: Enterprise,
    visited_at: dt.datetime,
    findings: str,
    purpose: str = "",
    companions: str = "",
    visitor: User | None = None,
    problem_ids: Iterable[int] = (),
) -> Visit:
    """Put a visit that was not planned straight on the done list, linked to the problems of
    the enterprise it followed up."""
    errors: dict[str, list[str]] = {}
    if visitor is None and isinstance(actor, User):
        visitor = actor
    _check_active(visitor, "visitor", errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    assert visitor is not None
    _require_visitor_right(actor, enterprise, visitor)
    _check_done(visited_at, findings, errors)
    linked = _problems_of(actor, enterprise, problem_ids, errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    visit = Visit.objects.create(
        enterprise=enterprise,
        visitor=visitor,
        status=VisitStatus.DONE,
        purpose=purpose.strip(),
        visited_at=visited_at,
        companions=companions.strip(),
        findings=findings.strip(),
        created_by=_name(actor),
    )
    visit.problems.set(linked)
    audit.record(actor=actor, action="record_visit", obj=visit, after=_visit_snapshot(visit))
    return visit


def _visit_snapshot(visit: Visit) -> dict[str, Any]:
    return {
        **audit.snapshot(visit, VISIT_AUDIT),
        "problems": sorted(visit.problems.values_list("pk", flat=True)),
    }


def _problems_of(
    actor: Actor, enterprise: Enterprise, problem_ids: Iterable[int], errors: dict[str, list[str]]
) -> list[Problem]:
    """The problems named by id, each of `enterprise` and visible to the actor; any other id
    is an error on `problems`."""
    try:
        wanted = {int(pk) for pk in problem_ids}
    except (TypeError, ValueError):
        errors["problems"] = [_("Give problem numbers.")]
        return []
    if not wanted:
        return []
    found = list(problem_selectors.problems(actor).filter(pk__in=wanted, enterprise=enterprise))
    missing = sorted(wanted - {p.pk for p in found})
    if missing:
        errors["problems"] = [
            _("No problem of %(enterprise)s numbered %(numbers)s.")
            % {"enterprise": enterprise, "numbers": ", ".join(str(n) for n in missing)}
        ]
    return found


def _locked_visit(actor: Actor, visit_id: int, version: int | None) -> Visit:
    visit = selectors.get_visit(actor, visit_id, "change", lock=True)
    if visit.status != VisitStatus.PLANNED or (version is not None and version != visit.version):
        raise Conflict(
            _("This visit is no longer planned: %(status)s.")
            % {"status": visit.get_status_display()}
            if visit.status != VisitStatus.PLANNED
            else _("Someone else changed this visit while you were looking at it."),
            current=audit.snapshot(visit, VISIT_AUDIT),
        )
    return visit


@transaction.atomic
def complete_visit(
    *,
    actor: Actor,
    visit_id: int,
    visited_at: dt.datetime,
    findings: str,
    companions: str = "",
    version: int | None = None,
    problem_ids: Iterable[int] = (),
) -> Visit:
    """Move a planned visit to the done list with when it took place, what was found and the
    problems of the enterprise it followed up."""
    visit = _locked_visit(actor, visit_id, version)
    errors: dict[str, list[str]] = {}
    _check_done(visited_at, findings, errors)
    linked = _problems_of(actor, visit.enterprise, problem_ids, errors)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)
    before = _visit_snapshot(visit)
    visit.status = VisitStatus.DONE
    visit.visited_at = visited_at
    visit.findings = findings.strip()
    visit.companions = companions.strip()
    visit.version += 1
    visit.save(update_fields=["status", "visited_at", "findings", "companions", "version"])
    visit.problems.add(*linked)
    b, a = audit.changes(before, _visit_snapshot(visit))
    audit.record(actor=actor, action="complete_visit", obj=visit, before=b, after=a)
    return visit


@transaction.atomic
def cancel_visit(*, actor: Actor, visit_id: int, reason: str, version: int | None = None) -> Visit:
    """Take a planned visit off the list, saying why; it stays on record as cancelled."""
    visit = _locked_visit(actor, visit_id, version)
    if not reason.strip():
        raise InvalidInput(
            _("Say why the visit is cancelled."), errors={"reason": [_("This field is required.")]}
        )
    before = audit.snapshot(visit, VISIT_AUDIT)
    visit.status = VisitStatus.CANCELLED
    visit.cancel_reason = reason.strip()
    visit.version += 1
    visit.save(update_fields=["status", "cancel_reason", "version"])
    b, a = audit.changes(before, audit.snapshot(visit, VISIT_AUDIT))
    audit.record(actor=actor, action="cancel_visit", obj=visit, before=b, after=a)
    return visit


@transaction.atomic
def raise_problem_at_visit(
    *,
    actor: Actor,
    visit_id: int,
    category: str,
    title: str,
    description: str = "",
    urgency: str = Urgency.NORMAL,
) -> Problem:
    """File a problem the visitor heard at a visit on the enterprise's behalf, and link it to
    the visit: routed and given its deadlines like any other."""
    visit = selectors.get_visit(actor, visit_id, "change", lock=True)
    if visit.status == VisitStatus.CANCELLED:
        raise Conflict(_("This visit was cancelled."), current=audit.snapshot(visit, VISIT_AUDIT))
    problem = problem_lifecycle.file_problem(
        actor=actor,
        enterprise_id=visit.enterprise_id,
        category=category,
        title=title,
        description=description,
        urgency=urgency,
    )
    before = _visit_snapshot(visit)
    visit.problems.add(problem)
    b, a = audit.changes(before, _visit_snapshot(visit))
    audit.record(actor=actor, action="raise_problem", obj=visit, before=b, after=a)
    return problem


# Working groups -------------------------------------------------------------------------------


def _group_snapshot(group: WorkingGroup) -> dict[str, Any]:
    return {
        **audit.snapshot(group, GROUP_AUDIT),
        "members": sorted(group.members.values_list("pk", flat=True)),
        "regions": sorted(group.regions.values_list("pk", flat=True)),
        "parks": sorted(group.parks.values_list("pk", flat=True)),
    }


def _check_group(
    actor: Actor,
    *,
    authority: Region,
    name: str,
    leader: Any,
    members: list[User],
    regions: list[Region],
    parks: list[Park],
    starts_on: dt.date | None,
    ends_on: dt.date | None,
) -> None:
    require_place(actor, "change", WorkingGroup, region=authority)
    errors: dict[str, list[str]] = {}
    outside = _("Outside the area of %(authority)s.") % {"authority": authority}
    if any(not r.path.startswith(authority.path) for r in regions):
        errors["regions"] = [outside]
    if any(not p.region.path.startswith(authority.path) for p in parks):
        errors["parks"] = [outside]
    if not name.strip():
        errors["name"] = [_("This field is required.")]
    _check_active(leader, "leader", errors)
    if any(not m.is_active for m in members):
        errors["members"] = [_("Choose active users.")]
    people = selectors.group_people(actor, authority)
    if "leader" not in errors:
        _check_among(people, [leader], "leader", errors)
    _check_among(people, members, "members", errors)
    if not regions and not parks:
        errors["regions"] = [_("Assign the group at least one region or park.")]
    if starts_on is None:
        errors["starts_on"] = [_("This field is required.")]
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("On or after the start.")]
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors=errors)


@transaction.atomic
def create_working_group(
    *,
    actor: Actor,
    authority: Region,
    name: str,
    leader: User,
    starts_on: dt.date,
    purpose: str = "",
    members: Iterable[User] = (),
    regions: Iterable[Region] = (),
    parks: Iterable[Park] = (),
    ends_on: dt.date | None = None,
) -> WorkingGroup:
    """A working group that `authority`'s task force sends to supervise regions or parks
    within its area (admin, or bureau of that area)."""
    members, regions, parks = list(members), list(regions), list(parks)
    _check_group(
        actor,
        authority=authority,
        name=name,
        leader=leader,
        members=members,
        regions=regions,
        parks=parks,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    group = WorkingGroup.objects.create(
        name=name.strip(),
        purpose=purpose.strip(),
        authority=authority,
        leader=leader,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=_name(actor),
    )
    group.members.set(members)
    group.regions.set(regions)
    group.parks.set(parks)
    audit.record(actor=actor, action="create", obj=group, after=_group_snapshot(group))
    return group


_UNSET: Any = object()


@transaction.atomic
def change_working_group(
    *,
    actor: Actor,
    group_id: int,
    version: int | None = None,
    name: str | None = None,
    purpose: str | None = None,
    leader: User | None = None,
    members: Iterable[User] | None = None,
    regions: Iterable[Region] | None = None,
    parks: Iterable[Park] | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = _UNSET,
) -> WorkingGroup:
    """Change what is given of a group; what is not given stays. A stale `version` is 409."""
    group = selectors.get_working_group(actor, group_id, "change", lock=True)
    if version is not None and version != group.version:
        raise Conflict(
            _("Someone else changed this working group while you were editing it."),
            current=_group_snapshot(group),
        )
    new_members = list(members) if members is not None else list(group.members.all())
    new_regions = list(regions) if regions is not None else list(group.regions.all())
    new_parks = list(parks) if parks is not None else list(group.parks.all())
    new_ends = group.ends_on if ends_on is _UNSET else ends_on
    _check_group(
        actor,
        authority=group.authority,
        name=group.name if name is None else name,
        leader=leader or group.leader,
        members=new_members,
        regions=new_regions,
        parks=new_parks,
        starts_on=starts_on or group.starts_on,
        ends_on=new_ends,
    )
    before = _group_snapshot(group)
    group.name = group.name if name is None else name.strip()
    group.purpose = group.purpose if purpose is None else purpose.strip()
    group.leader = leader or group.leader
    group.starts_on = starts_on or group.starts_on
    group.ends_on = new_ends
    group.version += 1
    group.save()
    group.members.set(new_members)
    group.regions.set(new_regions)
    group.parks.set(new_parks)
    b, a = audit.changes(before, _group_snapshot(group))
    audit.record(actor=actor, action="change", obj=group, before=b, after=a)
    return group


@transaction.atomic
def end_working_group(
    *,
    actor: Actor,
    group_id: int,
    ends_on: dt.date | None = None,
    version: int | None = None,
) -> WorkingGroup:
    """Stand a group down on `ends_on` (today by default)."""
    group = selectors.get_working_group(actor, group_id, "change", lock=True)
    today = selectors.local_today()
    if (version is not None and version != group.version) or (
        group.ends_on is not None and group.ends_on < today
    ):
        raise Conflict(
            _("This working group has ended or been changed already."),
            current=_group_snapshot(group),
        )
    ends_on = ends_on or today
    if ends_on < group.starts_on:
        raise InvalidInput(
            _("A group cannot end before it starts."),
            errors={"ends_on": [_("On or after the start.")]},
        )
    before = audit.snapshot(group, GROUP_AUDIT)
    group.ends_on = ends_on
    group.version += 1
    group.save(update_fields=["ends_on", "version"])
    b, a = audit.changes(before, audit.snapshot(group, GROUP_AUDIT))
    audit.record(actor=actor, action="end", obj=group, before=b, after=a)
    return group
