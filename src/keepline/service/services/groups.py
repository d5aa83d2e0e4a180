"""Writes of working groups: sending one, changing it and standing it down."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict, InvalidInput
from keepline.core.models import User
from keepline.core.scopes import Actor, require_place
from keepline.places.models import Park, Region
from keepline.service.models import WorkingGroup
from keepline.service.rules import check_active, check_among
from keepline.service.selectors.coverage import local_today
from keepline.service.selectors.groups import get_working_group
from keepline.service.selectors.people import group_people
from keepline.service.services import actor_name

GROUP_AUDIT = ["name", "purpose", "authority", "leader", "starts_on", "ends_on", "version"]


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
    check_active(leader, "leader", errors)
    if any(not m.is_active for m in members):
        errors["members"] = [_("Choose active users.")]
    people = group_people(actor, authority)
    if "leader" not in errors:
        check_among(people, [leader], "leader", errors)
    check_among(people, members, "members", errors)
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
        created_by=actor_name(actor),
    )
    group.members.set(members)
    group.regions.set(regions)
    group.parks.set(parks)
    audit.record(actor=actor, action=audit.Action.CREATE, obj=group, after=_group_snapshot(group))
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
    group = get_working_group(actor, group_id, "change", lock=True)
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
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=group, before=b, after=a)
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
    group = get_working_group(actor, group_id, "change", lock=True)
    today = local_today()
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
    audit.record(actor=actor, action=audit.Action.END, obj=group, before=b, after=a)
    return group
