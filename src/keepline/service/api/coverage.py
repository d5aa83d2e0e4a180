"""API of coverage: the list with its history, assigning and ending."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.errors import InvalidInput, NotFound
from keepline.core.scopes import get_for, require_role
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.service.models import Coverage
from keepline.service.selectors.coverage import COVERAGE, get_coverage, key_projects
from keepline.service.selectors.people import user_named
from keepline.service.services.coverage import assign_coverage, end_coverage

router = Router(tags=["service"])


class CoverageOut(Schema):
    id: int = Field(examples=[12])
    kind: str = Field(description="area, enterprise or project", examples=["enterprise"])
    user: str = Field(description="Username", examples=["zhang.wei"])
    target: str = Field(examples=["江阳测试酒业有限公司"])
    region: str | None = Field(None, description="Region code (area)", examples=[None])
    park: str | None = Field(None, description="Park code (area)", examples=[None])
    enterprise_id: int | None = Field(None, examples=[42])
    project_id: int | None = Field(None, examples=[None])
    since: dt.date = Field(examples=["2022-09-10"])
    until: dt.date | None = Field(None, description="Last day covered", examples=[None])
    note: str = Field(examples=[""])
    assigned_by: str = Field(examples=["bureau"])
    ended_by: str = Field(examples=[""])
    version: int = Field(description="Send it back when ending", examples=[1])

    @staticmethod
    def resolve_user(obj: Coverage) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_target(obj: Coverage) -> str:
        return str(obj.target)

    @staticmethod
    def resolve_region(obj: Coverage) -> str | None:
        return obj.region.code if obj.region else None

    @staticmethod
    def resolve_park(obj: Coverage) -> str | None:
        return obj.park.code if obj.park else None


class CoverageIn(Schema):
    kind: str = Field(description="area, enterprise or project", examples=["enterprise"])
    user: str = Field(description="Username of the person who covers", examples=["zhang.wei"])
    region: str | None = Field(None, description="Region code (area)", examples=[None])
    park: str | None = Field(None, description="Park code (area)", examples=[None])
    enterprise_id: int | None = Field(None, examples=[42])
    project_id: int | None = Field(None, examples=[None])
    since: dt.date | None = Field(None, description="Today if left out", examples=["2022-09-10"])
    note: str = Field("", examples=["包联"])


class EndCoverageIn(Schema):
    version: int = Field(examples=[1])
    until: dt.date | None = Field(None, description="Today if left out", examples=[None])


def _required(model: Any, field: str, **lookup: Any) -> Any:
    found = model.objects.filter(**lookup).first()
    if found is None:
        message = _("Not found.")
        raise InvalidInput(message, errors={field: [message]})
    return found


# ---- coverage ---------------------------------------------------------------------------------


@router.get(
    "/service/coverage",
    response=list[CoverageOut],
    summary="Coverage and its history",
    openapi_extra=COVERAGE.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def coverage_list(request: Any) -> Any:
    require_role(request.auth, Coverage)
    return COVERAGE.rows(request.auth, request.GET)


@router.post("/service/coverage", response=CoverageOut, summary="Assign coverage")
def coverage_assign(request: Any, payload: CoverageIn) -> Any:
    actor = request.auth
    require_role(actor, Coverage, "change")
    project = None
    if payload.project_id is not None:
        project = key_projects(actor).filter(pk=payload.project_id).first()
        if project is None:
            raise NotFound(_("Not found."))
    coverage = assign_coverage(
        actor=actor,
        kind=payload.kind,
        user=user_named(payload.user, "user"),
        region=_required(Region, "region", code=payload.region) if payload.region else None,
        park=_required(Park, "park", code=payload.park) if payload.park else None,
        enterprise=(
            get_for(Enterprise.objects.all(), actor, payload.enterprise_id)
            if payload.enterprise_id is not None
            else None
        ),
        project=project,
        since=payload.since,
        note=payload.note,
    )
    return get_coverage(actor, coverage.pk)


@router.post("/service/coverage/{coverage_id}/end", response=CoverageOut, summary="End a coverage")
def coverage_end(request: Any, coverage_id: int, payload: EndCoverageIn) -> Any:
    end_coverage(
        actor=request.auth, coverage_id=coverage_id, until=payload.until, version=payload.version
    )
    return get_coverage(request.auth, coverage_id)
