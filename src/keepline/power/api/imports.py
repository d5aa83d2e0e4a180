"""API of meter-data imports: the same service as the page and `keepline import-power`."""

import datetime as dt
from typing import Any

from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from keepline.core.scopes import get_for, require_role, visible
from keepline.power import services
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
    replaced: int = Field(description="Readings replaced (with replace)", examples=[0])
    gaps: list[GapOut]
    by_name: str = Field(examples=["bureau"])
    created_at: dt.datetime


class ImportIn(Schema):
    replace: bool = Field(
        False,
        description="Replace each account's readings between its first and last day in the file",
    )


@router.get("/power/imports", response=list[ImportOut], summary="Meter-data files imported")
@paginate(PageNumberPagination, page_size=50)
def import_list(request: Any) -> Any:
    require_role(request.auth, PowerImport)
    return visible(PowerImport.objects.all(), request.auth)


@router.get("/power/imports/{import_id}", response=ImportOut, summary="One meter-data import")
def import_detail(request: Any, import_id: int) -> Any:
    return get_for(PowerImport.objects.all(), request.auth, import_id)


@router.post(
    "/power/imports",
    response={201: ImportOut},
    summary="Import a meter-data file (multipart: file, replace); all rows or none",
    description="Daily energy: columns account, date, kwh. Interval load: account, time, kwh "
    "(15 or 60 minutes). CSV (UTF-8 or GB18030), .xlsx or .parquet. A bad file answers 400 "
    "with `errors` naming each bad row (`row 7, Date`), and nothing is written.",
)
def import_create(request: Any, payload: Form[ImportIn], file: File[UploadedFile]) -> Any:
    batch = services.import_power(
        actor=request.auth, filename=file.name or "upload.csv", stream=file, replace=payload.replace
    )
    return Status(201, batch)
