"""The figures a press conference quotes, computed for any scope and any "as of" time.

The mode of every enterprise is its official mode (`bubble.ModeRecord`, the latest record
effective by the as-of time, else normal), never the mode a daily report states. Definitions are
in `definitions()` and in docs/indicators.md; the API returns them with the numbers.

Cost: the mode is a correlated subquery per enterprise (`bubble.selectors.with_mode`), so each
pass over the enterprises costs one index probe per enterprise. The figures make two such
passes: one GROUP BY (region below the area, park, industry, mode) that yields the totals and
every breakdown, and one GROUP BY mode for the same time the day before. Conditional aggregates
(COUNT … FILTER (WHERE mode = …)) over the annotated rows were measured 3× slower on PostgreSQL
15, which inlines the subquery into every filter; grouping evaluates it once per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.bubble.models import PRODUCING, EnterpriseMode, ModeRecord
from keepline.bubble.selectors import with_mode
from keepline.core.errors import InvalidInput
from keepline.core.scopes import Actor, visible
from keepline.enterprises.models import Enterprise, Industry, IndustryLevel
from keepline.places.models import ControlMeasure, MeasureKind, Park, Region
from keepline.reports import selectors
from keepline.reports.models import ResumptionTarget, TargetBasis

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MODES: tuple[str, ...] = tuple(EnterpriseMode.values)
PRODUCING_MODES: tuple[str, ...] = tuple(m.value for m in PRODUCING)
# The groups of enterprises a figure can be drilled down to, besides the single modes.
GROUPS: dict[str, tuple[str, ...]] = {
    "all": MODES,
    "counted": tuple(m for m in MODES if m != EnterpriseMode.SEASONAL_STOP),
    "producing": PRODUCING_MODES,
} | {m: (m,) for m in MODES}


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part ÷ whole × 100 unrounded (28 significant digits), or None when the whole is zero."""
    if not whole:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


def rounded(value: Decimal | None, places: int = 2) -> Decimal | None:
    """Half up, as published figures are; rounding happens once, at the end."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part: Decimal | int, whole: Decimal | int, places: int = 2) -> Decimal | None:
    return rounded(ratio(part, whole), places)


def points(now: Decimal | None, before: Decimal | None, places: int = 2) -> Decimal | None:
    """The change of a rate in percentage points, or None when either rate is undefined."""
    if now is None or before is None:
        return None
    return rounded(now - before, places)


# ---- scope ---------------------------------------------------------------------------------


def _codes(values: Iterable[str]) -> tuple[str, ...]:
    """Codes given as repeated parameters and/or separated by commas, in order, once each."""
    out: list[str] = []
    for value in values:
        for code in str(value).split(","):
            code = code.strip()
            if code and code not in out:
                out.append(code)
    return tuple(out)


@dataclass(frozen=True)
class FigureScope:
    """Which enterprises the figures count. Within a dimension the codes add up (region A or
    region B); the dimensions narrow each other (in these regions, and in these parks…)."""

    regions: tuple[str, ...] = ()  # region codes, each with its whole subtree
    parks: tuple[str, ...] = ()  # park codes
    industries: tuple[str, ...] = ()  # GB/T 4754 section letters or division codes
    under: str = ""  # a MeasureKind: only the areas covered by such measures in force
    all_sizes: bool = False  # False: above designated size only

    @classmethod
    def parse(
        cls,
        *,
        regions: Iterable[str] = (),
        parks: Iterable[str] = (),
        industries: Iterable[str] = (),
        under: str = "",
        all_sizes: bool = False,
    ) -> FigureScope:
        return cls(
            regions=_codes(regions),
            parks=tuple(c.upper() for c in _codes(parks)),
            industries=tuple(c.upper() for c in _codes(industries)),
            under=under.strip(),
            all_sizes=all_sizes,
        )

    def params(self) -> list[tuple[str, str]]:
        """The query parameters that select this scope (pages and the API read the same)."""
        out = [("region", c) for c in self.regions]
        out += [("park", c) for c in self.parks]
        out += [("industry", c) for c in self.industries]
        if self.under:
            out.append(("under", self.under))
        if self.all_sizes:
            out.append(("all_sizes", "true"))
        return out


@dataclass(frozen=True)
class Resolved:
    """The scope's codes as objects, and the measures behind `under`."""

    regions: list[Region]
    parks: list[Park]
    industries: list[Industry]
    measures: list[ControlMeasure]

    @property
    def industry_key(self) -> str:
        """Break down by section, unless the scope already names a division or one section."""
        sections = [i for i in self.industries if i.level == IndustryLevel.SECTION]
        by_section = len(sections) == len(self.industries) and len(sections) != 1
        return "industry__parent_id" if by_section else "industry_id"


def resolve(scope: FigureScope, as_of: dt.datetime) -> Resolved:
    """Look up the scope's codes; every unknown one is named in the error."""
    errors: dict[str, list[str]] = {}
    regions = {r.code: r for r in Region.objects.filter(code__in=scope.regions)}
    parks = {p.code: p for p in Park.objects.select_related("region").filter(code__in=scope.parks)}
    industries = {i.code: i for i in Industry.objects.filter(code__in=scope.industries)}
    for name, codes, found, message in (
        ("region", scope.regions, regions, _("Unknown region code: %(code)s.")),
        ("park", scope.parks, parks, _("Unknown park code: %(code)s.")),
        ("industry", scope.industries, industries, _("Unknown industry code: %(code)s.")),
    ):
        unknown = [c for c in codes if c not in found]
        if unknown:
            errors[name] = [message % {"code": ", ".join(unknown)}]
    if scope.under and scope.under not in MeasureKind.values:
        errors["under"] = [
            _("Unknown kind of measure; use one of: %(kinds)s.")
            % {"kinds": ", ".join(MeasureKind.values)}
        ]
    if errors:
        raise InvalidInput(_("The figures' filters have errors."), errors=errors)
    measures = (
        list(
            ControlMeasure.objects.filter(ControlMeasure.in_force_at(as_of), kind=scope.under)
            .prefetch_related("regions", "parks")
            .order_by("starts_at", "pk")
        )
        if scope.under
        else []
    )
    return Resolved(
        regions=[regions[c] for c in scope.regions],
        parks=[parks[c] for c in scope.parks],
        industries=[industries[c] for c in scope.industries],
        measures=measures,
    )


def _subtrees(lookup: str, regions: Iterable[Region]) -> Q:
    q = Q(pk__in=[])
    for region in regions:
        q |= Q(**{f"{lookup}__startswith": region.path})
    return q


def enterprises_in(actor: Actor, scope: FigureScope, resolved: Resolved) -> QuerySet[Enterprise]:
    """The enterprises the figures count: visible to the actor and inside the scope."""
    qs = visible(Enterprise.objects.all(), actor)
    if not scope.all_sizes:
        qs = qs.filter(above_size=True)
    if resolved.regions:
        qs = qs.filter(_subtrees("region__path", resolved.regions))
    if resolved.parks:
        qs = qs.filter(park__in=resolved.parks)
    if resolved.industries:
        q = Q(pk__in=[])
        for industry in resolved.industries:
            if industry.level == IndustryLevel.SECTION:
                q |= Q(industry__parent=industry)
            else:
                q |= Q(industry=industry)
        qs = qs.filter(q)
    if scope.under:
        covered = Q(pk__in=[])
        for measure in resolved.measures:
            covered |= _subtrees("region__path", measure.regions.all())
            covered |= Q(park__in=[p.pk for p in measure.parks.all()])
        qs = qs.filter(covered)
    return qs


# ---- numbers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """How many enterprises, with how much annual output value (10k CNY) and how many staff."""

    enterprises: int = 0
    output: Decimal = Decimal(0)
    employees: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.enterprises + other.enterprises,
            self.output + other.output,
            self.employees + other.employees,
        )

    def __sub__(self, other: Tally) -> Tally:
        return Tally(
            self.enterprises - other.enterprises,
            self.output - other.output,
            self.employees - other.employees,
        )


def _sum(tallies: Iterable[Tally]) -> Tally:
    total = Tally()
    for tally in tallies:
        total = total + tally
    return total


@dataclass(frozen=True)
class Summary:
    """The figures of one set of enterprises at one time, from their tallies by mode."""

    by_mode: Mapping[str, Tally]

    def group(self, name: str) -> Tally:
        return _sum(self.by_mode.get(m, Tally()) for m in GROUPS[name])

    @property
    def total(self) -> Tally:
        return self.group("all")

    @property
    def counted(self) -> Tally:
        return self.group("counted")

    @property
    def producing(self) -> Tally:
        return self.group("producing")

    @property
    def closed_loop(self) -> Tally:
        return self.group(EnterpriseMode.CLOSED_LOOP)

    @property
    def closed_loop_share_count(self) -> Decimal | None:
        return percent(self.closed_loop.enterprises, self.total.enterprises)

    @property
    def closed_loop_share_output(self) -> Decimal | None:
        return percent(self.closed_loop.output, self.total.output)

    @property
    def closed_loop_share_employees(self) -> Decimal | None:
        return percent(self.closed_loop.employees, self.total.employees)

    @property
    def resumption_count(self) -> Decimal | None:
        return percent(self.producing.enterprises, self.counted.enterprises)

    @property
    def resumption_output(self) -> Decimal | None:
        return percent(self.producing.output, self.counted.output)

    def rate(self, basis: str) -> Decimal | None:
        return self.resumption_output if basis == TargetBasis.OUTPUT else self.resumption_count

    def exact(self, rate: str) -> Decimal | None:
        """One of RATES unrounded, for changes and for figures published to other precisions."""
        fractions: dict[str, tuple[Decimal | int, Decimal | int]] = {
            "resumption_count": (self.producing.enterprises, self.counted.enterprises),
            "resumption_output": (self.producing.output, self.counted.output),
            "closed_loop_share_count": (self.closed_loop.enterprises, self.total.enterprises),
            "closed_loop_share_output": (self.closed_loop.output, self.total.output),
        }
        return ratio(*fractions[rate])


RATES = (
    "resumption_count",
    "resumption_output",
    "closed_loop_share_count",
    "closed_loop_share_output",
)


@dataclass(frozen=True)
class BreakdownRow:
    """The figures of one district, park or industry within the scope; `scope` selects exactly
    its enterprises (None where no scope can: enterprises directly under the area, no park)."""

    key: str
    label: str
    summary: Summary
    scope: FigureScope | None


class TargetStatus(TextChoices):
    REACHED = "reached", gettext_lazy("Reached")
    ON_TRACK = "on_track", gettext_lazy("On track")
    BEHIND = "behind", gettext_lazy("Behind")
    MISSED = "missed", gettext_lazy("Missed")


@dataclass(frozen=True)
class TargetProgress:
    """Where a resumption target stands at the as-of time."""

    target: ResumptionTarget
    area: str
    actual: Decimal | None
    gap: Decimal | None  # target − actual, in points; ≤ 0 once reached
    days_left: int
    needed_per_day: Decimal | None
    status: TargetStatus


@dataclass(frozen=True)
class Indicator:
    """One number with its meaning; `group` names the enterprises behind it ("" for changes)."""

    key: str
    label: str
    value: Decimal | int | None
    unit: str
    definition: str
    group: str


@dataclass(frozen=True)
class Figures:
    """Every figure of a scope at a time, the day before, and the definitions of each."""

    as_of: dt.datetime
    previous_as_of: dt.datetime
    scope: FigureScope
    area: Region | None  # the smallest region holding every enterprise counted
    named_regions: list[Region]  # the regions the scope names, or those under its measures
    summary: Summary
    previous: Summary
    by_region: list[BreakdownRow]
    by_park: list[BreakdownRow]
    by_industry: list[BreakdownRow]
    targets: list[TargetProgress]
    definitions: dict[str, str] = field(default_factory=dict)

    def change(self, rate: str, places: int = 2) -> Decimal | None:
        """The day-on-day change of one of RATES, in percentage points."""
        return points(self.summary.exact(rate), self.previous.exact(rate), places)

    def indicators(self) -> list[Indicator]:
        s, d = self.summary, self.definitions
        out = [
            Indicator(
                "enterprises",
                _("Enterprises"),
                s.total.enterprises,
                "enterprises",
                d["enterprises"],
                "all",
            ),
            Indicator(
                "output", _("Annual output value"), s.total.output, "10k CNY", d["output"], "all"
            ),
            Indicator(
                "employees", _("Employees"), s.total.employees, "people", d["employees"], "all"
            ),
        ]
        for mode in EnterpriseMode:
            out.append(
                Indicator(
                    f"mode_{mode.value}",
                    str(mode.label),
                    s.by_mode.get(mode.value, Tally()).enterprises,
                    "enterprises",
                    d[f"mode_{mode.value}"],
                    mode.value,
                )
            )
        closed = EnterpriseMode.CLOSED_LOOP.value
        out += [
            Indicator(
                "closed_loop",
                _("Closed-loop enterprises"),
                s.closed_loop.enterprises,
                "enterprises",
                d["closed_loop"],
                closed,
            ),
            Indicator(
                "closed_loop_share_count",
                _("Closed-loop share by count"),
                s.closed_loop_share_count,
                "%",
                d["closed_loop_share_count"],
                closed,
            ),
            Indicator(
                "closed_loop_share_output",
                _("Closed-loop share by output value"),
                s.closed_loop_share_output,
                "%",
                d["closed_loop_share_output"],
                closed,
            ),
            Indicator(
                "closed_loop_share_employees",
                _("Closed-loop share by employees"),
                s.closed_loop_share_employees,
                "%",
                d["closed_loop_share_employees"],
                closed,
            ),
            Indicator(
                "counted",
                _("Enterprises counted for resumption"),
                s.counted.enterprises,
                "enterprises",
                d["counted"],
                "counted",
            ),
            Indicator(
                "producing",
                _("Producing enterprises"),
                s.producing.enterprises,
                "enterprises",
                d["producing"],
                "producing",
            ),
            Indicator(
                "resumption_count",
                _("Resumption rate by count"),
                s.resumption_count,
                "%",
                d["resumption_count"],
                "producing",
            ),
            Indicator(
                "resumption_output",
                _("Resumption rate by output value"),
                s.resumption_output,
                "%",
                d["resumption_output"],
                "producing",
            ),
        ]
        labels = {
            "resumption_count": _("Resumption rate by count, change on the day before"),
            "resumption_output": _("Resumption rate by output value, change on the day before"),
            "closed_loop_share_count": _("Closed-loop share by count, change on the day before"),
            "closed_loop_share_output": _(
                "Closed-loop share by output value, change on the day before"
            ),
        }
        out += [
            Indicator(f"{rate}_change", labels[rate], self.change(rate), "points", d["change"], "")
            for rate in RATES
        ]
        return out


def definitions() -> dict[str, str]:
    """What each figure means, in the active language (docs/indicators.md says it at length)."""
    official = _(
        "The mode is the official one at the as-of time: the latest mode record effective by "
        "then, normal when there is none; the mode a daily report states is not used."
    )
    out = {
        "scope": _(
            "Enterprises in scope: those the actor may see, in the regions named (each with "
            "everything below it), the parks and the industries (section or division), and under "
            "the measures named in force at the as-of time; above designated size unless all "
            "sizes are asked for."
        ),
        "as_of": _(
            "Every figure is as of the stated time; the day before means the same time of the "
            "previous day."
        ),
        "enterprises": _("Number of enterprises in scope, in every mode."),
        "output": _(
            "Sum of the registered annual output value (10k CNY) of the enterprises in scope."
        ),
        "employees": _("Sum of the registered employees of the enterprises in scope."),
        "closed_loop": _("Enterprises in scope producing in closed loop.") + " " + official,
        "closed_loop_share_count": _(
            "Closed-loop enterprises ÷ all enterprises in scope × 100 (seasonal stops included "
            "in the denominator)."
        ),
        "closed_loop_share_output": _(
            "Annual output value of closed-loop enterprises ÷ annual output value of all "
            "enterprises in scope × 100."
        ),
        "closed_loop_share_employees": _(
            "Employees of closed-loop enterprises ÷ employees of all enterprises in scope × 100."
        ),
        "counted": _(
            "Enterprises in scope except those in seasonal stop: the denominator of the "
            "resumption rate."
        ),
        "producing": _(
            "Enterprises in scope in normal, closed-loop or semi-closed production: the numerator "
            "of the resumption rate."
        )
        + " "
        + official,
        "resumption_count": _(
            "Resumption rate (复工率) by count: producing enterprises ÷ enterprises in scope "
            "not in seasonal stop × 100."
        ),
        "resumption_output": _(
            "Resumption rate by output value: annual output value of producing enterprises ÷ "
            "annual output value of enterprises in scope not in seasonal stop × 100."
        ),
        "change": _(
            "The rate at the as-of time minus the same rate at the same time the day before, in "
            "percentage points, over the same enterprises."
        ),
        "breakdown": _(
            "Breakdowns give the same figures for each region one level below the area of the "
            "figures, each park (and enterprises in no park), and each industry section (or "
            "division, when the scope names a division or one section)."
        ),
        "target": _(
            "A target is a resumption rate (by count or by output value) an area is to reach by a "
            "date. Gap = target − rate at the as-of time, in points. Needed per day = gap ÷ days "
            "left. Reached: rate ≥ target. On track: the change on the day before is at least "
            "the needed per day. Behind: otherwise. Missed: the date has passed below target. "
            "The targets shown are those of the smallest area holding every enterprise in scope: "
            "its park, else its region or the nearest region above it that has targets."
        ),
    }
    for mode in EnterpriseMode:
        out[f"mode_{mode.value}"] = (
            _("Enterprises in scope in the mode “%(mode)s”.") % {"mode": mode.label}
            + " "
            + official
        )
    return out


# ---- computing -----------------------------------------------------------------------------


def _by_mode(qs: QuerySet[Any], *keys: Any, **expressions: Any) -> QuerySet[Any]:
    return (
        qs.values(*keys, "mode", **expressions)
        .annotate(n=Count("pk"), output=Sum("annual_output"), employees=Sum("employees"))
        .order_by()
    )


def common_path(low: str, high: str) -> str:
    """The path of the deepest region holding both; with sorted paths, holding all between."""
    common: list[str] = []
    for a, b in zip(low.strip("/").split("/"), high.strip("/").split("/"), strict=False):
        if a != b:
            break
        common.append(a)
    return "/".join(common) + "/" if common else ""


def narrow_regions(regions: list[Region], child: Region) -> tuple[str, ...]:
    """The scope's regions intersected with a child's subtree (subtrees nest or are apart)."""
    if not regions:
        return (child.code,)
    out: list[str] = []
    for region in regions:
        if region.path.startswith(child.path):
            out.append(region.code)
        elif child.path.startswith(region.path) and child.code not in out:
            out.append(child.code)
    return tuple(out)


def narrow_industries(industries: list[Industry], key: Industry) -> tuple[str, ...]:
    """The scope's industries intersected with one section or division."""
    if not industries:
        return (key.code,)
    out: list[str] = []
    for industry in industries:
        if industry.pk == key.pk or industry.parent_id == key.pk:
            out.append(industry.code)
        elif key.parent_id == industry.pk and key.code not in out:
            out.append(key.code)
    return tuple(out)


def _rollup(cells: Iterable[Mapping[str, Any]], key: str | None = None) -> dict[Any, Summary]:
    """Sum grouped rows along one dimension (None: all of them) into a Summary per value.

    The rows are already aggregates (one per combination of dimensions and mode), so this adds
    up at most a few thousand numbers; it never sees an enterprise."""
    sums: dict[Any, dict[str, list[Any]]] = {}
    for cell in cells:
        modes = sums.setdefault(cell[key] if key else None, {})
        acc = modes.setdefault(cell["mode"], [0, Decimal(0), 0])
        acc[0] += cell["n"]
        acc[1] += cell["output"] or 0
        acc[2] += cell["employees"] or 0
    return {k: Summary({m: Tally(*v) for m, v in modes.items()}) for k, modes in sums.items()}


def _total(rows: Iterable[Mapping[str, Any]]) -> Summary:
    return _rollup(rows).get(None, Summary({}))


def _the_day_before(
    base: QuerySet[Enterprise], summary: Summary, as_of: dt.datetime, before: dt.datetime
) -> Summary:
    """The summary at `before` from the one at `as_of`: only enterprises with a mode record
    effective in between can differ, so only they are looked at again, at both times."""
    changed = base.filter(
        pk__in=ModeRecord.objects.filter(
            effective_from__gt=before, effective_from__lte=as_of
        ).values("enterprise_id")
    )
    now = _total(_by_mode(with_mode(changed, as_of))).by_mode
    then = _total(_by_mode(with_mode(changed, before))).by_mode
    by_mode = {
        mode: summary.by_mode.get(mode, Tally()) - now.get(mode, Tally()) + then.get(mode, Tally())
        for mode in MODES
    }
    return Summary({mode: tally for mode, tally in by_mode.items() if tally.enterprises})


def compute(
    actor: Actor,
    scope: FigureScope = FigureScope(),
    as_of: dt.datetime | None = None,
    *,
    breakdowns: bool = True,
) -> Figures:
    """All figures of the scope as of `as_of` (default now), with the day before and targets.

    `breakdowns=False` leaves out the tables by region, park and industry: a trend of a rate over
    many days needs only the headline figures of each day, and they cost less."""
    as_of = as_of or timezone.now()
    if timezone.is_naive(as_of):
        as_of = timezone.make_aware(as_of)
    previous_as_of = as_of - dt.timedelta(days=1)
    resolved = resolve(scope, as_of)
    base = enterprises_in(actor, scope, resolved)
    industry_key = resolved.industry_key

    # The one pass over the enterprises: grouped by region, park (and industry) and mode. The
    # region is the enterprise's own; rolling it up to the level below the area happens on
    # these few thousand rows, so the query needs no join to learn the area first.
    keys = ["region_id", "park_id", *([industry_key] if breakdowns else [])]
    cells = list(_by_mode(with_mode(base, as_of), *keys))
    summary = _total(cells)
    previous = _the_day_before(base, summary, as_of, previous_as_of)

    paths = dict(
        Region.objects.filter(pk__in={c["region_id"] for c in cells}).values_list("pk", "path")
    )
    area_path = common_path(min(paths.values()), max(paths.values())) if paths else ""
    area = Region.objects.filter(path=area_path).first() if area_path else None
    park_sums = _rollup(cells, "park_id")
    parks = Park.objects.in_bulk([k for k in park_sums if k is not None])
    park_keys = list(park_sums)
    single_park = parks[park_keys[0]] if len(park_keys) == 1 and park_keys[0] else None

    by_region: list[BreakdownRow] = []
    by_park: list[BreakdownRow] = []
    by_industry: list[BreakdownRow] = []
    if breakdowns and area is not None:
        # One level below the area; the codes of a level share a length (GB/T 2260, towns).
        child_code = Region.objects.filter(parent=area).values_list("code", flat=True).first()
        key_length = len(area_path) + (len(child_code) + 1 if child_code else 0)
        for cell in cells:
            cell["region_key"] = paths[cell["region_id"]][:key_length]
        region_sums = _rollup(cells, "region_key")
        regions = {r.path: r for r in Region.objects.filter(path__in=list(region_sums))}
        for path in sorted(region_sums):
            region = regions[path]
            direct = path == area.path and child_code is not None
            by_region.append(
                BreakdownRow(
                    region.code,
                    _("%(region)s (directly)") % {"region": region.name} if direct else region.name,
                    region_sums[path],
                    None
                    if direct
                    else replace(scope, regions=narrow_regions(resolved.regions, region)),
                )
            )
        by_park = sorted(
            (
                BreakdownRow(
                    parks[k].code if k else "",
                    parks[k].name if k else _("Not in a park"),
                    park_summary,
                    replace(scope, parks=(parks[k].code,)) if k else None,
                )
                for k, park_summary in park_sums.items()
            ),
            key=lambda row: (row.key == "", row.label),
        )
        industry_sums = _rollup(cells, industry_key)
        industries = Industry.objects.in_bulk(list(industry_sums))
        by_industry = [
            BreakdownRow(
                industries[k].code,
                industries[k].name,
                industry_sums[k],
                replace(scope, industries=narrow_industries(resolved.industries, industries[k])),
            )
            for k in sorted(industry_sums, key=lambda k: industries[k].code)
        ]

    figures = Figures(
        as_of=as_of,
        previous_as_of=previous_as_of,
        scope=scope,
        area=area,
        named_regions=resolved.regions or _measure_regions(actor, resolved),
        summary=summary,
        previous=previous,
        by_region=by_region,
        by_park=by_park,
        by_industry=by_industry,
        targets=[],
        definitions=definitions(),
    )
    return replace(figures, targets=_targets(actor, figures, single_park))


def _measure_regions(actor: Actor, resolved: Resolved) -> list[Region]:
    """The regions the measures behind `under` cover that the actor may see, by code."""
    ids = {r.pk for m in resolved.measures for r in m.regions.all()}
    return list(visible(Region.objects.filter(pk__in=ids), actor).order_by("code"))


def _targets(actor: Actor, figures: Figures, park: Park | None) -> list[TargetProgress]:
    """The targets of the smallest area holding the scope: its park, else the nearest region."""
    if figures.area is None:
        return []
    chain = selectors.region_chain(figures.area.path)
    q = Q(region__path__in=chain)
    if park is not None:
        q |= Q(park=park)
    found = list(selectors.targets(actor).filter(q))
    areas: list[tuple[str, Any]] = ([("park", park.pk)] if park else []) + [
        ("region", path) for path in chain
    ]
    for kind, key in areas:
        chosen = [
            t
            for t in found
            if (kind == "park" and t.park_id == key)
            or (kind == "region" and t.region is not None and t.region.path == key)
        ]
        if chosen:
            break
    else:
        return []
    today = timezone.localtime(figures.as_of).date()
    out = []
    for target in chosen:
        actual = figures.summary.rate(target.basis)
        change = figures.change(
            "resumption_output" if target.basis == TargetBasis.OUTPUT else "resumption_count"
        )
        gap = None if actual is None else target.rate - actual
        days_left = (target.date - today).days
        needed = None
        if gap is None or gap > 0:
            needed = (
                (gap / days_left).quantize(CENT, rounding=ROUND_HALF_UP)
                if gap is not None and days_left > 0
                else gap
            )
        if gap is not None and gap <= 0:
            status = TargetStatus.REACHED
        elif days_left < 0:
            status = TargetStatus.MISSED
        elif needed is not None and change is not None and change >= needed:
            status = TargetStatus.ON_TRACK
        else:
            status = TargetStatus.BEHIND
        out.append(
            TargetProgress(
                target=target,
                area=str(target.park or target.region),
                actual=actual,
                gap=gap,
                days_left=days_left,
                needed_per_day=needed,
                status=status,
            )
        )
    return out


def enterprises_behind(
    actor: Actor,
    scope: FigureScope,
    group: str,
    as_of: dt.datetime | None = None,
) -> QuerySet[Enterprise]:
    """The enterprises a figure counts: the scope's in one mode or group of modes, each
    annotated with its `mode` at the as-of time, largest output first."""
    if group not in GROUPS:
        raise InvalidInput(
            _("Unknown group of enterprises."),
            errors={"mode": [_("Use one of: %(groups)s.") % {"groups": ", ".join(GROUPS)}]},
        )
    as_of = as_of or timezone.now()
    if timezone.is_naive(as_of):
        as_of = timezone.make_aware(as_of)
    resolved = resolve(scope, as_of)
    qs = with_mode(enterprises_in(actor, scope, resolved), as_of).filter(Q(mode__in=GROUPS[group]))
    return qs.select_related("region", "park", "industry").order_by(
        F("annual_output").desc(), "name", "pk"
    )
