"""Problems imported in bulk from an Excel (or CSV) file — the task force's paper ledger, a
district's collected list: every row checked first, every bad row reported, nothing written
unless all are good. The writing is keepline.problems.services.importing.import_problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.scopes import Actor, may_place
from keepline.core.tabular import Column, read_table
from keepline.enterprises.models import Enterprise
from keepline.problems.models import Problem, ProblemCategory, Urgency

COLUMNS = [
    Column("uscc", gettext_lazy("Unified social credit code"), True, "91510500MA62X5QF23"),
    Column("category", gettext_lazy("Category"), True, "物流运输"),
    Column("urgency", gettext_lazy("Urgency"), False, "紧急"),
    Column("title", gettext_lazy("Problem"), True, "原料运输车辆无法进入园区"),
    Column("description", gettext_lazy("Details"), False, "两辆原料车被拦在高速出口。"),
    Column("filed_at", gettext_lazy("Filed at"), False, "2022-09-12 09:30"),
]
LABELS = {c.key: c.label for c in COLUMNS}
# The words ledgers use for urgency, whatever the interface's labels say (a label may change
# with its translation; "Normal" without its context was the production mode 正常生产).
URGENCY_WORDS = {
    "一般": Urgency.NORMAL,
    "普通": Urgency.NORMAL,
    "紧急": Urgency.URGENT,
    "特急": Urgency.CRITICAL,
}


@dataclass
class RowError:
    row: int
    column: str  # the column's key
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, %(column)s: %(message)s") % {
            "row": self.row,
            "column": LABELS.get(self.column, self.column),
            "message": self.message,
        }


@dataclass
class ImportCheck:
    """The clean rows of a file, or every error in it."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _names(choices: Any) -> dict[str, str]:
    """Each choice's code and its label in Chinese and English -> the code."""
    names: dict[str, str] = {}
    for value, label in choices.choices:
        names[str(value).lower()] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                names[str(label).strip().lower()] = value
    return names


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _when(value: Any, now: dt.datetime) -> tuple[dt.datetime | None, str]:
    """A filing time from a cell (Excel date/time, or text "2022-09-12 09:30" / "2022-09-12");
    blank: now. Naive times are Asia/Shanghai."""
    if value in (None, ""):
        return now, ""
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time(0, 0))
    else:
        text = _text(value).replace("/", "-")
        parsed = parse_datetime(text) if ":" in text else None
        day = None if parsed else parse_date(text)
        if parsed is None and day is None:
            return None, _("Write a date and time like 2022-09-12 09:30.")
        when = parsed or dt.datetime.combine(day, dt.time(0, 0))  # type: ignore[arg-type]
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now:
        return None, _("The filing time is in the future.")
    return when, ""


def check_import(
    *, actor: Actor, rows: Iterable[tuple[int, dict[str, Any]]], now: dt.datetime | None = None
) -> ImportCheck:
    """Validate numbered rows; nothing is written. Enterprises are found by their unified
    social credit code and must be within the actor's area; a row repeating an earlier row's
    enterprise and problem is refused."""
    now = now or timezone.now()
    categories = _names(ProblemCategory)
    urgencies = _names(Urgency) | URGENCY_WORDS
    result = ImportCheck()
    numbered = list(rows)
    codes = {_text(raw.get("uscc")).upper() for _number, raw in numbered}
    enterprises = {
        e.uscc: e
        for e in Enterprise.objects.filter(uscc__in=codes).select_related("region", "park")
    }
    seen: dict[tuple[str, str], int] = {}
    for number, raw in numbered:
        errors: list[RowError] = []
        values: dict[str, Any] = {}
        code = _text(raw.get("uscc")).upper()
        enterprise = enterprises.get(code)
        if not code:
            errors.append(RowError(number, "uscc", _("This field is required.")))
        elif enterprise is None:
            errors.append(RowError(number, "uscc", _("No enterprise has this code.")))
        elif not may_place(
            actor,
            "file",
            Problem,
            region=enterprise.region,
            park=enterprise.park,
            enterprise=enterprise,
        ):
            errors.append(RowError(number, "uscc", _("This enterprise is outside your area.")))
        values["enterprise"] = enterprise
        category = _text(raw.get("category"))
        values["category"] = categories.get(category.lower())
        if not category:
            errors.append(RowError(number, "category", _("This field is required.")))
        elif values["category"] is None:
            errors.append(
                RowError(number, "category", _("Unknown category: %(v)s.") % {"v": category})
            )
        urgency = _text(raw.get("urgency"))
        values["urgency"] = urgencies.get(urgency.lower()) if urgency else Urgency.NORMAL
        if values["urgency"] is None:
            errors.append(
                RowError(number, "urgency", _("Unknown urgency: %(v)s.") % {"v": urgency})
            )
        title = _text(raw.get("title"))
        if not title:
            errors.append(RowError(number, "title", _("This field is required.")))
        elif len(title) > 200:
            errors.append(RowError(number, "title", _("At most %(n)d characters.") % {"n": 200}))
        values["title"] = title
        values["description"] = _text(raw.get("description"))
        values["filed_at"], message = _when(raw.get("filed_at"), now)
        if message:
            errors.append(RowError(number, "filed_at", message))
        if code and title:
            first = seen.setdefault((code, title), number)
            if first != number:
                errors.append(
                    RowError(number, "title", _("Same problem as row %(row)d.") % {"row": first})
                )
        if errors:
            result.errors.extend(errors)
        else:
            result.rows.append(values)
    return result


def check_file(
    *, actor: Actor, filename: str, data: bytes, now: dt.datetime | None = None
) -> ImportCheck:
    """Read an .xlsx or .csv file and check its rows (a file that cannot be read at all, or
    lacks a required column, raises InvalidInput)."""
    _total, rows = read_table(filename, data, COLUMNS, max_rows=settings.KEEPLINE_IMPORT_MAX_ROWS)
    return check_import(actor=actor, rows=rows, now=now)
