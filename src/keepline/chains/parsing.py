"""The values of a supply link as people write them, in a form or a ledger's file: a share
("40%" or 0.4), a stock in days ("7天") and a yes/no (是/否)."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

YES = {"1", "y", "yes", "true", "是", "有", "可", "可以", "✓", "√"}
NO = {"", "0", "n", "no", "false", "否", "无", "不", "不可", "×"}
THOUSANDTH = Decimal("0.001")
TENTH = Decimal("0.1")
MAX_STOCK = Decimal("365")


def text(value: Any) -> str:
    """A cell as trimmed text (a whole number Excel stored as 30.0 reads "30")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    try:
        found = Decimal(text(value).replace(",", ""))
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


def parse_share(value: Any) -> tuple[Decimal | None, str]:
    """A share of the customer's need: 0.4, "0.4" or "40%" → Decimal("0.400"); or why not."""
    raw = text(value).replace("％", "%")
    if raw == "":
        return None, _("This field is required.")
    percent = raw.endswith("%")
    number = _number(raw.rstrip("%").strip() if percent else value)
    if number is None:
        return None, _("Write a share like 0.4 or 40%.")
    if percent:
        number = number / 100
    share = number.quantize(THOUSANDTH, rounding=ROUND_HALF_UP)
    if not Decimal(0) < share <= 1:
        return None, _("A share lies above 0 and at most 1 (100%).")
    return share, ""


def parse_stock(value: Any) -> tuple[Decimal | None, str]:
    """Days of stock, 0–365, to a tenth of a day ("7", 7.5, "7天")."""
    raw = re.sub(r"\s*(天|日|days?)$", "", text(value), flags=re.IGNORECASE)
    if raw == "":
        return None, _("This field is required.")
    number = _number(raw if isinstance(value, str) else value)
    if number is None:
        return None, _("Write a number of days like 7 or 7.5.")
    days = number.quantize(TENTH, rounding=ROUND_HALF_UP)
    if not Decimal(0) <= days <= MAX_STOCK:
        return None, _("Days of stock lie between 0 and 365.")
    return days, ""


def parse_yes(value: Any) -> tuple[bool | None, str]:
    """Yes or no in either language (是/否, yes/no, 1/0); blank is no."""
    if isinstance(value, bool):
        return value, ""
    word = text(value).lower()
    if word in YES:
        return True, ""
    if word in NO:
        return False, ""
    return None, _("Write yes or no (是/否).")
