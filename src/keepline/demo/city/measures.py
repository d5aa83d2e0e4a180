"""The control measures of the 2022 timeline: the August power rationing and the September static
management of five districts and counties."""

from __future__ import annotations

import datetime as dt

from keepline.core.scopes import SystemActor
from keepline.demo.city.places import CITY, HJ, JY, LMT, LX, NX, Places
from keepline.demo.common import TZ
from keepline.places import services as place_services
from keepline.places.models import MeasureKind


def _at(day: int, hour: int = 0, month: int = 9) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, tzinfo=TZ)


# The 2022 timeline: (title, district codes, start, end, kind, strictness, notes).
MEASURES = (
    (
        "四川高温干旱有序用电（工业企业让电于民）",
        (CITY,),
        _at(15, month=8),
        _at(25, month=8),
        MeasureKind.POWER_RATIONING,
        1,
        "全省极端高温干旱，水电出力骤降，工业用户有序用电、让电于民。",
    ),
    (
        "江阳区、龙马潭区、泸县临时性静态管理",
        (JY, LMT, LX),
        _at(8),
        _at(26),
        MeasureKind.STATIC_MANAGEMENT,
        2,
        "居民居家，非必要不外出；具备条件的工业企业闭环生产。",
    ),
    (
        "合江县临时性静态管理",
        (HJ,),
        _at(8, 20),
        _at(26),
        MeasureKind.STATIC_MANAGEMENT,
        2,
        "自9月8日晚起实施；临港工业园区企业闭环生产。",
    ),
    (
        "纳溪区临时性静态管理",
        (NX,),
        _at(10, 20),
        _at(26),
        MeasureKind.STATIC_MANAGEMENT,
        2,
        "至此全市五个区县实施临时性静态管理。",
    ),
)


def build_measures(actor: SystemActor, places: Places) -> int:
    """The 2022 timeline: the August power rationing and the September static management."""
    for title, codes, starts, ends, kind, strictness, notes in MEASURES:
        place_services.create_measure(
            actor=actor,
            data={
                "kind": kind,
                "title": title,
                "authority": places.city,
                "regions": [places.by_code[c] for c in codes],
                "starts_at": starts,
                "ends_at": ends,
                "strictness": strictness,
                "notes": notes,
            },
        )
    return len(MEASURES)
