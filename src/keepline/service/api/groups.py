"""API of working groups."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.errors import InvalidInput
from keepline.core.scopes import require_role
from keepline.places.models import Park, Region
from keepline.service.models import WorkingGroup
from keepline.service.selectors.groups import (
    WORKING_GROUPS,
    get_working_group,
    visible_region,
)
from keepline.service.selectors.people import user_named, users_named
from keepline.service.services.groups import (
    change_working_group,
    create_working_group,
    end_working_group,
)

router = Router(tags=["service"])


class GroupOut(Schema):
    id: int = Field(examples=[2])
    name: str = Field(examples=["省督导组第三组"])
    purpose: str = Field(examples=["督导复工复产"])
    authority: str = Field(alias="authority.code", description="Region code", examples=["510000"])
    leader: str = Field(description="Username", examples=["leader"])
    members: list[str] = Field(description="Usernames", examples=[["zhang.wei"]])
    regions: list[str] = Field(description="Region codes", examples=[["510500"]])
    parks: list[str] = Field(description="Park codes", examples=[[]])
    starts_on: dt.date = Field(examples=["2022-09-10"])
    ends_on: dt.date | None = Field(None, examples=[None])
    version: int = Field(examples=[1])

    @staticmethod
    def resolve_leader(obj: WorkingGroup) -> str:
        return obj.leader.get_username()

    @staticmethod
    def resolve_members(obj: WorkingGroup) -> list[str]:
        return [u.get_username() for u in obj.members.order_by("username")]

    @staticmethod
    def resolve_regions(obj: WorkingGroup) -> list[str]:
        return [r.code for r in obj.regions.all()]

    @staticmethod
    def resolve_parks(obj: WorkingGroup) -> list[str]:
        return [p.code for p in obj.parks.all()]


class GroupIn(Schema):
    authority: str = Field(description="Region code of the sending task force", examples=["510500"])
    name: str = Field(examples=["市督导组第一组"])
    leader: str = Field(description="Username", examples=["leader"])
    starts_on: dt.date = Field(examples=["2022-09-10"])
    purpose: str = Field("", examples=["督导复工复产"])
    members: list[str] = Field([], description="Usernames", examples=[["zhang.wei"]])
    regions: list[str] = Field([], description="Region codes", examples=[["510502"]])
    parks: list[str] = Field([], description="Park codes", examples=[[]])
    ends_on: dt.date | None = Field(None, examples=[None])


class GroupChangeIn(Schema):
    version: int = Field(examples=[1])
    name: str | None = Field(None, examples=[None])
    purpose: str | None = Field(None, examples=[None])
    leader: str | None = Field(None, description="Username", examples=[None])
    members: list[str] | None = Field(None, description="Usernames", examples=[["zhang.wei"]])
    regions: list[str] | None = Field(None, description="Region codes", examples=[None])
    parks: list[str] | None = Field(None, description="Park codes", examples=[None])
    starts_on: dt.date | None = Field(None, examples=[None])


class GroupEndIn(Schema):
    version: int = Field(examples=[1])
    ends_on: dt.date | None = Field(None, description="Today if left out", examples=[None])


def _regions(codes: list[str]) -> list[Region]:
    found = list(Region.objects.filter(code__in=codes))
    if len(found) != len(set(codes)):
        message = _("Unknown region code.")
        raise InvalidInput(message, errors={"regions": [message]})
    return found


def _parks(codes: list[str]) -> list[Park]:
    found = list(Park.objects.filter(code__in=codes).select_related("region"))
    if len(found) != len(set(codes)):
        message = _("Unknown park code.")
        raise InvalidInput(message, errors={"parks": [message]})
    return found


# ---- working groups ---------------------------------------------------------------------------


@router.get(
    "/service/groups",
    response=list[GroupOut],
    summary="Working groups",
    openapi_extra=WORKING_GROUPS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def group_list(request: Any) -> Any:
    require_role(request.auth, WorkingGroup)
    return WORKING_GROUPS.rows(request.auth, request.GET)


@router.post("/service/groups", response=GroupOut, summary="Send a working group")
def group_create(request: Any, payload: GroupIn) -> Any:
    actor = request.auth
    require_role(actor, WorkingGroup, "change")
    group = create_working_group(
        actor=actor,
        authority=visible_region(actor, payload.authority),
        name=payload.name,
        leader=user_named(payload.leader, "leader"),
        starts_on=payload.starts_on,
        purpose=payload.purpose,
        members=users_named(payload.members, "members"),
        regions=_regions(payload.regions),
        parks=_parks(payload.parks),
        ends_on=payload.ends_on,
    )
    return get_working_group(actor, group.pk)


@router.get("/service/groups/{group_id}", response=GroupOut, summary="One working group")
def group_detail(request: Any, group_id: int) -> Any:
    return get_working_group(request.auth, group_id)


@router.post(
    "/service/groups/{group_id}/change",
    response=GroupOut,
    summary="Change a working group (what is left out stays)",
)
def group_change(request: Any, group_id: int, payload: GroupChangeIn) -> Any:
    actor = request.auth
    # The right first: a stranger gets 404 and a viewer 403 before any field is looked up.
    get_working_group(actor, group_id, "change")
    changes: dict[str, Any] = {
        "name": payload.name,
        "purpose": payload.purpose,
        "starts_on": payload.starts_on,
    }
    if payload.leader is not None:
        changes["leader"] = user_named(payload.leader, "leader")
    if payload.members is not None:
        changes["members"] = users_named(payload.members, "members")
    if payload.regions is not None:
        changes["regions"] = _regions(payload.regions)
    if payload.parks is not None:
        changes["parks"] = _parks(payload.parks)
    change_working_group(actor=actor, group_id=group_id, version=payload.version, **changes)
    return get_working_group(actor, group_id)


@router.post("/service/groups/{group_id}/end", response=GroupOut, summary="Stand a group down")
def group_end(request: Any, group_id: int, payload: GroupEndIn) -> Any:
    end_working_group(
        actor=request.auth, group_id=group_id, ends_on=payload.ends_on, version=payload.version
    )
    return get_working_group(request.auth, group_id)
