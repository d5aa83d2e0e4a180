"""Resumption targets: the list, setting one and removing one."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.errors import InvalidInput
from keepline.core.scopes import require_role
from keepline.places.models import Park
from keepline.reports import selectors, services
from keepline.reports.api.deadlines import region_by_code
from keepline.reports.models import ResumptionTarget

router = Router(tags=["reports"])


class TargetOut(Schema):
    id: int
    region: str | None = Field(None, examples=["520000"])
    park: str | None = Field(None, examples=[None])
    date: dt.date = Field(examples=["2023-02-15"])
    rate: Decimal = Field(description="Per cent", examples=["90.00"])
    basis: str = Field(examples=["count"])
    note: str = Field(examples=["节后复工"])

    @staticmethod
    def resolve_region(obj: ResumptionTarget) -> str | None:
        return obj.region.code if obj.region else None

    @staticmethod
    def resolve_park(obj: ResumptionTarget) -> str | None:
        return obj.park.code if obj.park else None


class TargetIn(Schema):
    region: str = Field("", description="Region code, or empty with a park", examples=["510500"])
    park: str = Field("", description="Park code, or empty with a region", examples=[""])
    date: dt.date = Field(examples=["2023-02-15"])
    rate: Decimal = Field(examples=["90"])
    basis: str = Field("count", description="count | output", examples=["count"])
    note: str = Field("", examples=["节后复工"])


@router.get(
    "/targets",
    response=list[TargetOut],
    summary="Resumption targets",
    description="The target page's filters and sort, field for field.",
    openapi_extra=selectors.TARGETS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def target_list(request: Any) -> Any:
    require_role(request.auth, ResumptionTarget)
    return selectors.TARGETS.rows(request.auth, request.GET)


@router.put("/targets", response=TargetOut, summary="Set an area's resumption target for a date")
def target_set(request: Any, payload: TargetIn) -> Any:
    park = None
    if payload.park:
        park = Park.objects.select_related("region").filter(code=payload.park).first()
        if park is None:
            message = _("Unknown park code: %(code)s.") % {"code": payload.park}
            raise InvalidInput(message, errors={"park": [message]})
    return services.set_target(
        actor=request.auth,
        region=region_by_code(payload.region) if payload.region else None,
        park=park,
        day=payload.date,
        rate=payload.rate,
        basis=payload.basis,
        note=payload.note,
    )


@router.delete("/targets/{target_id}", response={204: None}, summary="Remove a target")
def target_remove(request: Any, target_id: int) -> Any:
    services.remove_target(actor=request.auth, target_id=target_id)
    return Status(204, None)
