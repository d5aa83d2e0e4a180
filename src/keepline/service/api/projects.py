"""API of key projects."""

from typing import Any

from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.scopes import get_for, require_role
from keepline.enterprises.models import Enterprise
from keepline.service.models import KeyProject
from keepline.service.selectors.coverage import KEY_PROJECTS
from keepline.service.services.projects import create_key_project

router = Router(tags=["service"])


class KeyProjectOut(Schema):
    id: int = Field(examples=[3])
    name: str = Field(examples=["年产10万吨白酒技改项目"])
    enterprise_id: int = Field(examples=[42])
    enterprise: str = Field(alias="enterprise.name", examples=["江阳测试酒业有限公司"])
    region: str = Field(alias="region.code", examples=["510502"])
    description: str = Field(examples=[""])


class KeyProjectIn(Schema):
    enterprise_id: int = Field(examples=[42])
    name: str = Field(examples=["年产10万吨白酒技改项目"])
    description: str = Field("", examples=[""])


@router.get(
    "/service/projects",
    response=list[KeyProjectOut],
    summary="Key projects",
    openapi_extra=KEY_PROJECTS.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def project_list(request: Any) -> Any:
    require_role(request.auth, KeyProject)
    return KEY_PROJECTS.rows(request.auth, request.GET)


@router.post("/service/projects", response=KeyProjectOut, summary="Create a key project")
def project_create(request: Any, payload: KeyProjectIn) -> Any:
    require_role(request.auth, KeyProject, "change")
    enterprise = get_for(
        Enterprise.objects.select_related("region", "park"), request.auth, payload.enterprise_id
    )
    return create_key_project(
        actor=request.auth,
        enterprise=enterprise,
        name=payload.name,
        description=payload.description,
    )
