"""The chains' file imports: supply links (registered as "links": the shared import page,
`keepline import links FILE`, `POST /api/imports/links`) and a scenario's times to recover
(kind "recovery", bound to one scenario, so it runs on the scenario's own page). Every row is
checked first and every bad row named; the services write them all or none."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.chains import parsing
from keepline.chains.models import Scenario, SupplyLink
from keepline.chains.parsing import text
from keepline.chains.selectors.network import (
    in_area,
    recorded_links,
    recorded_shares,
    registry,
    sectors_by_code,
)
from keepline.chains.selectors.scenarios import get_scenario
from keepline.chains.services import network, runs
from keepline.chains.services.network import LinkRow
from keepline.chains.services.runs import MAX_RECOVERY_DAYS, MAX_RECOVERY_ROWS, RecoveryRow
from keepline.core.imports import ImportCheck, Importer, Progress, RowError, Rows, register
from keepline.core.scopes import Actor
from keepline.core.tabular import Column, read_table
from keepline.enterprises.models import Enterprise

# ---- supply links -----------------------------------------------------------------------------

LINK_COLUMNS = [
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
LINK_ALIASES = [
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
PRODUCT_MAX = 100
NOTE_MAX = 200
_ORDER = [c.key for c in LINK_COLUMNS]


class LinkImporter(Importer[LinkRow]):
    """A row naming a supplier, customer and product already linked updates that link. At
    least one end of each link lies in the actor's area, and both are enterprises they see."""

    kind = "links"
    title = gettext_lazy("Import supply links")
    intro = gettext_lazy(
        "Supplier and customer by their credit codes, product, industry code, share (0.4, or "
        "as a percentage) and days of stock. At least one end of each link must be in your "
        "area. A row naming a supplier, customer and product already linked updates that "
        "link. The ledgers' own headers (供应商, 客户, 份额, 库存天数…) are read too."
    )
    columns = LINK_COLUMNS
    model = SupplyLink
    preview = (
        (gettext_lazy("Supplier"), lambda r: r.supplier.name),
        (gettext_lazy("Customer"), lambda r: r.customer.name),
        (gettext_lazy("Product"), lambda r: r.product),
        (gettext_lazy("Sector"), lambda r: r.sector.code),
        (gettext_lazy("Share"), lambda r: r.share),
        (gettext_lazy("Stock (days)"), lambda r: r.stock_days),
        (gettext_lazy("Updates a recorded link"), lambda r: _("yes") if r.replaces else ""),
    )

    def check(
        self, actor: Actor, filename: str, data: bytes, progress: Progress | None = None
    ) -> ImportCheck[LinkRow]:
        """As every import checks, but the header row may also use the ledgers' own words
        (`LINK_ALIASES`), which the shared reader does not know."""
        self.authorize(actor)
        total, rows = read_table(
            filename, data, [*LINK_COLUMNS, *LINK_ALIASES], max_rows=self.max_rows
        )
        result = self.check_rows(actor, rows, progress)
        result.total = total
        labels = {c.key: str(c.label) for c in self.columns}
        result.errors = [
            RowError(e.row, e.column, e.message, labels.get(e.column, e.column))
            for e in result.errors
        ]
        return result

    def check_rows(
        self, actor: Actor, rows: Rows, progress: Progress | None = None
    ) -> ImportCheck[LinkRow]:
        numbered = list(rows)
        codes = {text(raw.get(side)).upper() for _n, raw in numbered for side in _SIDES}
        enterprises = {e.uscc: e for e in registry(actor).filter(uscc__in=codes)}
        sectors = sectors_by_code()
        result: ImportCheck[LinkRow] = ImportCheck()
        seen: dict[tuple[int, int, str], int] = {}
        for number, raw in numbered:
            row = _check_link(actor, number, raw, enterprises, sectors, result)
            if row is not None:
                first = seen.setdefault((row.supplier.pk, row.customer.pk, row.product), number)
                if first != number:
                    result.error(number, "product", _("Same link as row %(row)d.") % {"row": first})
                else:
                    result.rows.append(row)
            if progress:
                progress(1)
        recorded = recorded_links(
            {r.supplier.pk for r in result.rows}, {r.customer.pk for r in result.rows}
        )
        for row in result.rows:
            row.replaces = recorded.get((row.supplier.pk, row.customer.pk, row.product))
        _check_shares(result)
        result.errors.sort(key=lambda e: (e.row, _ORDER.index(e.column)))
        if not result.ok:
            result.rows = []
        return result

    def write(self, actor: Actor, check: ImportCheck[LinkRow]) -> int:
        written = network.import_links(actor=actor, check=check)
        return written.created + written.updated

    def done_url(self) -> str:
        return reverse("chains:links")


_SIDES = ("supplier", "customer")


def _check_link(
    actor: Actor,
    number: int,
    raw: dict[str, Any],
    enterprises: dict[str, Enterprise],
    sectors: dict[str, Any],
    result: ImportCheck[LinkRow],
) -> LinkRow | None:
    """One row, every bad cell named; the row when all are good."""
    before = len(result.errors)

    def err(column: str, message: str) -> None:
        result.error(number, column, message)

    ends: dict[str, Enterprise | None] = {}
    for side in _SIDES:
        code = text(raw.get(side)).upper()
        ends[side] = enterprises.get(code)
        if not code:
            err(side, _("This field is required."))
        elif ends[side] is None:
            err(side, _("No enterprise you can see has this code."))
    supplier, customer = ends["supplier"], ends["customer"]
    if supplier is not None and customer is not None:
        if supplier.pk == customer.pk:
            err("customer", _("An enterprise does not supply itself."))
        elif not (in_area(actor, supplier) or in_area(actor, customer)):
            err("customer", _("Neither enterprise is in your area."))
    product = text(raw.get("product"))
    if not product:
        err("product", _("This field is required."))
    elif len(product) > PRODUCT_MAX:
        err("product", _("At most %(n)d characters.") % {"n": PRODUCT_MAX})
    code = text(raw.get("sector")).upper()
    sector = sectors.get(code)
    if not code:
        err("sector", _("This field is required."))
    elif sector is None:
        err("sector", _("Unknown industry code: %(v)s.") % {"v": code})
    share, message = parsing.parse_share(raw.get("share"))
    if message:
        err("share", message)
    stock, message = parsing.parse_stock(raw.get("stock_days"))
    if message:
        err("stock_days", message)
    substitutes, message = parsing.parse_yes(raw.get("substitutes"))
    if message:
        err("substitutes", message)
    note = text(raw.get("note"))
    if len(note) > NOTE_MAX:
        err("note", _("At most %(n)d characters.") % {"n": NOTE_MAX})
    if len(result.errors) > before:
        return None
    assert supplier and customer and sector and share is not None and stock is not None
    return LinkRow(
        number, supplier, customer, product, sector, share, stock, bool(substitutes), note
    )


def _check_shares(result: ImportCheck[LinkRow]) -> None:
    """Name the rows whose customer's suppliers of a sector would cover more than the whole
    need, counting the links already recorded that the file does not replace."""
    groups: dict[tuple[int, int], list[LinkRow]] = defaultdict(list)
    for row in result.rows:
        groups[(row.customer.pk, row.sector.pk)].append(row)
    recorded = recorded_shares(
        {key[0] for key in groups}, [r.replaces for r in result.rows if r.replaces]
    )
    for key, group in groups.items():
        total = recorded.get(key, Decimal(0)) + sum(r.share for r in group)
        if total > 1:
            message = network.over_message(group[0].customer, group[0].sector, total)
            rows_named = ", ".join(str(r.number) for r in group)
            for row in group:
                result.error(
                    row.number, "share", f"{message} " + _("Rows: %(rows)s.") % {"rows": rows_named}
                )


LINK_IMPORTER = register(LinkImporter())


# ---- times to recover -------------------------------------------------------------------------

RECOVERY_COLUMNS = [
    Column("uscc", gettext_lazy("Credit code"), True, "91510502MA62X5QF2B"),
    Column("days", gettext_lazy("Time to recover (days)"), True, "14"),
]


class RecoveryImporter(Importer[RecoveryRow]):
    """The days each enterprise needs to recover its supply, in one scenario; an empty days
    cell clears the enterprise's time. The shared import page, command and API name only a
    kind, not a scenario, so this importer is not registered: the scenario's page runs it."""

    kind = "recovery"
    title = gettext_lazy("Import times to recover")
    columns = RECOVERY_COLUMNS
    model = Scenario
    preview = (
        (gettext_lazy("Credit code"), lambda r: r.uscc),
        (gettext_lazy("Time to recover (days)"), lambda r: r.days),
    )

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario

    @property
    def max_rows(self) -> int:
        return MAX_RECOVERY_ROWS

    def authorize(self, actor: Actor) -> None:
        get_scenario(actor, self.scenario.pk, "change")

    def check_rows(
        self, actor: Actor, rows: Rows, progress: Progress | None = None
    ) -> ImportCheck[RecoveryRow]:
        result: ImportCheck[RecoveryRow] = ImportCheck()
        seen: dict[str, int] = {}
        parsed: list[tuple[int, str, int | None]] = []
        for number, row in rows:
            uscc = text(row.get("uscc")).upper()
            raw = row.get("days")
            days = None if raw in (None, "") else runs.recovery_days(raw)
            good = True
            if not uscc:
                result.error(number, "uscc", _("The credit code is missing."))
                good = False
            elif uscc in seen:
                result.error(
                    number, "uscc", _("The same code as row %(row)s.") % {"row": seen[uscc]}
                )
                good = False
            if raw not in (None, "") and days is None:
                result.error(
                    number,
                    "days",
                    _("Enter whole days from 1 to %(max)s.") % {"max": MAX_RECOVERY_DAYS},
                )
                good = False
            if good:
                seen[uscc] = number
                parsed.append((number, uscc, days))
            if progress:
                progress(1)
        found = {e.uscc: e for e in registry(actor).filter(uscc__in=[p[1] for p in parsed])}
        for number, uscc, days in parsed:
            if uscc not in found:
                result.error(
                    number,
                    "uscc",
                    _("No enterprise you may see has the code %(uscc)s.") % {"uscc": uscc},
                )
            else:
                result.rows.append(RecoveryRow(number, uscc, found[uscc].pk, days))
        result.errors.sort(key=lambda e: (e.row, e.column != "uscc"))
        if not result.ok:
            result.rows = []
        return result

    def write(self, actor: Actor, check: ImportCheck[RecoveryRow]) -> int:
        return runs.import_recovery(actor=actor, scenario_id=self.scenario.pk, check=check)

    def done_url(self) -> str:
        return reverse("chains:scenario", args=[self.scenario.pk])
