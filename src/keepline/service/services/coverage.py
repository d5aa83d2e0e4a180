"""Writes of coverage: assigning and ending it, with the commissioner membership that follows
an enterprise's coverage."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core import services as core_services
from keepline.core.errors import Conflict, InvalidInput
from keepline.core.models import Membership, Role, User
from keepline.core.scopes import Actor, get_for, require_place, require_role
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.service.models import Coverage, CoverageKind, KeyProject
from keepline.service.rules import check_active, check_among
from keepline.service.selectors.coverage import COVERAGE_GRANTS, local_today
from keepline.service.selectors.people import coverage_people
from keepline.service.services import actor_name

COVERAGE_AUDIT = ["kind", "user", "region", "park", "enterprise", "project", "since", "until"]


# Which target fields each kind of coverage takes.
KIND_TARGETS = {
    CoverageKind.AREA: ("region", "park"),
    CoverageKind.ENTERPRISE: ("enterprise",),
    CoverageKind.PROJECT: ("project",),
}


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
    check_active(user, "user", errors)
    if "user" not in errors:
        check_among(coverage_people(actor), [user], "user", errors)
    today = local_today()
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
        assigned_by=actor_name(actor),
        **{field: target},
    )
    _grant(coverage)
    coverage.save()
    audit.record(
        actor=actor,
        action=audit.Action.ASSIGN_COVERAGE,
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
    today = local_today()
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
    coverage.ended_by = actor_name(actor)
    coverage.version += 1
    _release(coverage)
    coverage.save(update_fields=["until", "ended_by", "version", "granted_membership"])
    audit.record(
        actor=actor,
        action=audit.Action.END_COVERAGE,
        obj=coverage,
        before=before,
        after=audit.snapshot(coverage, COVERAGE_AUDIT),
    )
    return coverage
