"""Luzhou as the demo city has it: its districts and counties, and the nine industrial parks."""

from __future__ import annotations

import random
from dataclasses import dataclass

from keepline.core.scopes import SystemActor
from keepline.demo.common import person_name
from keepline.places import services as place_services
from keepline.places.models import Park, ParkLevel, Region, RegionLevel

CITY = "510500"
JY, NX, LMT, LX, HJ, XY, GL = "510502", "510503", "510504", "510521", "510522", "510524", "510525"
COUNTY_PREFIX = {
    JY: "泸州市江阳区",
    NX: "泸州市纳溪区",
    LMT: "泸州市龙马潭区",
    LX: "泸县",
    HJ: "合江县",
    XY: "叙永县",
    GL: "古蔺县",
}


@dataclass(frozen=True)
class ParkSpec:
    """One of the city's parks: where it is and which industries it draws."""

    code: str
    name: str
    region: str
    level: str
    favoured: tuple[str, ...]


PARKS = (
    ParkSpec(
        "LZ-HIGHTECH",
        "泸州高新技术产业开发区",
        JY,
        ParkLevel.NATIONAL,
        ("27", "34", "35", "38", "39", "23"),
    ),
    ParkSpec(
        "LZ-LIQUOR",
        "中国白酒金三角（泸州）酒业集中发展区",
        "510502103",
        ParkLevel.PROVINCIAL,
        ("15", "22", "23", "30"),
    ),
    ParkSpec(
        "LZ-YANGTZE",
        "泸州长江经济开发区",
        LMT,
        ParkLevel.PROVINCIAL,
        ("15", "34", "35", "29", "33", "22"),
    ),
    ParkSpec("NX-ECON", "纳溪经济开发区", NX, ParkLevel.PROVINCIAL, ("26", "25", "44")),
    ParkSpec(
        "LX-ECON", "泸县经济开发区", LX, ParkLevel.PROVINCIAL, ("15", "13", "14", "29", "33", "17")
    ),
    ParkSpec(
        "LZ-AERO", "泸州航空航天产业园", "510521109", ParkLevel.CITY, ("37", "34", "38", "39")
    ),
    ParkSpec(
        "HJ-PORT", "合江临港工业园区", "510522002", ParkLevel.PROVINCIAL, ("26", "44", "30", "13")
    ),
    ParkSpec(
        "XY-RES", "叙永资源综合利用经济开发区", XY, ParkLevel.PROVINCIAL, ("25", "30", "44", "26")
    ),
    ParkSpec("GL-ECON", "古蔺经济开发区", GL, ParkLevel.PROVINCIAL, ("15", "22", "30", "13")),
)


@dataclass
class Places:
    """The existing regions of Luzhou the generator places things in."""

    city: Region
    districts: dict[str, Region]
    towns: dict[str, list[Region]]  # district code -> its towns, by code
    by_code: dict[str, Region]

    @classmethod
    def load(cls) -> Places:
        """Luzhou, its districts and towns from the shipped region data; fails if any is missing."""
        regions = Region.objects.filter(path__startswith=f"510000/{CITY}/").order_by("code")
        by_code = {r.code: r for r in regions}
        missing = {CITY, *COUNTY_PREFIX} - set(by_code)
        if missing:
            raise RuntimeError(f"Regions missing (run migrate): {', '.join(sorted(missing))}")
        towns: dict[str, list[Region]] = {code: [] for code in COUNTY_PREFIX}
        for region in by_code.values():
            if region.level == RegionLevel.TOWN:
                towns[region.code[:6]].append(region)
        return cls(
            city=by_code[CITY],
            districts={code: by_code[code] for code in COUNTY_PREFIX},
            towns=towns,
            by_code=by_code,
        )


def build_parks(rng: random.Random, actor: SystemActor, places: Places) -> dict[str, Park]:
    """The nine industrial parks, each with a management-committee contact."""
    parks = {}
    for spec in PARKS:
        parks[spec.code] = place_services.create_park(
            actor=actor,
            data={
                "code": spec.code,
                "name": spec.name,
                "region": places.by_code[spec.region],
                "level": spec.level,
                "committee_contact": person_name(rng),
                "committee_phone": f"0830-3{rng.randrange(10**6):06d}",
            },
        )
    return parks
