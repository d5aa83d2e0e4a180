"""Turning raw daily-report fields (a form, an API body or an Excel row) into clean values.

Every way in shares these rules, so a phone form, the API and a park's spreadsheet fail alike.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from keepline.bubble.models import EnterpriseMode
from keepline.core.tabular import Column
from keepline.enterprises.models import MAX_EMPLOYEES, MAX_OUTPUT_WAN
from keepline.reports.models import MAX_CAPACITY_USE, MAX_STOCK_DAYS

REPORT_FIELDS = [
    "mode",
    "staff_on_site",
    "staff_inside",
    "output_value",
    "capacity_use",
    "raw_material_days",
    "finished_goods_days",
    "problems",
]
COLUMNS = [
    Column("uscc", gettext_lazy("Unified social credit code"), True, "91510500MA62X5QF23"),
    Column("date", gettext_lazy("Report date"), True, "2022-09-11"),
    Column("mode", gettext_lazy("Mode"), True, "closed_loop"),
    Column("staff_on_site", gettext_lazy("Staff on site"), True, "420"),
    Column("staff_inside", gettext_lazy("Staff living inside the loop"), True, "380"),
    Column("output_value", gettext_lazy("Output value today (10k CNY)"), True, "152.5"),
    Column("capacity_use", gettext_lazy("Capacity use (%)"), True, "85"),
    Column("raw_material_days", gettext_lazy("Days of raw-material stock"), True, "12"),
    Column("finished_goods_days", gettext_lazy("Days of finished-goods stock"), True, "5"),
    Column("problems", gettext_lazy("Problems"), False, "缺少包装材料"),
]
MAX_PROBLEMS = 2000
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")


def mode_names() -> dict[str, str]:
    """Every accepted spelling of a mode -> its value: the value and the label in each language,
    so a park's spreadsheet may say "closed_loop", "Closed loop" or "闭环生产"."""
    names: dict[str, str] = {}
    for mode in EnterpriseMode:
        names[mode.value] = mode.value
        for language in ("zh-hans", "en"):
            with override(language):
                names[str(mode.label).strip().lower()] = mode.value
    return names


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores typed numbers as floats
    return str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(re.sub(r"[,，\s]", "", text).rstrip("%"))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def clean_report(
    raw: dict[str, Any], *, today: dt.date, modes: dict[str, str] | None = None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Clean values and errors by field. `date` is checked when present in `raw`."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def err(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    for key in REPORT_FIELDS[:-1] + (["date"] if "date" in raw else []):
        if not _text(raw, key) and not isinstance(raw.get(key), dt.date):
            err(key, _("This field is required."))

    if "date" in raw and raw.get("date") not in (None, ""):
        day = parse_date(raw["date"])
        if day is None:
            err(
                "date",
                _("Not a date (write it as 2022-09-11): %(value)s.") % {"value": raw["date"]},
            )
        elif day > today:
            err("date", _("The date is in the future: %(date)s.") % {"date": day.isoformat()})
        else:
            values["date"] = day

    mode = _text(raw, "mode")
    if mode:
        value = (modes or mode_names()).get(mode.lower())
        if value is None:
            err(
                "mode",
                _("Unknown mode %(value)s; use one of: %(modes)s.")
                % {"value": mode, "modes": ", ".join(EnterpriseMode.values)},
            )
        else:
            values["mode"] = value

    for key in ("staff_on_site", "staff_inside"):
        text = _text(raw, key)
        if not text:
            continue
        number = _number(text)
        if number is None or number != number.to_integral_value():
            err(key, _("Give a whole number of people: %(value)s.") % {"value": text})
        elif number < 0:
            err(key, _("Cannot be negative."))
        elif number > MAX_EMPLOYEES:
            err(key, _("Too large: %(value)s.") % {"value": text})
        else:
            values[key] = int(number)
    if values.get("staff_inside", 0) > values.get("staff_on_site", MAX_EMPLOYEES):
        err("staff_inside", _("Cannot be more than the staff on site."))
    if (
        values.get("mode") == EnterpriseMode.CLOSED_LOOP
        and values.get("staff_on_site", 0) > 0
        and values.get("staff_inside") == 0
    ):
        err("staff_inside", _("In closed-loop production the staff on site live inside the loop."))

    bounds: dict[str, tuple[Decimal, int]] = {
        "output_value": (MAX_OUTPUT_WAN, 2),
        "capacity_use": (MAX_CAPACITY_USE, 1),
        "raw_material_days": (MAX_STOCK_DAYS, 1),
        "finished_goods_days": (MAX_STOCK_DAYS, 1),
    }
    for key, (upper, places) in bounds.items():
        text = _text(raw, key)
        if not text:
            continue
        number = _number(text)
        if number is None:
            err(key, _("Not a number: %(value)s.") % {"value": text})
        elif number < 0:
            err(key, _("Cannot be negative."))
        elif number > upper:
            err(key, _("Must be at most %(max)s.") % {"max": upper})
        else:
            values[key] = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    problems = _text(raw, "problems")
    if len(problems) > MAX_PROBLEMS:
        err("problems", _("At most %(max)s characters.") % {"max": MAX_PROBLEMS})
    values["problems"] = problems
    return values, errors
