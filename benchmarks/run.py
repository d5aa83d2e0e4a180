"""Keepline's benchmarks, each on a throwaway database: `make bench` runs all, `--only NAME` one.

The database is PostgreSQL when DATABASE_URL is set (the database it names is created here and
dropped at the end; an existing one is refused, so a real database is never written to), else a
fresh SQLite file in a temporary directory. Each benchmark compares Keepline's path with a bare
baseline measured in the same run, so the ratio, not the absolute time, is what carries over
between machines.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import chains
import problems

T = TypeVar("T")

ROWS = 10_000
# The Luzhou districts and counties: a benchmark row must pass the same checks a real one does.
REGIONS = ["510502", "510503", "510504", "510521", "510522", "510524", "510525"]
INDUSTRIES = ["15", "26", "27", "30", "34", "39"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """Point Django at a database made for this run, and remove it afterwards.

    Must run before django.setup(): settings read DATABASE_URL and KEEPLINE_VAR once, on import.
    """
    scratch = tempfile.mkdtemp(prefix="keepline-bench-")
    # Secrets and static files of the run go here too, not into the project's var/.
    os.environ.setdefault("KEEPLINE_VAR", scratch)
    url = os.environ.get("DATABASE_URL", "")
    try:
        if url:
            with _postgres_database(url):
                yield url
        else:
            url = f"sqlite:///{scratch}/bench.sqlite3"
            os.environ["DATABASE_URL"] = url
            yield url
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextlib.contextmanager
def _postgres_database(url: str) -> Iterator[None]:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name == "postgres":
        sys.exit(f"DATABASE_URL must name a database of its own for the benchmark: {url}")
    host, user = parts.hostname or "localhost", parts.username or "postgres"

    def server() -> psycopg.Connection[tuple[object, ...]]:
        # CREATE/DROP DATABASE cannot run inside a transaction, hence autocommit.
        return psycopg.connect(
            host=host,
            port=parts.port or 5432,
            user=user,
            password=parts.password or "",
            dbname="postgres",
            autocommit=True,
        )

    with server() as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            sys.exit(
                f"database {name!r} already exists; the benchmark only uses a database it creates"
                f" (drop it with: dropdb -h {host} -U {user} {name})"
            )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with server() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def _timed(action: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _report(label: str, rows: int, seconds: float) -> None:
    print(f"  {label:<44} {seconds:8.3f} s  {rows / seconds:>10,.0f} rows/s")


# ---- import-enterprises ---------------------------------------------------------------------


def enterprise_csv(rows: int, *, seed: int = 2022) -> bytes:
    """A clean import file: every credit code valid and unique, one liaison and account each."""
    from stdnum.cn import uscc

    from keepline.enterprises.validation import COLUMNS

    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.key for c in COLUMNS])
    for serial in range(1, rows + 1):
        region = REGIONS[serial % len(REGIONS)]
        body = f"91{region}{serial:09d}"
        record = {
            "uscc": body + uscc.calc_check_digit(body),
            "name": f"泸州基准测试{serial:05d}有限公司",
            "region": region,
            "park": "",
            "industry": rng.choice(INDUSTRIES),
            "above_size": "yes" if rng.random() < 0.9 else "no",
            "annual_output": f"{rng.uniform(500, 90000):.2f}",
            "employees": str(rng.randint(10, 3000)),
            "capacity_note": "",
            "liaison_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "liaison_phone": f"138{serial:08d}",
            "power_accounts": f"05{serial:08d}",
        }
        writer.writerow([record[c.key] for c in COLUMNS])
    return out.getvalue().encode("utf-8")


def bench_import_enterprises() -> None:
    from django.db import connection, transaction

    from keepline.core.imports import ImportCheck
    from keepline.core.scopes import SystemActor
    from keepline.enterprises import services
    from keepline.enterprises.importers import ENTERPRISE_IMPORTER
    from keepline.enterprises.models import Enterprise

    actor = SystemActor("benchmark")
    data = enterprise_csv(ROWS)

    def validate() -> ImportCheck[Any]:
        return ENTERPRISE_IMPORTER.check(actor, "bench.csv", data)

    validation_s, check = _timed(validate)
    if not check.ok:
        sys.exit(f"the generated file has errors, first: {check.errors[0]}")

    # The baseline writes the same clean rows with nothing else: its own transaction, committed
    # like the import's, then removed so the import meets the same empty registry.
    def bare_insert() -> None:
        with transaction.atomic():
            Enterprise.objects.bulk_create(
                [
                    Enterprise(
                        **{k: v for k, v in row.items() if k not in {"liaison", "power_accounts"}}
                    )
                    for row in check.rows
                ],
                batch_size=2000,
            )

    baseline_s, _ = _timed(bare_insert)
    Enterprise.objects.all().delete()
    if connection.vendor == "postgresql":
        # The deleted rows stay in the unique index until vacuumed and would slow the import's
        # uniqueness checks, charging the baseline's leftovers to Keepline.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE enterprises_enterprise")

    import_s, _ = _timed(lambda: services.import_enterprises(actor=actor, check=check))
    if Enterprise.objects.count() != ROWS:
        sys.exit("the import did not write every row")

    total_s = validation_s + import_s
    print(f"import-enterprises: {ROWS:,} rows of CSV on {_describe()}")
    _report("validation (the importer's check)", ROWS, validation_s)
    _report("writes (import_enterprises, incl. audit)", ROWS, import_s)
    _report("total", ROWS, total_s)
    _report("baseline: bare Enterprise bulk_create", ROWS, baseline_s)
    print(
        f"  Keepline's full import takes {total_s / baseline_s:.1f}× the time of a bare bulk"
        f" insert (its writes alone {import_s / baseline_s:.1f}×)."
    )


def _describe() -> str:
    from django.db import connection

    version = ".".join(str(n) for n in connection.get_database_version())
    return f"{connection.display_name} {version}"


# ---- figures ----------------------------------------------------------------------------------

FIGURE_RUNS = 7


def _loop_tallies(as_of: object) -> dict[str, tuple[int, object, int]]:
    """The straightforward way: each above-size enterprise, its latest mode record, one by one."""
    from decimal import Decimal

    from keepline.bubble.models import ModeRecord
    from keepline.enterprises.models import Enterprise

    tallies: dict[str, list[object]] = {}
    for enterprise in Enterprise.objects.filter(above_size=True).only(
        "pk", "annual_output", "employees"
    ):
        record = (
            ModeRecord.objects.filter(enterprise_id=enterprise.pk, effective_from__lte=as_of)
            .order_by("-effective_from", "-id")
            .first()
        )
        mode = record.mode if record else "normal"
        tally = tallies.setdefault(mode, [0, Decimal(0), 0])
        tally[0] += 1  # type: ignore[operator]
        tally[1] += enterprise.annual_output  # type: ignore[operator]
        tally[2] += enterprise.employees  # type: ignore[operator]
    return {mode: (t[0], t[1], t[2]) for mode, t in tallies.items()}  # type: ignore[misc]


def bench_figures() -> None:
    import datetime as dt
    import statistics

    import province
    from django.db import connection

    from keepline.core.scopes import SystemActor
    from keepline.reports.indicators.computing import compute
    from keepline.reports.indicators.scope import FigureScope

    if connection.vendor != "postgresql":
        print("figures: skipped, it measures PostgreSQL (make bench sets DATABASE_URL)")
        return
    size = int(os.environ.get("KEEPLINE_BENCH_ENTERPRISES", "50000"))
    days = int(os.environ.get("KEEPLINE_BENCH_DAYS", "365"))
    from keepline.enterprises.models import Enterprise

    others = Enterprise.objects.count()
    made = province.generate(enterprises=size, days=days)
    print(
        f"figures: province of {made.enterprises:,} enterprises (+{others:,} left by other"
        f" benchmarks), {made.mode_records:,} mode"
        f" records, {made.reports:,} daily reports on {_describe()} (generated in"
        f" {made.seconds:.0f} s)"
    )
    actor = SystemActor("benchmark")
    scope = FigureScope(regions=("510000",))
    as_of = dt.datetime(2022, 9, 15, 15, 0, tzinfo=province.TZ)
    compute(actor, scope, as_of)  # warm the caches as a dashboard in use would be
    times = []
    for _ in range(FIGURE_RUNS):
        seconds, figures = _timed(lambda: compute(actor, scope, as_of))
        times.append(seconds)
    median = statistics.median(times)
    loop_s, loop = _timed(lambda: _loop_tallies(as_of))
    loop_before = _loop_tallies(as_of - dt.timedelta(days=1))
    got = {m: (t.enterprises, t.output, t.employees) for m, t in figures.summary.by_mode.items()}
    before = {
        m: (t.enterprises, t.output, t.employees) for m, t in figures.previous.by_mode.items()
    }
    if got != loop or before != loop_before:
        sys.exit(f"the figures and the loop disagree:\n{got}\n{loop}")
    label = f"figures for one as-of date (median of {FIGURE_RUNS}, with breakdowns)"
    print(f"  {label:<62} {median * 1000:8.0f} ms")
    print(f"  {'baseline: per-enterprise Python loop, same as-of':<62} {loop_s * 1000:8.0f} ms")
    print(
        f"  same tallies by mode for the day and the day before; the figures take"
        f" {median / loop_s:.3f}× the loop's time ({loop_s / median:.0f}× faster)."
    )
    print(
        f"  closed loop {figures.summary.closed_loop.enterprises:,} of"
        f" {figures.summary.total.enterprises:,}, resumption {figures.summary.resumption_count}%"
    )


# ---- import-power ---------------------------------------------------------------------------

METER_DAYS = 365


def _meter_files(
    numbers: list[str], account_ids: list[int], directory: str
) -> tuple[str, str, object]:
    """A year of daily readings for every account, twice: the grid's file (account number, date,
    kWh, as a user would import it) and the same rows as COPY text (account id, day, kWh)."""
    import datetime as dt

    import numpy as np
    import polars as pl

    rng = np.random.default_rng(2022)
    n, d = len(numbers), METER_DAYS
    days = np.arange(d)
    shape = np.where(days % 7 == 1, 0.75, 1.0) * (1 + 0.1 * np.sin(2 * np.pi * days / 365))
    kwh = np.round(
        rng.lognormal(7.5, 1.0, n)[:, None] * shape[None, :] * rng.uniform(0.9, 1.1, (n, d)), 1
    )
    rows = np.repeat(np.arange(n), d)
    dates = pl.date_range(
        dt.date(2022, 1, 1), dt.date(2022, 1, 1) + dt.timedelta(d - 1), eager=True
    )
    day_column = dates.gather(np.tile(days, n))
    grid = f"{directory}/meter-year.csv"
    pl.DataFrame(
        {"account": pl.Series(numbers).gather(rows), "date": day_column, "kwh": kwh.ravel()}
    ).write_csv(grid)
    copy = f"{directory}/meter-year.copy"
    pl.DataFrame(
        {"account_id": pl.Series(account_ids).gather(rows), "day": day_column, "kwh": kwh.ravel()}
    ).write_csv(copy, separator="\t", include_header=False)
    return grid, copy, kwh


def _copy_baseline(path: str) -> int:
    """PostgreSQL's own COPY of the same rows into a table like the readings' (same indexes,
    same deferred foreign key), streamed from the client as an import is."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy (LIKE power_dailyreading INCLUDING ALL)")
        cursor.execute(
            "ALTER TABLE bench_copy ADD FOREIGN KEY (account_id)"
            " REFERENCES enterprises_poweraccount (id) DEFERRABLE INITIALLY DEFERRED"
        )
    with transaction.atomic(), connection.cursor() as cursor:
        statement = "COPY bench_copy (account_id, day, kwh) FROM STDIN"
        with cursor.cursor.copy(statement) as copy, open(path, "rb") as f:
            while block := f.read(1 << 20):
                copy.write(block)
        cursor.execute("SELECT count(*) FROM bench_copy")
        count: int = cursor.fetchone()[0]
    return count


def bench_import_power() -> None:
    import province
    from django.db import connection

    from keepline.core.scopes import SystemActor
    from keepline.power.importers import POWER_IMPORTER
    from keepline.power.models import DailyReading

    if connection.vendor != "postgresql":
        print("import-power: skipped, it measures PostgreSQL (make bench sets DATABASE_URL)")
        return
    accounts = int(os.environ.get("KEEPLINE_BENCH_ACCOUNTS", "27400"))
    made = province.meter_accounts(accounts=accounts)
    directory = tempfile.mkdtemp(prefix="keepline-meter-")
    try:
        files_s, (grid, copy, kwh) = _timed(
            lambda: _meter_files(made.numbers, made.account_ids, directory)
        )
        rows = accounts * METER_DAYS
        size = os.path.getsize(grid) / 1e6
        print(
            f"import-power: {rows:,} daily readings ({accounts:,} accounts × {METER_DAYS} days,"
            f" a {size:,.0f} MB CSV) on {_describe()} (accounts {made.seconds:.0f} s, files"
            f" {files_s:.0f} s)"
        )
        copy_s, copied = _timed(lambda: _copy_baseline(copy))
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_copy")
        actor = SystemActor("benchmark")
        # The shared import's road: the whole file checked, then written in one transaction.
        import_s, (_check, written) = _timed(
            lambda: POWER_IMPORTER.run(actor, "meter-year.csv", Path(grid).read_bytes())
        )
        if copied != rows or written != rows or DailyReading.objects.count() != rows:
            sys.exit("the import or the COPY did not write every row")
        _report("import-power (read, check, write, audit)", rows, import_s)
        _report("baseline: PostgreSQL COPY of the same rows", rows, copy_s)
        print(
            f"  Keepline's import runs at {copy_s / import_s:.2f}× the speed of COPY, validation"
            f" included (aim: at least 0.5×)."
        )
        _bench_power_index(kwh)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# The reference period of the index benchmark: four January weeks (days 3..30 of the year).
REFERENCE = (3, 30)


def _bench_power_index(kwh: object) -> None:
    """The index for every day of the year over all the accounts, checked on one day against
    numpy over the generated matrix, and compared with one grouped scan of the same readings."""
    import datetime as dt

    import numpy as np
    from django.db import connection

    from keepline.core.scopes import SystemActor
    from keepline.power.metrics.baselines import Baseline, BaselineMethod
    from keepline.power.metrics.index import PowerFilter, compute
    from keepline.reports.indicators.scope import FigureScope

    first = dt.date(2022, 1, 1)
    last = first + dt.timedelta(days=METER_DAYS - 1)
    baseline = Baseline(
        method=BaselineMethod.PERIOD,
        start=first + dt.timedelta(days=REFERENCE[0]),
        end=first + dt.timedelta(days=REFERENCE[1]),
    )
    f = PowerFilter(
        scope=FigureScope(regions=("510000",)), since=first, until=last, baseline=baseline
    )
    index_s, index = _timed(lambda: compute(SystemActor("benchmark"), f))

    def grouped_scan() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT day, sum(kwh) FROM power_dailyreading GROUP BY day")
            return len(cursor.fetchall())

    scan_s, _days = _timed(grouped_scan)
    # numpy over the generated matrix: the same definitions, for the 165th day.
    matrix = np.asarray(kwh)
    n = 165
    base = matrix[:, REFERENCE[0] : REFERENCE[1] + 1].mean(axis=1)
    ratio = matrix[:, n] / base
    share = (ratio > 0.3).mean()
    rate = matrix[:, n].sum() / base.sum()
    expected = round((share * 0.5 + rate * 0.5) * 100, 2)
    got = index.series[n].tally.index
    if got is None or abs(float(got) - expected) > 0.011:
        sys.exit(f"the index and numpy disagree on {index.series[n].day}: {got} vs {expected}")
    print(
        f"  the power resumption index, {len(index.series)} days × {matrix.shape[0]:,} enterprises"
        f" with breakdowns: {index_s:.1f} s; one bare grouped scan of the same readings"
        f" {scan_s:.1f} s ({index_s / scan_s:.1f}×); {index.series[n].day}: {got} (numpy agrees)"
    )


# ---- running --------------------------------------------------------------------------------

BENCHMARKS: dict[str, Callable[[], None]] = {
    "import-enterprises": bench_import_enterprises,
    "figures": bench_figures,
    "import-power": bench_import_power,
    "problem-figures": problems.bench_problem_figures,
    "chains-propagation": chains.bench_propagation,
    "chains-scenario": chains.bench_scenario,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--only", choices=sorted(BENCHMARKS), help="run this benchmark alone")
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(BENCHMARKS)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keepline.settings")
    with throwaway_database():
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        for name in names:
            BENCHMARKS[name]()


if __name__ == "__main__":
    main()
