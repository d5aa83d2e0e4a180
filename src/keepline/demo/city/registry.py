"""The enterprise registry of the demo city: its industries, its giants, and the rows that go
through the same all-or-nothing import an official's file goes through.

Same seed, same registry: every draw comes from the city's one `random.Random(seed)`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from stdnum.cn import uscc as stdnum_uscc

from keepline.core.scopes import SystemActor
from keepline.demo.city.places import (
    CITY,
    COUNTY_PREFIX,
    GL,
    HJ,
    JY,
    LMT,
    LX,
    NX,
    PARKS,
    XY,
    ParkSpec,
    Places,
)
from keepline.demo.common import person_name
from keepline.enterprises import services as enterprise_services
from keepline.enterprises.importers import ENTERPRISE_IMPORTER
from keepline.enterprises.models import Enterprise

BELOW_SIZE_SHARE = 0.03
PARK_SHARE = 0.6
ABOVE_SIZE_MIN_OUTPUT = 2000.0  # 万元: the statistical threshold for 规上 industry

MOBILE_PREFIXES = tuple(
    str(n)
    for n in (*range(130, 140), *range(150, 154), *range(155, 160), 173, 177, *range(180, 190))
)
BRAND_FIRST = "鑫华兴宏金瑞恒盛泰丰鼎永嘉天川蜀江龙凤德福宝安顺新源汇众联锦康国中信博卓世佳和润"
BRAND_SECOND = "源盛达泰丰兴华宇通安诚信祥和辉鑫福康隆海峰川林发昌茂利泽威远"
LEGAL_FORMS = ("有限公司", "股份有限公司", "有限责任公司")
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # the USCC alphabet: no I, O, S, V, Z


@dataclass(frozen=True)
class Sector:
    """An industry as the demo city has it: its share, where it sits, how it names and grows."""

    weight: int
    districts: dict[str, float]
    words: tuple[str, ...]
    staff_factor: float  # employees = staff_factor × output^0.75
    spread: float  # σ of the half-normal log-output above the size threshold
    # Note template, 万元 per unit of capacity at the size threshold, and how fast the unit value
    # rises with size (the giants sell premium liquor, the small distilleries base liquor).
    capacity: tuple[str, float, float] | None = None


SECTORS: dict[str, Sector] = {
    "15": Sector(
        240,
        {JY: 3, LMT: 3, GL: 3, LX: 2.5, HJ: 1, NX: 0.5, XY: 0.5},
        ("酒业", "酒业", "酒业", "酿酒", "酒类", "曲酒", "白酒", "饮品"),
        0.09,
        1.5,
        ("年产白酒 {:,.0f} 吨", 5.0, 0.35),
    ),
    "26": Sector(
        90,
        {NX: 5, HJ: 3, LMT: 1, LX: 0.5, XY: 0.5},
        ("化工", "化学", "精细化工", "天然气化工", "新材料"),
        0.05,
        1.7,
        ("年产化工产品 {:,.1f} 万吨", 4000.0, 0.0),
    ),
    "44": Sector(
        30,
        {HJ: 2, XY: 2, GL: 2, NX: 1, JY: 1, LMT: 1, LX: 1},
        ("电力", "发电", "能源", "热电", "水电开发"),
        0.03,
        1.8,
        ("装机容量 {:,.0f} 兆瓦", 200.0, 0.0),
    ),
    "25": Sector(15, {XY: 3, GL: 2, NX: 1, HJ: 1}, ("焦化", "燃料", "煤焦化", "石化"), 0.05, 1.5),
    "34": Sector(
        70,
        {LMT: 3, JY: 2, LX: 2, NX: 1, HJ: 1},
        ("机械", "液压", "起重机械", "阀门", "泵业", "机械制造"),
        0.10,
        1.4,
    ),
    "35": Sector(
        50,
        {LMT: 3, JY: 2, LX: 2, HJ: 1},
        ("装备", "工程机械", "酿酒设备", "环保设备", "专用设备"),
        0.10,
        1.4,
    ),
    "37": Sector(10, {LX: 3, LMT: 1}, ("航空科技", "航空装备", "船舶", "航天科技"), 0.10, 1.4),
    "38": Sector(
        50, {JY: 3, LMT: 2, LX: 2, HJ: 1}, ("电气", "电缆", "电器", "电工", "电池"), 0.09, 1.5
    ),
    "39": Sector(
        50, {JY: 3, LMT: 2, LX: 1}, ("电子", "光电", "智能科技", "通信", "电子科技"), 0.12, 1.5
    ),
    "27": Sector(
        40, {JY: 2, LMT: 2, NX: 1, LX: 1, HJ: 1}, ("药业", "制药", "生物医药", "医药"), 0.08, 1.5
    ),
    "13": Sector(
        60,
        {LX: 3, HJ: 2, GL: 1, XY: 1, JY: 1, NX: 1, LMT: 1},
        ("粮油", "食品", "农产品", "饲料", "肉类食品"),
        0.07,
        1.3,
    ),
    "14": Sector(
        40,
        {JY: 2, LMT: 2, LX: 2, HJ: 2, GL: 1, XY: 1, NX: 1},
        ("食品", "调味品", "食品科技", "乳业"),
        0.09,
        1.3,
    ),
    "30": Sector(
        90,
        {LMT: 2, LX: 2, XY: 2, GL: 2, HJ: 2, NX: 1, JY: 1},
        ("建材", "玻璃", "玻璃制品", "水泥", "陶瓷", "新型建材"),
        0.08,
        1.4,
    ),
    "22": Sector(
        40, {LMT: 2, JY: 2, LX: 1, GL: 1, HJ: 1}, ("包装", "纸业", "纸制品", "纸箱包装"), 0.08, 1.3
    ),
    "23": Sector(30, {LMT: 2, JY: 2, GL: 1}, ("印务", "印刷", "彩印", "防伪印刷"), 0.10, 1.2),
    "29": Sector(
        40,
        {LMT: 2, LX: 2, JY: 1, NX: 1, HJ: 1},
        ("塑胶", "塑料", "橡胶", "塑业", "管业"),
        0.09,
        1.3,
    ),
    "33": Sector(
        40,
        {LMT: 2, LX: 2, JY: 1, HJ: 1, NX: 1},
        ("金属制品", "钢结构", "五金", "铸造", "紧固件"),
        0.09,
        1.3,
    ),
    "17": Sector(20, {LX: 2, HJ: 1, GL: 1, XY: 1}, ("纺织", "丝绸", "棉纺", "织造"), 0.15, 1.2),
}

# The few giants that dominate the city's output: (industry, district, low, high) in 万元.
GIANTS = (
    ("15", JY, 3_000_000, 4_500_000),
    ("15", GL, 2_500_000, 4_000_000),
    ("15", LMT, 800_000, 1_500_000),
    ("44", HJ, 500_000, 900_000),
    ("26", NX, 800_000, 1_500_000),
)


# ---- small generators -----------------------------------------------------------------------


def mobile(rng: random.Random) -> str:
    """A mainland mobile number, 11 digits."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _org_check(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c, 36) * w for c, w in zip(body, weights, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc(rng: random.Random, district: str) -> str:
    """A valid unified social credit code of an enterprise registered in Luzhou."""
    area = district if rng.random() < 0.7 else CITY
    if rng.random() < 0.6:  # registered since 2015: the organisation code starts MA6 in Sichuan
        org = "MA6" + "".join(rng.choice(ORG_ALPHABET) for _ in range(5))
    else:  # an older enterprise keeps its numeric organisation code
        org = f"{rng.randrange(10**8):08d}"
    body = f"91{area}{org}{_org_check(org)}"
    return body + stdnum_uscc.calc_check_digit(body)


def _unique(make: Callable[[], str], taken: set[str]) -> str:
    """Draw from `make()` until the value is new, and claim it."""
    while True:
        value = make()
        if value not in taken:
            taken.add(value)
            return value


def quotas(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split `total` in proportion to `weights` by largest remainder, so the counts add up."""
    whole = sum(weights.values())
    shares = {k: total * w / whole for k, w in weights.items()}
    counts = {k: math.floor(s) for k, s in shares.items()}
    by_remainder = sorted(shares, key=lambda k: (counts[k] - shares[k], k))
    for k in by_remainder[: total - sum(counts.values())]:
        counts[k] += 1
    return counts


# ---- enterprises ----------------------------------------------------------------------------


@dataclass
class _Taken:
    """Values already handed out, which the registry requires to be unique."""

    uscc: set[str]
    names: set[str]
    accounts: set[str]


def _company_name(rng: random.Random, sector: Sector, district: str, *, giant: bool) -> str:
    prefix = rng.choices(("泸州", "四川", COUNTY_PREFIX[district]), weights=(5, 2, 3))[0]
    core = rng.choice(BRAND_FIRST) + rng.choice(BRAND_SECOND)
    form = "集团股份有限公司" if giant else rng.choices(LEGAL_FORMS, weights=(16, 2, 2))[0]
    return f"{prefix}{core}{rng.choice(sector.words)}{form}"


def _park_for(rng: random.Random, industry: str, district: str) -> ParkSpec | None:
    """A park of the district for about PARK_SHARE of enterprises, favouring its own industries."""
    here = [p for p in PARKS if p.region[:6] == district]
    if not here or rng.random() >= PARK_SHARE:
        return None
    return rng.choices(here, weights=[4 if industry in p.favoured else 1 for p in here])[0]


def _enterprise_row(
    rng: random.Random,
    places: Places,
    taken: _Taken,
    *,
    industry: str,
    district: str,
    output: float,
    giant: bool = False,
) -> dict[str, str]:
    """One import row, keyed as `keepline.enterprises.validation.COLUMNS`."""
    sector = SECTORS[industry]
    park = _park_for(rng, industry, district)
    if park is not None and len(park.region) > 6:
        region = park.region  # a park laid out in one town: its enterprises sit there
    elif giant or rng.random() < 0.3:
        region = district
    else:
        region = rng.choice(places.towns[district]).code
    staff = sector.staff_factor * output**0.75 * rng.lognormvariate(0, 0.25)
    capacity = ""
    if sector.capacity is not None:
        template, per_unit, premium = sector.capacity
        unit_value = per_unit * (output / ABOVE_SIZE_MIN_OUTPUT) ** premium
        capacity = template.format(max(output / unit_value, 1))
    accounts = 1 + (output >= 10_000) + (output >= 100_000)
    return {
        "uscc": _unique(lambda: uscc(rng, district), taken.uscc),
        "name": _unique(lambda: _company_name(rng, sector, district, giant=giant), taken.names),
        "region": region,
        "park": park.code if park else "",
        "industry": industry,
        "above_size": "yes" if output >= ABOVE_SIZE_MIN_OUTPUT else "no",
        "annual_output": f"{output:.2f}",
        "employees": str(max(round(staff), 5)),
        "capacity_note": capacity,
        "liaison_name": person_name(rng),
        "liaison_phone": mobile(rng),
        "power_accounts": ";".join(
            _unique(lambda: f"08{rng.randrange(10**8):08d}", taken.accounts)
            for _ in range(accounts)
        ),
    }


def _pick_district(rng: random.Random, sector: Sector) -> str:
    return rng.choices(list(sector.districts), weights=list(sector.districts.values()))[0]


def enterprise_rows(rng: random.Random, places: Places, size: int) -> list[dict[str, str]]:
    """`size` above-size enterprises split over the industries, plus a few below-size ones."""
    taken = _Taken(set(), set(), set())
    rows = []

    def add(industry: str, district: str, output: float, *, giant: bool = False) -> None:
        row = _enterprise_row(
            rng, places, taken, industry=industry, district=district, output=output, giant=giant
        )
        rows.append(row)

    counts = quotas(size, {code: s.weight for code, s in SECTORS.items()})
    for industry, district, low, high in GIANTS:
        if counts[industry] == 0:
            continue
        counts[industry] -= 1
        add(industry, district, rng.uniform(low, high), giant=True)
    for industry, count in counts.items():
        sector = SECTORS[industry]
        for _ in range(count):
            output = ABOVE_SIZE_MIN_OUTPUT * math.exp(abs(rng.gauss(0, sector.spread)))
            add(industry, _pick_district(rng, sector), output)
    industries = list(SECTORS)
    weights = [s.weight for s in SECTORS.values()]
    for _ in range(round(size * BELOW_SIZE_SHARE)):
        industry = rng.choices(industries, weights=weights)[0]
        output = rng.uniform(300, ABOVE_SIZE_MIN_OUTPUT - 0.01)
        add(industry, _pick_district(rng, SECTORS[industry]), output)
    return rows


def build_enterprises(
    rng: random.Random, actor: SystemActor, places: Places, size: int
) -> list[Enterprise]:
    """The registry, written by the same all-or-nothing import an official's file goes through."""
    rows = enterprise_rows(rng, places, size)
    check = ENTERPRISE_IMPORTER.check_rows(actor, enumerate(rows, start=2))
    if not check.ok:
        detail = "; ".join(f"row {e.row} {e.column}: {e.message}" for e in check.errors[:5])
        raise RuntimeError(f"The demo city's own rows fail the import check: {detail}")
    return enterprise_services.import_enterprises(actor=actor, check=check)
