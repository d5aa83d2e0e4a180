"""API of places: regions, parks and control measures."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.errors import InvalidInput
from keepline.core.scopes import get_for, require_role, visible
from keepline.places import selectors, services
from keepline.places.models import ControlMeasure, Park, Region

router = Router(tags=["places"])


class RegionOut(Schema):
    code: str = Field(examples=["510502"])
    parent: str | None = Field(None, alias="parent.code", examples=["510500"])
    level: str = Field(examples=["district"])
    name_zh: str = Field(examples=["江阳区"])
    name_en: str = Field(examples=["Jiangyang"])


@router.get("/regions", response=list[RegionOut], summary="Regions in the user's scope")
def region_list(request: Any) -> Any:
    require_role(request.auth, Region)
    return visible(Region.objects.select_related("parent"), request.auth)


class ParkOut(Schema):
    id: int
    code: str = Field(examples=["HJ-PORT"])
    name: str = Field(examples=["合江临港工业园区"])
    region: str = Field(alias="region.code", examples=["510522"])
    level: str = Field(examples=["provincial"])
    committee_contact: str = Field(examples=["张伟"])


@router.get(
    "/parks",
    response=list[ParkOut],
    summary="Parks in the user's scope",
    openapi_extra=selectors.PARKS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def park_list(request: Any) -> Any:
    require_role(request.auth, Park)
    return selectors.PARKS.rows(request.auth, request.GET)


class MeasureOut(Schema):
    id: int
    kind: str = Field(examples=["static"])
    title: str = Field(examples=["江阳区、龙马潭区、泸县临时性静态管理"])
    authority: str = Field(alias="authority.code", examples=["510500"])
    regions: list[str] = Field(examples=[["510502", "510504", "510521"]])
    parks: list[str] = Field(examples=[["HJ-PORT"]])
    starts_at: dt.datetime = Field(examples=["2022-09-08T00:00:00+08:00"])
    ends_at: dt.datetime | None = Field(None, examples=[None])
    strictness: int = Field(examples=[2])
    notes: str = Field("", examples=[""])
    status: str = Field(examples=["in_force"])
    version: int = Field(examples=[1])

    @staticmethod
    def resolve_regions(obj: ControlMeasure) -> list[str]:
        return [r.code for r in obj.regions.all()]

    @staticmethod
    def resolve_parks(obj: ControlMeasure) -> list[str]:
        return [p.code for p in obj.parks.all()]

    @staticmethod
    def resolve_status(obj: ControlMeasure) -> str:
        return str(obj.status())


class MeasureIn(Schema):
    kind: str = Field(examples=["static"])
    title: str = Field(examples=["合江县临时性静态管理"])
    authority: str = Field(description="Region code of the issuing government", examples=["510500"])
    regions: list[str] = Field(default_factory=list, examples=[["510522"]])
    parks: list[str] = Field(default_factory=list, examples=[["HJ-PORT"]])
    starts_at: dt.datetime = Field(examples=["2022-09-08T20:00:00+08:00"])
    ends_at: dt.datetime | None = Field(None, examples=["2022-09-26T00:00:00+08:00"])
    strictness: int = Field(2, examples=[2])
    notes: str = Field("", examples=["全域临时性静态管理"])


class MeasureUpdate(MeasureIn):
    version: int = Field(description="The version you read; a stale one answers 409", examples=[1])


def _measure_data(payload: MeasureIn) -> dict[str, Any]:
    """Resolve codes to places; unknown codes are named in the error."""
    data = payload.dict()
    errors: dict[str, list[str]] = {}
    regions = {
        r.code: r for r in Region.objects.filter(code__in=[*payload.regions, payload.authority])
    }
    parks = {
        p.code: p for p in Park.objects.select_related("region").filter(code__in=payload.parks)
    }
    data["authority"] = regions.get(payload.authority)
    if data["authority"] is None:
        errors["authority"] = [_("Unknown region code: %(code)s.") % {"code": payload.authority}]
    unknown = [c for c in payload.regions if c not in regions]
    if unknown:
        errors["regions"] = [_("Unknown region code: %(code)s.") % {"code": ", ".join(unknown)}]
    unknown = [c for c in payload.parks if c not in parks]
    if unknown:
        errors["parks"] = [_("Unknown park code: %(code)s.") % {"code": ", ".join(unknown)}]
    if errors:
        raise InvalidInput(_("The control measure has errors."), errors=errors)
    data["regions"] = [regions[c] for c in payload.regions]
    data["parks"] = [parks[c] for c in payload.parks]
    return data


def _measures(request: Any) -> Any:
    return ControlMeasure.objects.select_related("authority").prefetch_related("regions", "parks")


@router.get(
    "/measures",
    response=list[MeasureOut],
    summary="Control measures the user may see",
    openapi_extra=selectors.MEASURES.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def measure_list(request: Any) -> Any:
    require_role(request.auth, ControlMeasure)
    return selectors.MEASURES.rows(request.auth, request.GET)


@router.post("/measures", response={201: MeasureOut}, summary="Create a control measure")
def measure_create(request: Any, payload: MeasureIn) -> Any:
    measure = services.create_measure(actor=request.auth, data=_measure_data(payload))
    return Status(201, get_for(_measures(request), request.auth, measure.pk))


@router.get("/measures/{measure_id}", response=MeasureOut, summary="One control measure")
def measure_detail(request: Any, measure_id: int) -> Any:
    return get_for(_measures(request), request.auth, measure_id)


@router.put("/measures/{measure_id}", response=MeasureOut, summary="Replace a control measure")
def measure_update(request: Any, measure_id: int, payload: MeasureUpdate) -> Any:
    get_for(ControlMeasure.objects.all(), request.auth, measure_id, "change")
    services.update_measure(
        actor=request.auth,
        measure_id=measure_id,
        data=_measure_data(payload),
        version=payload.version,
    )
    return get_for(_measures(request), request.auth, measure_id)


@router.delete("/measures/{measure_id}", response={204: None}, summary="Delete a control measure")
def measure_delete(request: Any, measure_id: int) -> Any:
    services.delete_measure(actor=request.auth, measure_id=measure_id)
    return Status(204, None)
