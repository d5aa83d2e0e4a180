"""Which enterprises the figures count: the scope named by codes, looked up and applied."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.bubble.selectors import with_mode
from keepline.core.errors import InvalidInput
from keepline.core.scopes import Actor, visible
from keepline.enterprises.models import Enterprise, Industry, IndustryLevel
from keepline.places.models import ControlMeasure, MeasureKind, Park, Region
from keepline.reports.indicators.rates import GROUPS


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

    def enterprises_url(self, group: str, as_of: dt.datetime, base: str = "") -> str:
        """The list of the enterprises behind a figure of this scope, as an API address (or a
        page's, `base`)."""
        query = [*self.params(), ("mode", group), ("as_of", as_of.isoformat())]
        return (base or reverse("api:figure_enterprises")) + "?" + urlencode(query)


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
