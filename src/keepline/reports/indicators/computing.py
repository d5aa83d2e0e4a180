"""Computing the figures: one pass over the enterprises of a scope, grouped, and the
breakdowns rolled up from it.

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
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.bubble.models import ModeRecord
from keepline.bubble.selectors import with_mode
from keepline.core.scopes import Actor, visible
from keepline.enterprises.models import Enterprise, Industry
from keepline.places.models import Park, Region
from keepline.reports.indicators.definitions import definitions
from keepline.reports.indicators.rates import MODES, Summary, Tally
from keepline.reports.indicators.results import BreakdownRow, Figures
from keepline.reports.indicators.scope import FigureScope, Resolved, enterprises_in, resolve
from keepline.reports.indicators.targets import progress

# The scope of no filter: every enterprise the actor may see.
EVERYWHERE = FigureScope()


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
    scope: FigureScope = EVERYWHERE,
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
    return replace(
        figures,
        targets=progress(
            actor,
            area=area,
            park=single_park,
            summary=summary,
            previous=previous,
            as_of=as_of,
        ),
    )


def headline(
    actor: Actor, scope: FigureScope = EVERYWHERE, as_of: dt.datetime | None = None
) -> Summary:
    """The headline figures alone, as `compute` gives them in `summary`: one grouped query, with
    no day before, no targets and no tables (a trend's point; the dashboard draws 14)."""
    as_of = as_of or timezone.now()
    if timezone.is_naive(as_of):
        as_of = timezone.make_aware(as_of)
    resolved = resolve(scope, as_of)
    return _total(_by_mode(with_mode(enterprises_in(actor, scope, resolved), as_of)))


def _measure_regions(actor: Actor, resolved: Resolved) -> list[Region]:
    """The regions the measures behind `under` cover that the actor may see, by code."""
    ids = {r.pk for m in resolved.measures for r in m.regions.all()}
    return list(visible(Region.objects.filter(pk__in=ids), actor).order_by("code"))
