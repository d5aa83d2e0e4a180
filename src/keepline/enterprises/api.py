"""API of the enterprise registry: the same filters, scopes and services as the pages."""

from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.scopes import get_for, require_role
from keepline.enterprises import selectors, services
from keepline.enterprises.models import Enterprise

router = Router(tags=["enterprises"])


class EnterpriseOut(Schema):
    id: int
    uscc: str = Field(examples=["91510500MA62X5QF23"])
    name: str = Field(examples=["泸州示例酒业有限公司"])
    region: str = Field(alias="region.code", examples=["510502"])
    park: str | None = Field(None, examples=["LZ-LIQUOR"])
    industry: str = Field(alias="industry.code", examples=["15"])
    above_size: bool = Field(examples=[True])
    annual_output: Decimal = Field(examples=["52000.50"])
    employees: int = Field(examples=[860])
    capacity_note: str = Field(examples=["年产基酒 3 万吨"])
    power_accounts: list[str] = Field(examples=[["0512345678"]])
    version: int = Field(examples=[3])

    @staticmethod
    def resolve_park(obj: Enterprise) -> str | None:
        return obj.park.code if obj.park else None

    @staticmethod
    def resolve_power_accounts(obj: Enterprise) -> list[str]:
        return [a.number for a in obj.power_accounts.all()]


class EnterpriseIn(Schema):
    uscc: str = Field(examples=["91510500MA62X5QF23"])
    name: str = Field(examples=["泸州示例酒业有限公司"])
    region: str = Field(description="District/county or town code", examples=["510502"])
    park: str = Field("", description="Park code, or empty", examples=["LZ-LIQUOR"])
    industry: str = Field(description="GB/T 4754-2017 division", examples=["15"])
    above_size: bool = Field(examples=[True])
    annual_output: Decimal = Field(description="10k CNY (万元)", examples=["52000.50"])
    employees: int = Field(examples=[860])
    capacity_note: str = Field("", examples=["年产基酒 3 万吨"])
    liaison_name: str = Field("", examples=["王敏"])
    liaison_phone: str = Field("", examples=["13800001234"])
    power_accounts: list[str] = Field(default_factory=list, examples=[["0512345678"]])


class EnterprisePatch(Schema):
    version: int = Field(description="The version you read; a stale one answers 409", examples=[3])
    name: str | None = Field(None, examples=["泸州示例酒业股份有限公司"])
    region: str | None = Field(None, examples=["510504"])
    park: str | None = Field(None, examples=[""])
    industry: str | None = Field(None, examples=["15"])
    above_size: bool | None = Field(None, examples=[True])
    annual_output: Decimal | None = Field(None, examples=["61000"])
    employees: int | None = Field(None, examples=[900])
    capacity_note: str | None = Field(None, examples=["年产基酒 3.5 万吨"])
    power_accounts: list[str] | None = Field(None, examples=[["0512345678", "0512345679"]])


def _raw(data: dict[str, Any]) -> dict[str, Any]:
    """API values to the text the shared validation reads."""
    raw: dict[str, Any] = {}
    for key, value in data.items():
        if key == "above_size":
            raw[key] = "yes" if value else "no"
        elif key == "power_accounts":
            raw[key] = ";".join(value)
        else:
            raw[key] = "" if value is None else str(value)
    return raw


def _one(request: Any, enterprise_id: int) -> Enterprise:
    return get_for(
        Enterprise.objects.select_related("region", "park", "industry").prefetch_related(
            "power_accounts"
        ),
        request.auth,
        enterprise_id,
    )


@router.get(
    "/enterprises",
    response=list[EnterpriseOut],
    summary="Enterprises the user may see",
    description="The list page's filters and sort, field for field.",
    openapi_extra=selectors.ENTERPRISES.openapi(),
)
@paginate(PageNumberPagination, page_size=50)
def enterprise_list(request: Any) -> Any:
    require_role(request.auth, Enterprise)
    return selectors.ENTERPRISES.rows(request.auth, request.GET).prefetch_related("power_accounts")


@router.get("/enterprises/{enterprise_id}", response=EnterpriseOut, summary="One enterprise")
def enterprise_detail(request: Any, enterprise_id: int) -> Any:
    return _one(request, enterprise_id)


@router.post("/enterprises", response={201: EnterpriseOut}, summary="Register an enterprise")
def enterprise_create(request: Any, payload: EnterpriseIn) -> Any:
    enterprise = services.create_enterprise(actor=request.auth, data=_raw(payload.dict()))
    return Status(201, _one(request, enterprise.pk))


@router.patch(
    "/enterprises/{enterprise_id}", response=EnterpriseOut, summary="Change an enterprise"
)
def enterprise_update(request: Any, enterprise_id: int, payload: EnterprisePatch) -> Any:
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    services.update_enterprise(
        actor=request.auth, enterprise_id=enterprise_id, data=_raw(data), version=version
    )
    return _one(request, enterprise_id)
