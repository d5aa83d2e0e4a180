"""Taking in meter data: a whole file, all of it or none of it.

The happy path streams the file once: each chunk is checked, then written (PostgreSQL `COPY` for
daily readings). A file with a bad row, a row twice, or rows that already exist is refused: the
transaction rolls back and a second pass, which keeps the keys of the good rows in a temporary
table, finds every duplicate and every overlap by SQL — so memory stays bounded either way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl
import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.scopes import Actor, SystemActor, memberships, require_role, visible
from keepline.enterprises.models import PowerAccount
from keepline.power.importing import (
    MAX_LISTED,
    MeterFile,
    Problems,
    check_chunk,
    open_meter_file,
    parse_when,
)
from keepline.power.models import IMPORTERS, DailyReading, ImportKind, LoadProfile, PowerImport

Progress = Callable[[int, int], object]  # (rows done, rows in the file)
GAPS_LISTED = 200
ANALYZE_AFTER = 100_000  # rows  # accounts whose missing days are spelled out on the import's page


class _Refused(Exception):
    """The file cannot be taken whole; the diagnosis pass says why, row by row."""


@contextlib.contextmanager
def _on_disk(stream: IO[bytes] | Path, filename: str) -> Iterator[Path]:
    """The upload as a file on disk, which the streaming readers need."""
    if isinstance(stream, Path):
        yield stream
        return
    path = getattr(stream, "temporary_file_path", None)
    if path is not None:
        yield Path(path())
        return
    suffix = Path(filename).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        stream.seek(0)
        shutil.copyfileobj(stream, f, 1 << 20)
        f.flush()
        yield Path(f.name)


def _accounts(actor: Actor) -> pl.DataFrame:
    """Every account number with its id and whether it lies within the actor's area."""
    inside = set(visible(PowerAccount.objects.all(), actor, "view").values_list("pk", flat=True))
    rows = list(PowerAccount.objects.values_list("number", "pk"))
    return pl.DataFrame(
        {
            "account": [n for n, _pk in rows],
            "account_id": [pk for _n, pk in rows],
            "inside": [pk in inside for _n, pk in rows],
        },
        schema={"account": pl.String, "account_id": pl.Int64, "inside": pl.Boolean},
    )


def _region(actor: Actor) -> Any:
    if isinstance(actor, SystemActor):
        return None
    return next((m.region for m in memberships(actor) if m.role in IMPORTERS and m.region_id), None)


def import_power(
    *,
    actor: Actor,
    filename: str,
    stream: IO[bytes] | Path,
    replace: bool = False,
    progress: Progress | None = None,
) -> PowerImport:
    """Take a file of daily energy (account, date, kWh) or interval load (account, time, kWh).

    With `replace`, each account's readings between its first and last day in the file are
    replaced; without it, a reading that already exists is an error. Raises InvalidInput naming
    every bad row (up to `MAX_LISTED`, with the count of the rest); nothing is written then."""
    require_role(actor, DailyReading, "change")
    with _on_disk(stream, filename) as path:
        meter = open_meter_file(path, filename)
        accounts = _accounts(actor)
        interval = _interval_minutes(meter) if meter.kind == ImportKind.INTERVAL else 0
        try:
            with transaction.atomic():
                return _load(actor, meter, accounts, interval, replace, progress)
        except (_Refused, IntegrityError):
            pass
        _diagnose(meter, accounts, interval, replace).raise_if_any()
    # The checks found nothing the database refused: not a fault of the file.
    raise RuntimeError("meter-data import failed without a bad row")


def _interval_minutes(meter: MeterFile) -> int:
    """15 when any interval starts off the hour, else 60."""
    for chunk in meter.chunks():
        if chunk.select((parse_when(meter.kind).dt.minute() % 60 != 0).any()).item():
            return 15
    return 60


def _load(
    actor: Actor,
    meter: MeterFile,
    accounts: pl.DataFrame,
    interval: int,
    replace: bool,
    progress: Progress | None,
) -> PowerImport:
    model = DailyReading if meter.kind == ImportKind.DAILY else LoadProfile
    today = dt.date.today()
    batch = PowerImport.objects.create(
        kind=meter.kind,
        filename=meter.filename[:255],
        rows=0,
        accounts=0,
        first_day=today,
        last_day=today,
        region=_region(actor),
        by=None if isinstance(actor, SystemActor) else actor,
        by_name=str(actor),
    )
    replaced = _delete_ranges(model, _ranges(meter, accounts, interval)) if replace else 0
    days: dict[int, tuple[dt.date, dt.date, int]] = {}  # account -> first, last, rows
    written = 0
    problems = Problems()
    profiles: set[tuple[int, dt.date]] = set()  # written by this import, for merging
    for chunk in meter.chunks():
        good = check_chunk(chunk, meter.kind, accounts, problems, interval=interval)
        if problems:
            raise _Refused
        if meter.kind == ImportKind.DAILY:
            _write_daily(good, batch.pk)
        else:
            _write_profiles(good, batch.pk, interval, profiles)
        for account_id, first, last, n in (
            good.group_by("account_id")
            .agg(pl.col("day").min(), pl.col("day").max().alias("last"), pl.len())
            .iter_rows()
        ):
            was = days.get(account_id)
            days[account_id] = (
                (min(was[0], first), max(was[1], last), was[2] + n) if was else (first, last, n)
            )
        written += chunk.height
        if progress is not None:
            progress(written, meter.total)
    if not days:
        raise _Refused
    batch.rows = sum(n for _f, _l, n in days.values())
    batch.accounts = len(days)
    batch.first_day = min(f for f, _l, _n in days.values())
    batch.last_day = max(last for _f, last, _n in days.values())
    batch.replaced = replaced
    if meter.kind == ImportKind.DAILY:
        batch.gaps = _gaps(days, batch.first_day, batch.last_day)
    batch.save()
    if connection.vendor == "postgresql" and batch.rows >= ANALYZE_AFTER:
        # Fresh statistics now, not when autovacuum gets round to it: a planner that still
        # thinks the table is small joins the next index query by nested loops (minutes).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    audit.record(
        actor=actor,
        action="import",
        obj=batch,
        after={
            "kind": meter.kind,
            "filename": batch.filename,
            "rows": batch.rows,
            "accounts": batch.accounts,
            "first_day": batch.first_day.isoformat(),
            "last_day": batch.last_day.isoformat(),
            "replaced": replaced,
        },
    )
    return batch


# ---- replacing a period ---------------------------------------------------------------------


def _ranges(
    meter: MeterFile, accounts: pl.DataFrame, interval: int
) -> dict[int, tuple[dt.date, dt.date]]:
    """Each account's first and last day in the file (good rows only)."""
    ranges: dict[int, tuple[dt.date, dt.date]] = {}
    ignored = Problems()
    for chunk in meter.chunks():
        good = check_chunk(chunk, meter.kind, accounts, ignored, interval=interval)
        for account_id, first, last in (
            good.group_by("account_id")
            .agg(pl.col("day").min(), pl.col("day").max().alias("last"))
            .iter_rows()
        ):
            was = ranges.get(account_id)
            ranges[account_id] = (min(was[0], first), max(was[1], last)) if was else (first, last)
    return ranges


def _delete_ranges(
    model: type[DailyReading] | type[LoadProfile], ranges: dict[int, tuple[dt.date, dt.date]]
) -> int:
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        ids, firsts, lasts = zip(*((a, f, t) for a, (f, t) in ranges.items()), strict=True)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} r USING unnest(%s::bigint[], %s::date[], %s::date[])"
                " AS v(account_id, first_day, last_day) WHERE r.account_id = v.account_id"
                " AND r.day BETWEEN v.first_day AND v.last_day",
                [list(ids), list(firsts), list(lasts)],
            )
            return cursor.rowcount
    deleted = 0
    with connection.cursor() as cursor:
        for account_id, (first, last) in ranges.items():
            cursor.execute(
                f"DELETE FROM {table} WHERE account_id = %s AND day BETWEEN %s AND %s",
                [account_id, first.isoformat(), last.isoformat()],
            )
            deleted += cursor.rowcount
    return deleted


# ---- writing --------------------------------------------------------------------------------


def _write_daily(good: pl.DataFrame, batch_id: int) -> None:
    rows = good.select(
        "account_id", pl.col("day").cast(pl.String), "kwh", pl.lit(batch_id).alias("batch_id")
    )
    table = DailyReading._meta.db_table
    columns = "account_id, day, kwh, batch_id"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            try:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(rows.write_csv(separator="\t", include_header=False))
            except psycopg.IntegrityError as exc:
                raise _Refused from exc  # a row twice, or one that exists: the diagnosis says
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s)", rows.rows()
            )


def _write_profiles(
    good: pl.DataFrame, batch_id: int, interval: int, written: set[tuple[int, dt.date]]
) -> None:
    """Interval rows into one profile per account and day; a day split across chunks is merged
    into the profile the earlier chunk wrote."""
    slots = 1440 // interval
    grouped: dict[tuple[int, dt.date], list[float | None]] = {}
    for account_id, day, minute, kwh in good.select(
        "account_id", "day", "minute", "kwh"
    ).iter_rows():
        values = grouped.setdefault((account_id, day), [None] * slots)
        if values[minute // interval] is not None:
            raise _Refused  # the same interval twice: the diagnosis names both rows
        values[minute // interval] = kwh
    again = grouped.keys() & written
    earlier = {
        (p.account_id, p.day): p
        for p in LoadProfile.objects.filter(
            batch_id=batch_id,
            account_id__in={a for a, _d in again},
            day__in={d for _a, d in again},
        )
        if (p.account_id, p.day) in again
    }
    written.update(grouped)
    new = []
    for (account_id, day), values in grouped.items():
        profile = earlier.get((account_id, day))
        if profile is None:
            new.append(
                LoadProfile(
                    account_id=account_id,
                    day=day,
                    interval_minutes=interval,
                    kwh=values,
                    batch_id=batch_id,
                )
            )
            continue
        for i, v in enumerate(values):
            if v is not None:
                if profile.kwh[i] is not None:
                    raise _Refused
                profile.kwh[i] = v
        profile.save(update_fields=["kwh"])
    LoadProfile.objects.bulk_create(new)


def _gaps(
    days: dict[int, tuple[dt.date, dt.date, int]], first: dt.date, last: dt.date
) -> list[dict[str, Any]]:
    """Accounts with fewer days in the file than the file's period, and the days they lack."""
    span = (last - first).days + 1
    short = sorted(a for a, (_f, _l, n) in days.items() if n < span)
    numbers = dict(
        PowerAccount.objects.filter(pk__in=short[:GAPS_LISTED]).values_list("pk", "number")
    )
    gaps = []
    for account_id in short[:GAPS_LISTED]:
        have = set(
            DailyReading.objects.filter(
                account_id=account_id, day__range=(first, last)
            ).values_list("day", flat=True)
        )
        ranges: list[list[str]] = []
        day = first
        while day <= last:
            if day not in have:
                start = day
                while day + dt.timedelta(days=1) <= last and day + dt.timedelta(days=1) not in have:
                    day += dt.timedelta(days=1)
                ranges.append([start.isoformat(), day.isoformat()])
            day += dt.timedelta(days=1)
        gaps.append(
            {
                "account": numbers[account_id],
                "missing": span - days[account_id][2],
                "ranges": ranges,
            }
        )
    return gaps


# ---- diagnosis ------------------------------------------------------------------------------

STAGE = "power_import_stage"


def _diagnose(meter: MeterFile, accounts: pl.DataFrame, interval: int, replace: bool) -> Problems:
    """Every bad row of a refused file: the checks of each row, then rows repeated in the file,
    then (unless replacing) rows the database already holds."""
    problems = Problems()
    numbers = dict(zip(accounts["account_id"], accounts["account"], strict=True))
    daily = meter.kind == ImportKind.DAILY
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (row bigint, account_id bigint, day date, minute int)"
        )
        for chunk in meter.chunks():
            good = check_chunk(chunk, meter.kind, accounts, problems, interval=interval)
            keys = good.select(
                "row",
                "account_id",
                pl.col("day").cast(pl.String),
                pl.lit(0).alias("minute") if daily else pl.col("minute"),
            )
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {STAGE} FROM STDIN") as copy:
                    copy.write(keys.write_csv(separator="\t", include_header=False))
            else:
                cursor.executemany(f"INSERT INTO {STAGE} VALUES (%s, %s, %s, %s)", keys.rows())
        duplicates = (
            f"FROM {STAGE} s JOIN (SELECT account_id, day, minute, MIN(row) AS first_row"
            f" FROM {STAGE} GROUP BY account_id, day, minute HAVING COUNT(*) > 1) f"
            " ON s.account_id = f.account_id AND s.day = f.day AND s.minute = f.minute"
            " WHERE s.row <> f.first_row"
        )
        column = "date" if daily else "time"
        message = (
            _("Same account and day as row %(row)s.")
            if daily
            else _("Same account and time as row %(row)s.")
        )
        for row, first_row in _listed(cursor, "s.row, f.first_row", duplicates, problems):
            problems.add(row, column, message % {"row": first_row})
        if not replace:
            table = (DailyReading if daily else LoadProfile)._meta.db_table
            overlaps = (
                f"FROM {STAGE} s JOIN {table} r ON r.account_id = s.account_id AND r.day = s.day"
            )
            for row, account_id, day in _listed(
                cursor, "s.row, s.account_id, s.day", overlaps, problems
            ):
                problems.add(
                    row,
                    column,
                    _(
                        "Account %(account)s already has data for %(day)s; import with "
                        "“replace” to overwrite it."
                    )
                    % {"account": numbers.get(account_id, account_id), "day": day},
                )
        cursor.execute(f"SELECT COUNT(*) FROM {STAGE}")
        staged = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {STAGE}")
    if not problems and not staged:
        problems.add(2, "file", _("The file has no data rows."))
    return problems


def _listed(cursor: Any, columns: str, query: str, problems: Problems) -> list[tuple[Any, ...]]:
    """The first rows a diagnosis query finds, in file order; the rest only counted."""
    cursor.execute(f"SELECT COUNT(*) {query}")
    count = cursor.fetchone()[0]
    room = max(MAX_LISTED - len(problems.listed), 0)
    problems.total += max(count - room, 0)
    cursor.execute(f"SELECT {columns} {query} ORDER BY s.row LIMIT {room}")
    return list(cursor.fetchall())
