"""Reading uploaded tables (.xlsx, .csv) row by row, and writing Excel workbooks for export."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from keepline.core.errors import InvalidInput

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """A column of an import file: its key, its label in the user's language, an example."""

    key: str
    label: StrOrPromise
    required: bool = False
    example: str = ""


def _normalise(header: Any) -> str:
    return str(header or "").strip().lower().replace(" ", "")


def header_map(columns: Sequence[Any]) -> dict[str, str]:
    """Every accepted spelling of each column header -> its key: the key itself and the label
    in each language, so a template downloaded in Chinese or English reads back the same."""
    names: dict[str, str] = {}
    for column in columns:
        names[_normalise(column.key)] = column.key
        for language in ("zh-hans", "en"):
            with override(language):
                names[_normalise(str(column.label))] = column.key
    return names


def read_table(
    filename: str, data: bytes, columns: Sequence[Any], *, max_rows: int
) -> tuple[int, Iterator[tuple[int, dict[str, Any]]]]:
    """(number of data rows, iterator of (row number as the user sees it, {key: cell})).

    Row numbers count the header as row 1, as Excel shows them. Blank rows are skipped.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise InvalidInput(_("This is not a readable .xlsx file.")) from exc
        sheet = book.worksheets[0]
        rows: Iterable[Sequence[Any]] = sheet.iter_rows(values_only=True)
        total = max((sheet.max_row or 1) - 1, 0)
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise InvalidInput(_("The CSV file is neither UTF-8 nor GB18030 text.")) from exc
        lines = list(csv.reader(io.StringIO(text)))
        rows, total = lines, max(len(lines) - 1, 0)
    else:
        raise InvalidInput(_("Upload an .xlsx or .csv file."), errors={"file": [_("Wrong type.")]})

    iterator = iter(rows)
    header = next(iterator, None)
    if header is None:
        raise InvalidInput(_("The file is empty."))
    names = header_map(columns)
    keys = [names.get(_normalise(h)) for h in header]
    missing = [str(c.label) for c in columns if c.required and c.key not in keys]
    if missing:
        raise InvalidInput(
            _("Columns missing from the header row: %(columns)s.")
            % {"columns": ", ".join(missing)},
            errors={"header": missing},
        )
    if total > max_rows:
        raise InvalidInput(_("The file has more than %(max)s rows.") % {"max": max_rows})

    def generate() -> Iterator[tuple[int, dict[str, Any]]]:
        for number, cells in enumerate(iterator, start=2):
            if not any(c not in (None, "") for c in cells):
                continue
            record = {c.key: "" for c in columns}
            for key, cell in zip(keys, cells, strict=False):
                if key is not None:
                    record[key] = cell
            yield number, record

    return total, generate()


def workbook_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = ""
) -> HttpResponse:
    """An .xlsx download written in streaming mode, so memory stays flat for long lists."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(title or "data")[:31])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.xlsx"'
    return response


def _cell(value: Any) -> Any:
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value
