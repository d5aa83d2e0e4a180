"""A province-scale city for the benchmarks: ~50,000 enterprises, a year of modes and reports.

Written with PostgreSQL's COPY (no services, no audit): this is load for measuring reads, not a
city anyone works in. Deterministic for a seed. Regions: the real Sichuan cities' codes, each with
synthetic districts (city code + 01…), plus Luzhou's real districts shipped by the migrations.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
SICHUAN_CITIES = [
    "510100", "510300", "510400", "510600", "510700", "510800", "510900", "511000", "511100",
    "511300", "511400", "511500", "511600", "511700", "511800", "511900", "512000", "513200",
    "513300", "513400",
]  # fmt: skip
DISTRICTS_PER_CITY = 8
PARKS = 240
INDUSTRIES = ["13", "14", "15", "17", "22", "23", "25", "26", "27", "29", "30", "33", "34", "35",
              "36", "38", "39", "44"]  # fmt: skip
YEAR_START = dt.date(2022, 1, 1)
SPRING_FESTIVAL = (dt.date(2022, 1, 28), dt.date(2022, 2, 10))
LOCKDOWN = (dt.date(2022, 9, 8), dt.date(2022, 9, 26))


@dataclass(frozen=True)
class Province:
    enterprises: int
    mode_records: int
    reports: int
    seconds: float


def _copy(
    cursor: object, table: str, columns: list[str], rows: Iterator[tuple[object, ...]]
) -> int:
    """Stream rows into a table with COPY in text format, a megabyte at a time."""
    count = 0
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
            buffer.write("\n")
            count += 1
            if buffer.tell() > 1 << 20:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


def _regions() -> list[int]:
    """District ids to place enterprises in: Luzhou's real ones and synthetic ones elsewhere."""
    from keepline.places.models import Region, RegionLevel

    sichuan = Region.objects.get(code="510000")
    for code in SICHUAN_CITIES:
        city, _ = Region.objects.get_or_create(
            code=code,
            defaults={
                "parent": sichuan,
                "level": RegionLevel.CITY,
                "name_zh": f"市{code}",
                "name_en": f"City {code}",
                "path": f"{sichuan.path}{code}/",
            },
        )
        for n in range(1, DISTRICTS_PER_CITY + 1):
            district = f"{code[:4]}{n:02d}"
            Region.objects.get_or_create(
                code=district,
                defaults={
                    "parent": city,
                    "level": RegionLevel.DISTRICT,
                    "name_zh": f"区{district}",
                    "name_en": f"District {district}",
                    "path": f"{city.path}{district}/",
                },
            )
    return list(
        Region.objects.filter(level=RegionLevel.DISTRICT, path__startswith="510000/").values_list(
            "pk", flat=True
        )
    )


def _modes(rng: random.Random, locked: bool, qualified: bool) -> list[tuple[dt.datetime, str]]:
    """A year of one enterprise's modes: the Spring Festival stop and the September lockdown."""
    out: list[tuple[dt.datetime, str]] = []
    stop, restart = SPRING_FESTIVAL
    if rng.random() < 0.6:
        out.append((dt.datetime.combine(stop, dt.time(8), TZ), "seasonal_stop"))
        back = restart + dt.timedelta(days=rng.randint(0, 20))
        out.append((dt.datetime.combine(back, dt.time(8), TZ), "normal"))
    if locked:
        start, end = LOCKDOWN
        mode = "closed_loop" if qualified else rng.choice(["semi_closed", "halted"])
        out.append((dt.datetime.combine(start, dt.time(0), TZ), mode))
        out.append((dt.datetime.combine(end, dt.time(0), TZ), "normal"))
    return out


def generate(*, enterprises: int = 50_000, days: int = 365, seed: int = 2022) -> Province:
    """Fill the (empty, migrated) PostgreSQL database; returns the row counts and the time."""
    from django.db import connection
    from stdnum.cn import uscc

    from keepline.enterprises.models import Enterprise, Industry
    from keepline.places.models import Park, ParkLevel, Region

    started = time.perf_counter()
    rng = random.Random(seed)
    districts = _regions()
    # problem-figures makes a province of its own after figures' in the same run: its park
    # codes and credit codes continue the numbering, as both must be unique.
    parks_before = Park.objects.filter(code__startswith="BENCH-").count()
    serials_before = Enterprise.objects.filter(uscc__startswith="91510000").count()
    industries = dict(Industry.objects.filter(code__in=INDUSTRIES).values_list("code", "pk"))
    district_regions = Region.objects.in_bulk(districts)
    parks = Park.objects.bulk_create(
        Park(
            code=f"BENCH-{n:03d}",
            name=f"基准园区{n:03d}",
            region=district_regions[rng.choice(districts)],
            level=ParkLevel.COUNTY,
            committee_contact="基准",
        )
        for n in range(parks_before, parks_before + PARKS)
    )
    parks_by_region: dict[int, list[int]] = {}
    for park in parks:
        parks_by_region.setdefault(park.region_id, []).append(park.pk)
    # A tenth of the districts is locked down in September, like Luzhou's five of seven.
    locked_districts = set(rng.sample(districts, len(districts) // 10))
    now = dt.datetime(2022, 12, 31, tzinfo=TZ).isoformat()

    plans: list[tuple[int, bool, bool, float]] = []  # region, locked, qualified, output

    def enterprise_rows() -> Iterator[tuple[object, ...]]:
        for serial in range(serials_before + 1, serials_before + enterprises + 1):
            region = rng.choice(districts)
            body = f"91510000{serial:09d}"
            output = round(min(rng.lognormvariate(9.0, 1.2), 5_000_000), 2)
            park = (
                rng.choice(parks_by_region[region])
                if region in parks_by_region and rng.random() < 0.5
                else None
            )
            locked = region in locked_districts
            plans.append((region, locked, rng.random() < 0.65, output))
            yield (
                body + uscc.calc_check_digit(body), f"基准企业{serial:06d}有限公司", region, park,
                industries[rng.choice(INDUSTRIES)], rng.random() < 0.95, output,
                max(5, int(output ** 0.7 / 3)), "", "", 1, now, now,
            )  # fmt: skip

    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        # Other benchmarks may have left enterprises of their own: only ours get modes.
        cursor.execute("SELECT coalesce(max(id), 0) FROM enterprises_enterprise")
        before = cursor.fetchone()[0]
        count = _copy(
            cursor,
            "enterprises_enterprise",
            ["uscc", "name", "region_id", "park_id", "industry_id", "above_size",
             "annual_output", "employees", "capacity_note", "whitelist_level", "version",
             "created_at", "updated_at"],
            enterprise_rows(),
        )  # fmt: skip
        cursor.execute("SELECT id FROM enterprises_enterprise WHERE id > %s ORDER BY id", [before])
        ids = [row[0] for row in cursor.fetchall()]

        def mode_rows() -> Iterator[tuple[object, ...]]:
            for pk, (_region, locked, qualified, _output) in zip(ids, plans, strict=True):
                for at, mode in _modes(rng, locked, qualified):
                    yield pk, mode, at.isoformat(), "benchmark", None, "benchmark", now

        records = _copy(
            cursor,
            "bubble_moderecord",
            ["enterprise_id", "mode", "effective_from", "reason", "measure_id", "recorded_by",
             "created_at"],
            mode_rows(),
        )  # fmt: skip

        def report_rows() -> Iterator[tuple[object, ...]]:
            for day in range(days):
                date = YEAR_START + dt.timedelta(days=day)
                stamp = dt.datetime.combine(date, dt.time(16), TZ).isoformat()
                for pk, (_region, _locked, _qualified, output) in zip(ids, plans, strict=True):
                    staff = 50 + pk % 400
                    yield (
                        pk, date.isoformat(), "normal", staff, staff // 4, round(output / 300, 2),
                        80, 12, 6, "", "import", None, "benchmark", stamp, stamp, False, 1,
                    )  # fmt: skip

        reports = _copy(
            cursor,
            "reports_dailyreport",
            ["enterprise_id", "date", "mode", "staff_on_site", "staff_inside", "output_value",
             "capacity_use", "raw_material_days", "finished_goods_days", "problems", "via",
             "submitted_by_id", "submitted_by_name", "submitted_at", "first_submitted_at", "late",
             "version"],
            report_rows(),
        ) if days else 0  # fmt: skip
        cursor.execute("ANALYZE")
    return Province(count, records, reports, time.perf_counter() - started)


@dataclass(frozen=True)
class MeterProvince:
    account_ids: list[int]
    numbers: list[str]
    seconds: float


def meter_accounts(*, accounts: int = 27_400, seed: int = 2022) -> MeterProvince:
    """Enterprises with one power account each, a tenth of them on the large-industry tariff."""
    from django.db import connection
    from stdnum.cn import uscc

    from keepline.enterprises.models import Industry

    started = time.perf_counter()
    rng = random.Random(seed)
    districts = _regions()
    industries = list(Industry.objects.filter(code__in=INDUSTRIES).values_list("pk", flat=True))
    now = dt.datetime(2022, 12, 31, tzinfo=TZ).isoformat()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute("SELECT coalesce(max(id), 0) FROM enterprises_enterprise")
        before = cursor.fetchone()[0]

        def enterprise_rows() -> Iterator[tuple[object, ...]]:
            for serial in range(1, accounts + 1):
                body = f"92510000{serial:09d}"
                output = round(min(rng.lognormvariate(9.0, 1.2), 5_000_000), 2)
                yield (
                    body + uscc.calc_check_digit(body), f"电力基准企业{serial:06d}有限公司",
                    rng.choice(districts), None, rng.choice(industries), True, output,
                    max(5, int(output ** 0.7 / 3)), "", "", 1, now, now,
                )  # fmt: skip

        _copy(
            cursor,
            "enterprises_enterprise",
            ["uscc", "name", "region_id", "park_id", "industry_id", "above_size",
             "annual_output", "employees", "capacity_note", "whitelist_level", "version",
             "created_at", "updated_at"],
            enterprise_rows(),
        )  # fmt: skip
        cursor.execute("SELECT id FROM enterprises_enterprise WHERE id > %s ORDER BY id", [before])
        enterprise_ids = [row[0] for row in cursor.fetchall()]
        numbers = [f"88{n:08d}" for n in range(1, accounts + 1)]
        _copy(
            cursor,
            "enterprises_poweraccount",
            ["enterprise_id", "number", "large_industry"],
            (
                (pk, number, rng.random() < 0.1)
                for pk, number in zip(enterprise_ids, numbers, strict=True)
            ),
        )
        cursor.execute(
            "SELECT id FROM enterprises_poweraccount WHERE number LIKE '88%%' ORDER BY number"
        )
        account_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute("ANALYZE enterprises_enterprise")
        cursor.execute("ANALYZE enterprises_poweraccount")
    return MeterProvince(account_ids, numbers, time.perf_counter() - started)
