"""Supply links read from an Excel (or CSV) file: the columns, the words the ledgers use, and the
parsing of a share ("40%" or 0.4), a stock in days and a yes/no. The checking and writing, all or
nothing, is keepline.chains.services.import_links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.core.tabular import Column, read_table

COLUMNS = [
    Column("supplier", gettext_lazy("Supplier's credit code"), True, "91510500MA62X5QF23"),
    Column("customer", gettext_lazy("Customer's credit code"), True, "91510502MA6CUSTOM7"),
    Column("product", gettext_lazy("Product"), True, "玻璃酒瓶"),
    Column("sector", gettext_lazy("Industry code"), True, "30"),
    Column("share", gettext_lazy("Share"), True, "40%"),
    Column("stock_days", gettext_lazy("Stock (days)"), True, "7"),
    Column("substitutes", gettext_lazy("Substitutes exist"), False, "否"),
    Column("note", gettext_lazy("Note"), False, ""),
]
# The headers the ledgers in use carry, read whatever the interface's language.
ALIASES = [
    Column(key, alias)
    for key, aliases in {
        "supplier": (
            "供应商",
            "供方",
            "供应商统一社会信用代码",
            "供方统一社会信用代码",
            "供应商信用代码",
        ),
        "customer": (
            "客户",
            "需方",
            "客户统一社会信用代码",
            "需方统一社会信用代码",
            "客户信用代码",
        ),
        "product": ("产品", "供应产品", "产品名称"),
        "sector": ("行业代码", "行业", "产品行业代码", "industry"),
        "share": ("份额", "供应份额", "占比", "供货占比"),
        "stock_days": ("库存天数", "库存（天）", "库存(天)", "stock"),
        "substitutes": ("可替代", "是否可替代", "有替代"),
        "note": ("备注",),
    }.items()
    for alias in aliases
]
LABELS = {c.key: c.label for c in COLUMNS}

YES = {"1", "y", "yes", "true", "是", "有", "可", "可以", "✓", "√"}
NO = {"", "0", "n", "no", "false", "否", "无", "不", "不可", "×"}
THOUSANDTH = Decimal("0.001")
TENTH = Decimal("0.1")
MAX_STOCK = Decimal("365")


@dataclass
class RowError:
    """One bad cell of an import file: the row as Excel shows it, the column's key, why."""

    row: int
    column: str
    message: str

    @property
    def where(self) -> str:
        return _("row %(row)d, %(column)s") % {
            "row": self.row,
            "column": LABELS.get(self.column, self.column),
        }

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


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


def read_file(filename: str, data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The numbered rows of an .xlsx or .csv file (a file that cannot be read, or lacks a
    required column, raises InvalidInput)."""
    _total, rows = read_table(
        filename, data, [*COLUMNS, *ALIASES], max_rows=settings.KEEPLINE_IMPORT_MAX_ROWS
    )
    return list(rows)
