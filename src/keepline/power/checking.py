"""Checking a meter-data file whole, writing nothing: every row against the rules, rows repeated
in the file, and the data already held that the file will replace.

The good rows are kept as one polars frame (a few dozen bytes a row, never a Python object a
row), which `services.imports.import_power` writes; so a file is read once to check it and not
again to write it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, overload

import polars as pl
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core.imports import ImportCheck, RowError
from keepline.core.scopes import Actor, visible
from keepline.enterprises.models import PowerAccount
from keepline.power.importing import (
    DATE_FORMATS,
    EARLIEST,
    LABELS,
    MAX_LISTED,
    TIME_FORMATS,
    MeterFile,
    open_meter_file,
)
from keepline.power.models import DailyReading, ImportKind, LoadProfile


class Problems:
    """The bad rows of a file: the first `MAX_LISTED` in full, and how many there are in all."""

    def __init__(self) -> None:
        self.listed: list[RowError] = []
        self.total = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.total += 1
        if len(self.listed) < MAX_LISTED:
            self.listed.append(RowError(row, column, message, str(LABELS.get(column, column))))

    def __bool__(self) -> bool:
        return self.total > 0

    def errors(self) -> list[RowError]:
        """The listed errors in file order; past `MAX_LISTED`, one more says how many are left."""
        errors = sorted(self.listed, key=lambda e: (e.row, e.column))
        if self.total > len(errors):
            errors.append(
                RowError(
                    errors[-1].row,
                    "file",
                    _("%(count)s more errors are not listed.")
                    % {"count": self.total - len(errors)},
                    str(LABELS["file"]),
                )
            )
        return errors


class MeterRow(NamedTuple):
    """One good row of a file, as the import page previews it."""

    row: int
    account: str
    day: dt.date
    minute: int | None  # interval files: the interval's start, in minutes after midnight
    kwh: float
    replaces: bool  # data is held for the account on that day, which the import replaces

    @property
    def when(self) -> str:
        if self.minute is None:
            return self.day.isoformat()
        return f"{self.day.isoformat()} {self.minute // 60:02d}:{self.minute % 60:02d}"


class MeterRows(Sequence[MeterRow]):
    """The good rows of a checked file, made into rows only when read."""

    def __init__(self, frame: pl.DataFrame, numbers: dict[int, str]) -> None:
        self.frame = frame
        self.numbers = numbers

    def __len__(self) -> int:
        return self.frame.height

    @overload
    def __getitem__(self, index: int) -> MeterRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[MeterRow]: ...

    def __getitem__(self, index: int | slice) -> MeterRow | list[MeterRow]:
        if isinstance(index, slice):
            return list(self._rows(self.frame[index]))
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return next(self._rows(self.frame[index]))

    def __iter__(self) -> Iterator[MeterRow]:
        return self._rows(self.frame)

    def _rows(self, frame: pl.DataFrame) -> Iterator[MeterRow]:
        minute = pl.col("minute") if "minute" in frame.columns else pl.lit(None, pl.Int32)
        columns = frame.select(
            "row", "account_id", "day", minute.alias("minute"), "kwh", "replaces"
        )
        for row, account_id, day, at, kwh, replaces in columns.iter_rows():
            yield MeterRow(row, self.numbers.get(account_id, ""), day, at, kwh, replaces)


@dataclass
class MeterCheck(ImportCheck[MeterRow]):
    """A checked meter-data file: its kind, its good rows as a frame, each account's first and
    last day in it, and how much held data those periods hold (what the import replaces)."""

    kind: str = ImportKind.DAILY
    interval: int = 0  # minutes of an interval file's intervals (15 or 60)
    filename: str = ""
    good: pl.DataFrame = field(default_factory=pl.DataFrame)
    ranges: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    replaced: int = 0


def accounts_frame(actor: Actor) -> pl.DataFrame:
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


def interval_minutes(meter: MeterFile) -> int:
    """15 when any interval starts off the hour, else 60."""
    for chunk in meter.chunks():
        if chunk.select((parse_when(meter.kind).dt.minute() % 60 != 0).any()).item():
            return 15
    return 60


def check_file(
    actor: Actor, filename: str, data: bytes, progress: Callable[[int], object] | None = None
) -> MeterCheck:
    """Check a whole file of daily energy (account, date, kWh) or interval load (account, time,
    kWh); `progress` is told how many rows each chunk had. A file that cannot be read, or
    lacks a column, raises InvalidInput; bad rows are the check's errors."""
    problems = Problems()
    frames: list[pl.DataFrame] = []
    total = 0
    with tempfile.NamedTemporaryFile(suffix=Path(filename).suffix) as f:
        f.write(data)
        f.flush()
        meter = open_meter_file(Path(f.name), filename)
        accounts = accounts_frame(actor)
        interval = interval_minutes(meter) if meter.kind == ImportKind.INTERVAL else 0
        for chunk in meter.chunks():
            frames.append(check_chunk(chunk, meter.kind, accounts, problems, interval=interval))
            total += chunk.height
            if progress is not None:
                progress(chunk.height)
    good = pl.concat(frames) if frames else pl.DataFrame()
    daily = meter.kind == ImportKind.DAILY
    if good.height:
        _repeated(good, daily, problems)
    elif not problems:
        problems.add(2, "file", _("The file has no data rows."))
    result = MeterCheck(
        errors=problems.errors(),
        total=total,
        kind=meter.kind,
        interval=interval,
        filename=filename,
    )
    if problems:
        return result
    ranges = good.group_by("account_id").agg(
        pl.col("day").min().alias("first"), pl.col("day").max().alias("last")
    )
    held = _held(ranges, daily)
    result.replaced = held.height
    result.ranges = {a: (first, last) for a, first, last in ranges.iter_rows()}
    result.good = (
        good.join(
            held.unique().with_columns(pl.lit(True).alias("replaces")),
            on=["account_id", "day"],
            how="left",
        )
        .with_columns(pl.col("replaces").fill_null(False))
        .sort("row")
    )
    numbers = dict(zip(accounts["account_id"], accounts["account"], strict=True))
    # Core types the rows as a list; these are a read-only sequence over the frame.
    result.rows = MeterRows(result.good, numbers)  # type: ignore[assignment]
    return result


def _repeated(good: pl.DataFrame, daily: bool, problems: Problems) -> None:
    """Name every row that repeats an earlier one (same account and day, or interval)."""
    keys = ["account_id", "day"] if daily else ["account_id", "day", "minute"]
    again = (
        good.filter(pl.struct(keys).is_duplicated())
        .with_columns(pl.col("row").min().over(keys).alias("first"))
        .filter(pl.col("row") != pl.col("first"))
        .sort("row")
    )
    if not again.height:
        return
    message = (
        _("Same account and day as row %(row)s.")
        if daily
        else _("Same account and time as row %(row)s.")
    )
    room = max(MAX_LISTED - len(problems.listed), 0)
    for row, first in again.select("row", "first").head(room).iter_rows():
        problems.add(row, "date" if daily else "time", message % {"row": first})
    problems.total += max(again.height - room, 0)


def _held(ranges: pl.DataFrame, daily: bool) -> pl.DataFrame:
    """(account id, day) of the data held within each account's first and last day in the file:
    what the import replaces."""
    model = DailyReading if daily else LoadProfile
    first, last = ranges["first"].min(), ranges["last"].max()
    keys = model.objects.filter(day__range=(first, last)).values_list("account_id", "day")
    held = pl.DataFrame(
        list(keys.iterator(chunk_size=20_000)),
        schema={"account_id": pl.Int64, "day": pl.Date},
        orient="row",
    )
    return (
        held.join(ranges, on="account_id")
        .filter(pl.col("day").is_between(pl.col("first"), pl.col("last")))
        .select("account_id", "day")
    )


# ---- checking a chunk ---------------------------------------------------------------------


def _parse(text: pl.Expr, formats: tuple[str, ...], to: str) -> pl.Expr:
    parsed = [
        text.str.to_date(f, strict=False) if to == "date" else text.str.to_datetime(f, strict=False)
        for f in formats
    ]
    return pl.coalesce(parsed)


def parse_when(kind: ImportKind) -> pl.Expr:
    """The `when` column as a date (daily files, `day`) or a datetime (interval files, `at`)."""
    text = pl.col("when").str.strip_chars()
    if kind == ImportKind.DAILY:
        return _parse(text, DATE_FORMATS, "date").alias("day")
    return _parse(text, TIME_FORMATS, "datetime").alias("at")


def check_chunk(
    frame: pl.DataFrame,
    kind: ImportKind,
    accounts: pl.DataFrame,
    problems: Problems,
    *,
    interval: int = 0,
) -> pl.DataFrame:
    """The good rows of a chunk as `row, account_id, day, kwh` (and `slot` for interval data);
    every bad row is added to `problems`.

    `accounts` maps `account` (number) to `account_id` and `inside` (within the importer's
    area); `interval` is the minutes of an interval file's intervals (15 or 60)."""
    today = timezone.localdate()
    frame = (
        frame.filter(pl.any_horizontal(pl.col("account", "when", "kwh").is_not_null()))
        .with_columns(
            pl.col("account").str.strip_chars(),
            parse_when(kind),
            pl.col("kwh")
            .str.strip_chars()
            .str.replace_all(",", "")
            .cast(pl.Float64, strict=False)
            .alias("value"),
        )
        .join(accounts, on="account", how="left")
    )
    if kind == ImportKind.INTERVAL:
        frame = frame.with_columns(pl.col("at").dt.date().alias("day"))
    limit = settings.KEEPLINE_POWER_MAX_KWH
    rules: list[tuple[str, pl.Expr, str]] = [
        ("account", pl.col("account").is_null(), _("Required.")),
        (
            "account",
            pl.col("account").is_not_null() & pl.col("account_id").is_null(),
            _("Unknown power account %(value)s."),
        ),
        ("account", pl.col("inside").not_(), _("Account %(value)s is outside your area.")),
        (
            "when",
            pl.col("when").is_null(),
            _("Required."),
        ),
        (
            "when",
            pl.col("when").is_not_null() & pl.col("day").is_null(),
            _("%(value)s is not a date (YYYY-MM-DD).")
            if kind == ImportKind.DAILY
            else _("%(value)s is not a time (YYYY-MM-DD HH:MM)."),
        ),
        ("when", pl.col("day") > today, _("%(value)s is in the future.")),
        ("when", pl.col("day") < EARLIEST, _("%(value)s is before 2000.")),
        ("kwh", pl.col("kwh").is_null(), _("Required.")),
        (
            "kwh",
            pl.col("kwh").is_not_null() & (pl.col("value").is_null() | pl.col("value").is_nan()),
            _("%(value)s is not a number."),
        ),
        ("kwh", pl.col("value") < 0, _("%(value)s is negative.")),
        (
            "kwh",
            pl.col("value") > limit,
            _("%(value)s kWh in a day is beyond any meter (at most %(limit)s).")
            if kind == ImportKind.DAILY
            else _("%(value)s kWh in an interval is beyond any meter (at most %(limit)s)."),
        ),
    ]
    if kind == ImportKind.INTERVAL:
        rules.append(
            (
                "when",
                pl.col("at").dt.minute() % interval != 0,
                _("%(value)s does not start a 15-minute or hourly interval.")
                if interval == 15
                else _("%(value)s does not start an hour, as the file's other rows do."),
            )
        )
    bad = pl.lit(False)
    for column, condition, message in rules:
        hit = condition.fill_null(False)
        bad = bad | hit
        if not problems.total >= MAX_LISTED:
            source = "account" if column == "account" else column
            for row, value in frame.filter(hit).select("row", source).iter_rows():
                key = {"when": "date" if kind == ImportKind.DAILY else "time"}.get(column, column)
                problems.add(row, key, message % {"value": value, "limit": f"{limit:,.0f}"})
        else:
            problems.total += frame.select(hit.sum()).item()
    good = frame.filter(bad.not_())
    if kind == ImportKind.DAILY:
        return good.select("row", "account_id", "day", pl.col("value").alias("kwh"))
    return good.select(
        "row",
        "account_id",
        "day",
        (pl.col("at").dt.hour().cast(pl.Int32) * 60 + pl.col("at").dt.minute()).alias("minute"),
        pl.col("value").alias("kwh"),
    )
