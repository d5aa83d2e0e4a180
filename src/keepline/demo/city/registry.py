"""The demo city: a synthetic Luzhou, written through the services so that all of it is audited.

Same seed, same city: every random choice comes from one `random.Random(seed)` and every date is
a constant of the 2022 timeline, so two builds differ only in database ids and audit times.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from stdnum.cn import uscc as stdnum_uscc

from keepline.core import services as core_services
from keepline.core.models import DepartmentKind, Role, User
from keepline.core.scopes import SystemActor
from keepline.demo import chains, power, scenario
from keepline.demo.common import TZ, person_name
from keepline.demo.problems.build import build_problems
from keepline.enterprises import services as enterprise_services
from keepline.enterprises.importers import ENTERPRISE_IMPORTER
from keepline.enterprises.models import Enterprise
from keepline.places import services as place_services
from keepline.places.models import MeasureKind, Park, ParkLevel, Region, RegionLevel

DEMO_PASSWORD = "keepline-demo-2022"
ACTOR = SystemActor("demo")
# Below this the industry quotas round to nothing and the demo roles lose their enterprises.
MIN_SIZE = 20
BELOW_SIZE_SHARE = 0.03
PARK_SHARE = 0.6
ABOVE_SIZE_MIN_OUTPUT = 2000.0  # 万元: the statistical threshold for 规上 industry

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

# The demo logins in the order they are printed: username, role, office (for the display name).
PEOPLE = (
    ("admin", Role.ADMIN, "平台管理员"),
    ("bureau", Role.BUREAU, "市经信局工作专班"),
    ("district", Role.DISTRICT, "江阳区经信局"),
    ("park", Role.PARK, "泸州高新区管委会"),
    ("commissioner", Role.COMMISSIONER, "驻企服务专员"),
    ("department", Role.DEPARTMENT, "市交通运输局"),
    ("liaison", Role.LIAISON, "企业联络员"),
    ("checkpoint", Role.CHECKPOINT, "合江县防疫卡口"),
    ("health", Role.HEALTH, "市卫生健康委"),
    ("leader", Role.LEADER, "市领导"),
)
COMMISSIONER_ENTERPRISES = 5
DEPARTMENT = ("泸州市交通运输局", DepartmentKind.TRANSPORT)


class Writer(Protocol):
    """Where progress lines go: a command's stdout or any text stream."""

    def write(self, text: str, /) -> Any: ...


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


# ---- parks ----------------------------------------------------------------------------------


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
    counts = quotas(size, {code: s.weight for code, s in SECTORS.items()})
    rows = []
    for industry, district, low, high in GIANTS:
        if counts[industry] == 0:
            continue
        counts[industry] -= 1
        output = rng.uniform(low, high)
        rows.append(
            _enterprise_row(
                rng, places, taken, industry=industry, district=district, output=output, giant=True
            )
        )
    for industry, count in counts.items():
        sector = SECTORS[industry]
        for _ in range(count):
            output = ABOVE_SIZE_MIN_OUTPUT * math.exp(abs(rng.gauss(0, sector.spread)))
            rows.append(
                _enterprise_row(
                    rng,
                    places,
                    taken,
                    industry=industry,
                    district=_pick_district(rng, sector),
                    output=output,
                )
            )
    industries = list(SECTORS)
    weights = [s.weight for s in SECTORS.values()]
    for _ in range(round(size * BELOW_SIZE_SHARE)):
        industry = rng.choices(industries, weights=weights)[0]
        output = rng.uniform(300, ABOVE_SIZE_MIN_OUTPUT - 0.01)
        rows.append(
            _enterprise_row(
                rng,
                places,
                taken,
                industry=industry,
                district=_pick_district(rng, SECTORS[industry]),
                output=output,
            )
        )
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


# ---- control measures -----------------------------------------------------------------------


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


# ---- people ---------------------------------------------------------------------------------


def build_people(
    rng: random.Random,
    actor: SystemActor,
    places: Places,
    parks: dict[str, Park],
    enterprises: list[Enterprise],
) -> int:
    """One login per role, with the memberships that give it its scope."""
    by_size = sorted(enterprises, key=lambda e: (-e.annual_output, e.uscc))
    jiangyang = places.districts[JY].path
    name, kind = DEPARTMENT
    department = core_services.create_department(
        actor=actor, name=name, kind=kind, region=places.city
    )
    targets: dict[str, list[Any]] = {
        "admin": [None],
        "bureau": [places.city],
        "district": [places.districts[JY]],
        "park": [parks["LZ-HIGHTECH"]],
        "commissioner": by_size[:COMMISSIONER_ENTERPRISES],
        "department": [department],
        "liaison": [
            next(
                e
                for e in by_size
                if e.industry.code == "15" and e.region.path.startswith(jiangyang)
            )
        ],
        "checkpoint": [places.districts[HJ]],
        "health": [places.city],
        "leader": [places.city],
    }
    for username, role, office in PEOPLE:
        user = core_services.create_user(
            actor=actor,
            username=username,
            password=DEMO_PASSWORD,
            display_name=f"{person_name(rng)}（{office}）",
        )
        for target in targets[username]:
            core_services.add_membership(actor=actor, user=user, role=role, target=target)
    return len(PEOPLE)


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, scope) of the demo logins present in the database, in PEOPLE order."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[p[0] for p in PEOPLE]).prefetch_related(
            "memberships__region",
            "memberships__park",
            "memberships__enterprise",
            "memberships__department",
        )
    }
    logins = []
    for username, role, _office in PEOPLE:
        user = users.get(username)
        if user is None:
            continue
        held = [m for m in user.memberships.all() if m.role == role]
        # A department membership also names the department's region: the department is the scope.
        targets = [str(m.department or m.enterprise or m.park or m.region or "") for m in held]
        targets = [t for t in targets if t] or ["—"]
        scope = targets[0] + (f" (+{len(targets) - 1})" if len(targets) > 1 else "")
        logins.append((username, str(role.label), scope))
    return logins


# ---- the whole city -------------------------------------------------------------------------


@transaction.atomic
def build_city(
    *, seed: int = 2022, size: int = 1000, stdout: Writer | None = None
) -> dict[str, Any]:
    """Build the demo city in one transaction; returns the counts and the demo logins."""
    if size < MIN_SIZE:
        raise ValueError(f"The demo city needs at least {MIN_SIZE} above-size enterprises.")

    def say(text: str) -> None:
        if stdout is not None:
            stdout.write(text + "\n")

    rng = random.Random(seed)
    places = Places.load()
    parks = build_parks(rng, ACTOR, places)
    say(f"parks: {len(parks)}")
    enterprises = build_enterprises(rng, ACTOR, places, size)
    above = sum(e.above_size for e in enterprises)
    say(f"enterprises: {len(enterprises)} ({above} above designated size)")
    measures = build_measures(ACTOR, places)
    say(f"control measures: {measures}")
    users = build_people(rng, ACTOR, places, parks, enterprises)
    say(f"demo logins: {users}")
    listed, listed_parks = scenario.build_whitelists(ACTOR, parks, enterprises)
    say(f"whitelisted: {listed_parks} parks and {listed} enterprises")
    plans = scenario.build_plans(rng, ACTOR, enterprises)
    say(f"closed-loop plans approved: {plans}")
    stopped = scenario.build_spring_festival(rng, ACTOR, enterprises)
    say(f"Spring Festival stops and returns: {stopped}")
    for title, count in scenario.build_switching(ACTOR).items():
        say(f"switched under {title}: {count}")
    say(f"halted after a case on site: {power.build_case_halts(ACTOR, seed=seed)}")
    say(f"daily reports: {scenario.build_reports(rng, ACTOR)}")
    say(f"resumption targets: {scenario.build_targets(ACTOR, places.city)}")
    metered = power.build_power(ACTOR, seed=seed)
    say(
        f"meter data: {metered.readings} daily readings, {metered.profiles} hourly profiles, "
        f"{metered.large_accounts} large industrial accounts"
    )
    say(f"power alerts for 1–20 September: {metered.detection.created}")
    say(build_problems(ACTOR, seed=seed, password=DEMO_PASSWORD).summary())
    say(chains.build_chains(ACTOR, seed=seed).summary())
    return {
        "parks": len(parks),
        "enterprises": len(enterprises),
        "above_size": above,
        "measures": measures,
        "users": users,
        "power": metered,
        "logins": demo_logins(),
    }
