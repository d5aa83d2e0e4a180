"""Builders for constructed cities: many enterprises and their modes, written in bulk."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from keepline.bubble.models import ModeRecord
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from tests.conftest import TZ
from tests.factories import EnterpriseFactory, IndustryFactory, RegionFactory

_serials = itertools.count(100_000)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def enterprises(
    n: int,
    region: Region,
    *,
    output: Decimal | int | str = 1000,
    employees: int = 100,
    above_size: bool = True,
    park: Park | None = None,
    industry: str = "15",
) -> list[Enterprise]:
    """`n` enterprises alike, created in one insert."""
    division = IndustryFactory(code=industry)
    return Enterprise.objects.bulk_create(
        EnterpriseFactory.build(
            serial=serial,
            name=f"构造企业{serial}",
            region=region,
            park=park,
            industry=division,
            above_size=above_size,
            annual_output=Decimal(output),
            employees=employees,
        )
        for serial in itertools.islice(_serials, n)
    )


def switch(items: list[Enterprise], mode: str, when: dt.datetime, **extra: Any) -> list[ModeRecord]:
    """Record that from `when` on these enterprises work in `mode`."""
    return ModeRecord.objects.bulk_create(
        ModeRecord(
            enterprise=e,
            mode=mode,
            effective_from=when,
            reason=extra.get("reason", "test"),
            recorded_by="test",
        )
        for e in items
    )


def region(code: str, parent: Region | None, level: str, zh: str, en: str) -> Region:
    return RegionFactory(code=code, parent=parent, level=level, name_zh=zh, name_en=en)
