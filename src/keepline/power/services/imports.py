"""Taking in meter data: a checked file (`power.checking`), all of it in one transaction.

Daily readings go in by PostgreSQL `COPY`. Each account's data between its first and last day
in the file is replaced: a re-delivery of a period corrects it, and a day the file lacks inside
that period becomes a gap, shown as such.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import psycopg
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from keepline.core import audit
from keepline.core.errors import Conflict
from keepline.core.scopes import Actor, SystemActor, memberships, require_role
from keepline.enterprises.models import PowerAccount
from keepline.power.checking import MeterCheck
from keepline.power.importing import CHUNK_ROWS
from keepline.power.models import IMPORTERS, DailyReading, ImportKind, LoadProfile, PowerImport

GAPS_LISTED = 200  # accounts whose missing days are spelled out on the import's page
ANALYZE_AFTER = 100_000  # rows


def _region(actor: Actor) -> Any:
    if isinstance(actor, SystemActor):
        return None
    return next((m.region for m in memberships(actor) if m.role in IMPORTERS and m.region_id), None)


def import_power(*, actor: Actor, check: MeterCheck) -> PowerImport:
    """Write a clean check of a file of daily energy or interval load: each account's data
    between its first and last day in the file is replaced by the file's."""
    require_role(actor, DailyReading, "change")
    try:
        with transaction.atomic():
            return _load(actor, check)
    except (psycopg.IntegrityError, IntegrityError):
        raise Conflict(
            _("Other meter data for these days was written meanwhile; import the file again.")
        ) from None


def _load(actor: Actor, check: MeterCheck) -> PowerImport:
    daily = check.kind == ImportKind.DAILY
    model = DailyReading if daily else LoadProfile
    good = check.good
    batch = PowerImport.objects.create(
        kind=check.kind,
        filename=check.filename[:255],
        rows=good.height,
        accounts=len(check.ranges),
        first_day=min(f for f, _l in check.ranges.values()),
        last_day=max(last for _f, last in check.ranges.values()),
        region=_region(actor),
        by=None if isinstance(actor, SystemActor) else actor,
        by_name=str(actor),
    )
    batch.replaced = _delete_ranges(model, check.ranges)
    profiles: set[tuple[int, dt.date]] = set()  # written by this import, for merging
    for start in range(0, good.height, CHUNK_ROWS):
        chunk = good.slice(start, CHUNK_ROWS)
        if daily:
            _write_daily(chunk, batch.pk)
        else:
            _write_profiles(chunk, batch.pk, check.interval, profiles)
    if daily:
        days = {
            account_id: (first, last, n)
            for account_id, first, last, n in good.group_by("account_id")
            .agg(pl.col("day").min(), pl.col("day").max().alias("last"), pl.len())
            .iter_rows()
        }
        batch.gaps = _gaps(days, batch.first_day, batch.last_day)
    batch.save()
    if connection.vendor == "postgresql" and batch.rows >= ANALYZE_AFTER:
        # Fresh statistics now, not when autovacuum gets round to it: a planner that still
        # thinks the table is small joins the next index query by nested loops (minutes).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    audit.record(
        actor=actor,
        action=audit.Action.IMPORT,
        obj=batch,
        after={
            "kind": check.kind,
            "filename": batch.filename,
            "rows": batch.rows,
            "accounts": batch.accounts,
            "first_day": batch.first_day.isoformat(),
            "last_day": batch.last_day.isoformat(),
            "replaced": batch.replaced,
        },
    )
    return batch


# ---- replacing a period ---------------------------------------------------------------------


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
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(rows.write_csv(separator="\t", include_header=False))
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
