"""Reading meter-data files (CSV, Excel, Parquet) in bounded chunks.

A file is read chunk by chunk (`CHUNK_ROWS` rows), so its rows are never Python objects:
CSV and Parquet through polars' streaming scans, Excel through openpyxl's read-only mode.
Every chunk comes out the same way — row number, account, date or time, kWh, all as text — and
`power.checking` checks it with polars expressions, so the rules are written once for the three
formats. It does not go through `core.tabular.read_table`, which makes a dict of every row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from keepline.core.errors import InvalidInput
from keepline.core.tabular import Column, header_map
from keepline.power.models import ImportKind

CHUNK_ROWS = 200_000
MAX_LISTED = 1_000  # bad rows kept for display; the count of all of them is kept apart
EARLIEST = dt.date(2000, 1, 1)

ACCOUNT = Column("account", gettext_lazy("Power account"), True, "0512345678")
KWH = Column("kwh", gettext_lazy("Energy (kWh)"), True, "12850.5")
DATE = Column("date", gettext_lazy("Date"), True, "2022-09-08")
TIME = Column("time", gettext_lazy("Interval start"), True, "2022-09-08 13:15")
COLUMNS = {ImportKind.DAILY: [ACCOUNT, DATE, KWH], ImportKind.INTERVAL: [ACCOUNT, TIME, KWH]}
LABELS = {c.key: c.label for c in (ACCOUNT, KWH, DATE, TIME)} | {"file": gettext_lazy("file")}

DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",  # midnight, as Excel writes it
)


@dataclass
class MeterFile:
    """A meter-data file on disk: its format, kind, and where its columns are."""

    path: Path
    filename: str
    kind: ImportKind
    positions: dict[str, int]  # column key -> position in the header row
    total: int  # data rows (for progress; blank rows included)

    def chunks(self) -> Iterator[pl.DataFrame]:
        """Frames of `row` (as the user numbers it: header is row 1), `account`, `when`, `kwh`."""
        name = self.filename.lower()
        when = "date" if self.kind == ImportKind.DAILY else "time"
        order = {"account": "account", when: "when", "kwh": "kwh"}
        if name.endswith(".xlsx"):
            yield from self._excel_chunks(order)
            return
        if name.endswith(".parquet"):
            width = len(pl.read_parquet_schema(self.path))
            lazy = pl.scan_parquet(self.path).select(pl.all().cast(pl.String))
        else:
            width = _csv_width(self.path)
            lazy = pl.scan_csv(
                self.path,
                has_header=False,
                skip_lines=1,
                schema={f"c{i}": pl.String for i in range(width)},
                encoding="utf8-lossy",
                truncate_ragged_lines=True,
            )
        names = lazy.collect_schema().names()
        lazy = lazy.select(
            pl.col(names[self.positions[key]]).alias(alias) for key, alias in order.items()
        ).with_row_index("row", offset=2)
        for frame in lazy.collect_batches(chunk_size=CHUNK_ROWS):
            yield frame.with_columns(pl.col("row").cast(pl.Int64))

    def _excel_chunks(self, order: dict[str, str]) -> Iterator[pl.DataFrame]:
        book = load_workbook(self.path, read_only=True, data_only=True)
        try:
            rows = book.worksheets[0].iter_rows(min_row=2, values_only=True)
            columns: dict[str, list[Any]] = {"row": [], **{a: [] for a in order.values()}}
            for number, cells in enumerate(rows, start=2):
                columns["row"].append(number)
                for key, alias in order.items():
                    p = self.positions[key]
                    columns[alias].append(_text(cells[p] if p < len(cells) else None))
                if len(columns["row"]) == CHUNK_ROWS:
                    yield _frame(columns)
                    columns = {k: [] for k in columns}
            if columns["row"]:
                yield _frame(columns)
        finally:
            book.close()


def _frame(columns: dict[str, list[Any]]) -> pl.DataFrame:
    return pl.DataFrame(
        columns,
        schema={"row": pl.Int64, "account": pl.String, "when": pl.String, "kwh": pl.String},
    )


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        # Excel keeps dates as midnight datetimes.
        return value.strftime("%Y-%m-%d" if value.time() == dt.time() else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv_header(path: Path) -> list[str]:
    with path.open("rb") as f:
        line = f.readline()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = line.decode(encoding)
        except UnicodeDecodeError:
            continue
        return next(csv.reader(io.StringIO(text)), [])
    raise InvalidInput(_("The CSV file is neither UTF-8 nor GB18030 text."))


def _csv_width(path: Path) -> int:
    return len(_csv_header(path))


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            count += block.count(b"\n")
    return count


def open_meter_file(path: Path, filename: str) -> MeterFile:
    """Read the header of a meter-data file: its kind (daily or interval) and its columns.

    Raises InvalidInput for an unknown format, an unreadable file or missing columns."""
    name = filename.lower()
    try:
        if name.endswith(".csv"):
            header: list[Any] = _csv_header(path)
            total = max(_count_lines(path) - 1, 0)
        elif name.endswith(".xlsx"):
            book = load_workbook(path, read_only=True, data_only=True)
            sheet = book.worksheets[0]
            header = list(next(sheet.iter_rows(max_row=1, values_only=True), ()))
            total = max((sheet.max_row or 1) - 1, 0)
            book.close()
        elif name.endswith(".parquet"):
            header = list(pl.read_parquet_schema(path))
            total = pl.scan_parquet(path).select(pl.len()).collect().item()
        else:
            raise InvalidInput(
                _("Upload a .csv, .xlsx or .parquet file."), errors={"file": [_("Wrong type.")]}
            )
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InvalidInput(_("The file cannot be read."), errors={"file": [str(exc)]}) from exc
    except pl.exceptions.PolarsError as exc:
        raise InvalidInput(_("The file cannot be read."), errors={"file": [str(exc)]}) from exc
    names = header_map([ACCOUNT, KWH, DATE, TIME])
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        key = names.get(str(h or "").strip().lower().replace(" ", ""))
        if key is not None and key not in positions:
            positions[key] = i
    kind = ImportKind.INTERVAL if "time" in positions else ImportKind.DAILY
    missing = [str(c.label) for c in COLUMNS[kind] if c.key not in positions]
    if missing:
        raise InvalidInput(
            _("Columns missing from the header row: %(columns)s.")
            % {"columns": ", ".join(missing)},
            errors={"header": missing},
        )
    return MeterFile(path=path, filename=filename, kind=kind, positions=positions, total=total)
