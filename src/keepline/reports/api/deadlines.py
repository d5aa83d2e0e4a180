"""Report deadlines: the list, setting one and removing one."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.errors import InvalidInput
from keepline.core.scopes import require_role
from keepline.places.models import Region
from keepline.reports import selectors, services
from keepline.reports.models import ReportDeadline

router = Router(tags=["reports"])


class DeadlineOut(Schema):
    id: int
    region: str = Field(alias="region.code", examples=["510502"])
    date: dt.date = Field(examples=["2022-09-11"])
    due_time: dt.time = Field(examples=["16:00"])
    set_by_name: str = Field(examples=["district"])


class DeadlineIn(Schema):
    region: str = Field(description="Region code", examples=["510502"])
    date: dt.date = Field(examples=["2022-09-11"])
    due_time: dt.time = Field(examples=["16:00"])


def region_by_code(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise InvalidInput(
            _("Unknown region code: %(code)s.") % {"code": code},
            errors={"region": [_("Unknown region code: %(code)s.") % {"code": code}]},
        )
    return region


@router.get(
    "/reports/deadlines",
    response=list[DeadlineOut],
    summary="Report deadlines",
    description="The deadline page's filters and sort, field for field.",
    openapi_extra=selectors.DEADLINES.openapi(),
)
@paginate(PageNumberPagination, page_size=100)
def deadline_list(request: Any) -> Any:
    require_role(request.auth, ReportDeadline)
    return selectors.DEADLINES.rows(request.auth, request.GET)


@router.put("/reports/deadlines", response=DeadlineOut, summary="Set a region's deadline for a day")
def deadline_set(request: Any, payload: DeadlineIn) -> Any:
    return services.set_deadline(
        actor=request.auth,
        region=region_by_code(payload.region),
        day=payload.date,
        due_time=payload.due_time,
    )


@router.delete(
    "/reports/deadlines/{deadline_id}", response={204: None}, summary="Remove a deadline"
)
def deadline_remove(request: Any, deadline_id: int) -> Any:
    services.remove_deadline(actor=request.auth, deadline_id=deadline_id)
    return Status(204, None)
