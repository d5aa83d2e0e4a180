"""API of the meter-data files imported (the import itself is `POST /api/imports/power`)."""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.scopes import get_for, require_role, visible
from keepline.power.models import PowerImport

router = Router()


class GapOut(Schema):
    account: str = Field(examples=["0512345678"])
    missing: int = Field(description="Days missing inside the file's period", examples=[3])
    ranges: list[list[str]] = Field(
        description="Runs of missing days, first and last",
        examples=[[["2022-09-02", "2022-09-04"]]],
    )


class ImportOut(Schema):
    id: int
    kind: str = Field(description="daily or interval", examples=["daily"])
    filename: str = Field(examples=["国网泸州供电公司-2022-09.csv"])
    rows: int = Field(examples=[30000])
    accounts: int = Field(examples=[1000])
    first_day: dt.date = Field(examples=["2022-09-01"])
    last_day: dt.date = Field(examples=["2022-09-30"])
    replaced: int = Field(description="Readings the file replaced", examples=[0])
    gaps: list[GapOut]
    by_name: str = Field(examples=["bureau"])
    created_at: dt.datetime


@router.get("/power/imports", response=list[ImportOut], summary="Meter-data files imported")
@paginate(PageNumberPagination, page_size=50)
def import_list(request: Any) -> Any:
    require_role(request.auth, PowerImport)
    return visible(PowerImport.objects.all(), request.auth)


@router.get("/power/imports/{import_id}", response=ImportOut, summary="One meter-data import")
def import_detail(request: Any, import_id: int) -> Any:
    return get_for(PowerImport.objects.all(), request.auth, import_id)
