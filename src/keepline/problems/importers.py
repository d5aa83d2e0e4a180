"""The problems' file imports: problems in bulk (the task force's paper ledger, a district's
collected list) and the working-day calendar (a year's holidays and make-up workdays). Every row
is checked first and every bad row named; the services write them all or none."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date as parse_iso_date
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.imports import ImportCheck, Importer, Progress, Rows, register
from keepline.core.scopes import Actor, require_area, require_role
from keepline.core.tabular import Column
from keepline.enterprises.models import Enterprise
from keepline.problems.models import CalendarDay, Problem, ProblemCategory, Urgency
from keepline.problems.rules import may_file_for
from keepline.problems.services import calendar, importing
from keepline.problems.services.calendar import CalendarRow

Row = dict[str, Any]

# ---- problems ----------------------------------------------------------------------------------

PROBLEM_COLUMNS = [
    Column("uscc", gettext_lazy("Unified social credit code"), True, "91510500MA62X5QF23"),
    Column("category", gettext_lazy("Category"), True, "物流运输"),
    Column("urgency", gettext_lazy("Urgency"), False, "紧急"),
    Column("title", gettext_lazy("Problem"), True, "原料运输车辆无法进入园区"),
    Column("description", gettext_lazy("Details"), False, "两辆原料车被拦在高速出口。"),
    Column("filed_at", gettext_lazy("Filed at"), False, "2022-09-12 09:30"),
]
# The words ledgers use for urgency, whatever the interface's labels say (a label may change
# with its translation; "Normal" without its context was the production mode 正常生产).
URGENCY_WORDS = {
    "一般": Urgency.NORMAL,
    "普通": Urgency.NORMAL,
    "紧急": Urgency.URGENT,
    "特急": Urgency.CRITICAL,
}


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
        day = None if parsed else parse_iso_date(text)
        if parsed is None and day is None:
            return None, _("Write a date and time like 2022-09-12 09:30.")
        when = parsed or dt.datetime.combine(day, dt.time(0, 0))  # type: ignore[arg-type]
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now:
        return None, _("The filing time is in the future.")
    return when, ""


class ProblemImporter(Importer[Row]):
    kind = "problems"
    title = gettext_lazy("Import problems")
    columns = PROBLEM_COLUMNS
    model = Problem
    preview = (
        (gettext_lazy("Enterprise"), lambda r: r["enterprise"].name),
        (gettext_lazy("Category"), lambda r: ProblemCategory(r["category"]).label),
        (gettext_lazy("Urgency"), lambda r: Urgency(r["urgency"]).label),
        (gettext_lazy("Problem"), lambda r: r["title"]),
        (gettext_lazy("Filed at"), lambda r: timezone.localtime(r["filed_at"])),
    )

    def authorize(self, actor: Actor) -> None:
        """Importing is filing over an area (a liaison files for one enterprise only)."""
        require_area(actor, Problem, "file")

    def check_rows(
        self, actor: Actor, rows: Rows, progress: Progress | None = None
    ) -> ImportCheck[Row]:
        """Enterprises are found by their unified social credit code and must be within the
        actor's area; a row repeating an earlier row's enterprise and problem is refused."""
        now = timezone.now()
        categories = _names(ProblemCategory)
        urgencies = _names(Urgency) | URGENCY_WORDS
        result: ImportCheck[Row] = ImportCheck()
        numbered = list(rows)
        codes = {_text(raw.get("uscc")).upper() for _number, raw in numbered}
        enterprises = {
            e.uscc: e
            for e in Enterprise.objects.filter(uscc__in=codes).select_related("region", "park")
        }
        seen: dict[tuple[str, str], int] = {}
        for number, raw in numbered:
            before = len(result.errors)
            values: Row = {}
            code = _text(raw.get("uscc")).upper()
            enterprise = enterprises.get(code)
            if not code:
                result.error(number, "uscc", _("This field is required."))
            elif enterprise is None:
                result.error(number, "uscc", _("No enterprise has this code."))
            elif not may_file_for(actor, enterprise):
                result.error(number, "uscc", _("This enterprise is outside your area."))
            values["enterprise"] = enterprise
            category = _text(raw.get("category"))
            values["category"] = categories.get(category.lower())
            if not category:
                result.error(number, "category", _("This field is required."))
            elif values["category"] is None:
                result.error(number, "category", _("Unknown category: %(v)s.") % {"v": category})
            urgency = _text(raw.get("urgency"))
            values["urgency"] = urgencies.get(urgency.lower()) if urgency else Urgency.NORMAL
            if values["urgency"] is None:
                result.error(number, "urgency", _("Unknown urgency: %(v)s.") % {"v": urgency})
            title = _text(raw.get("title"))
            if not title:
                result.error(number, "title", _("This field is required."))
            elif len(title) > 200:
                result.error(number, "title", _("At most %(n)d characters.") % {"n": 200})
            values["title"] = title
            values["description"] = _text(raw.get("description"))
            values["filed_at"], message = _when(raw.get("filed_at"), now)
            if message:
                result.error(number, "filed_at", message)
            if code and title:
                first = seen.setdefault((code, title), number)
                if first != number:
                    result.error(
                        number, "title", _("Same problem as row %(row)d.") % {"row": first}
                    )
            if len(result.errors) == before:
                result.rows.append(values)
            if progress:
                progress(1)
        return result

    def write(self, actor: Actor, check: ImportCheck[Row]) -> int:
        return len(importing.import_problems(actor=actor, rows=check.rows))

    def done_url(self) -> str:
        return reverse("problems:list") + "?sort=-filed"


PROBLEM_IMPORTER = register(ProblemImporter())


# ---- the working-day calendar ------------------------------------------------------------------

CALENDAR_COLUMNS = [
    Column("date", gettext_lazy("Date"), True, "2023-01-02"),
    Column("working", gettext_lazy("Working day (yes/no)"), True, "否"),
    Column("name", gettext_lazy("Name"), False, "元旦"),
]
WORKING_YES = {"yes", "y", "true", "1", "是", "班", "上班"}
WORKING_NO = {"no", "n", "false", "0", "否", "休", "放假"}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell: an Excel date, or text like 2023-01-02, 2023/1/2 or 2023年1月2日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    found = _DATE.match(str(value or "").strip())
    if not found:
        return None
    try:
        return dt.date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def parse_working(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value or "").strip().lower()
    return True if text in WORKING_YES else False if text in WORKING_NO else None


class CalendarImporter(Importer[CalendarRow]):
    """Days already listed are changed; days not in the file are left as they are."""

    kind = "calendar"
    title = gettext_lazy("Import the working-day calendar")
    columns = CALENDAR_COLUMNS
    model = CalendarDay
    preview = (
        (gettext_lazy("Date"), lambda r: r.date),
        (gettext_lazy("Working day"), lambda r: _("yes") if r.working else _("no")),
        (gettext_lazy("Name"), lambda r: r.name),
    )

    @property
    def max_rows(self) -> int:
        return 1000

    def authorize(self, actor: Actor) -> None:
        """The calendar is one for everyone: its right is not over an area."""
        require_role(actor, CalendarDay, "change")

    def check_rows(
        self, actor: Actor, rows: Rows, progress: Progress | None = None
    ) -> ImportCheck[CalendarRow]:
        result: ImportCheck[CalendarRow] = ImportCheck()
        seen: dict[dt.date, int] = {}
        for number, raw in rows:
            before = len(result.errors)
            day = parse_date(raw["date"])
            if day is None:
                result.error(number, "date", _("Give a date like 2023-01-02."))
            elif day in seen:
                result.error(number, "date", _("Same date as row %(row)s.") % {"row": seen[day]})
            else:
                seen[day] = number
            working = parse_working(raw["working"])
            if working is None:
                result.error(number, "working", _("Write 是 or 否 (yes or no, 1 or 0)."))
            name = str(raw["name"] or "").strip()
            if len(name) > 100:
                result.error(number, "name", _("At most %(n)d characters.") % {"n": 100})
            if day is not None and working is not None and len(result.errors) == before:
                result.rows.append(CalendarRow(number, day, working, name))
            if progress:
                progress(1)
        return result

    def write(self, actor: Actor, check: ImportCheck[CalendarRow]) -> int:
        added, changed = calendar.import_calendar(actor=actor, rows=check.rows)
        return added + changed

    def done_url(self) -> str:
        return reverse("problems:setup_calendar")


CALENDAR_IMPORTER = register(CalendarImporter())
