"""A scenario's network and shock as the propagation engine's arrays.

Every enterprise with an output value is modelled (the network spans the whole registry: a
supplier in a shut district hurts customers in any city). Its capacity on each day comes from the
scenario's areas the way the bubble module switches modes (`keepline.bubble.services`): inside a
shut area an enterprise qualified by an approved closed-loop plan runs closed loop, otherwise it
halts at the highest strictness and runs semi-closed below it. Closed-loop and semi-closed
enterprises keep the capacity use their latest daily report in that mode states, or the
scenario's default share; enterprises outside the shut area may make up to the scenario's spare
capacity above normal for customers whose suppliers stopped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import connections
from django.db.models import FloatField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from keepline.bubble.models import EnterpriseMode
from keepline.bubble.selectors import qualified_ids
from keepline.bubble.services.switching import HALT_AT_STRICTNESS
from keepline.chains.models import Scenario, SupplyLink
from keepline.chains.propagation import Network
from keepline.enterprises.models import Enterprise
from keepline.reports.models import DailyReport

# Normal output per day from the annual output value (万元 a year).
DAYS_A_YEAR = 365


@dataclass(frozen=True)
class ScenarioInputs:
    """The engine's arrays for one scenario, with the enterprise behind each position."""

    ids: np.ndarray  # (n,) enterprise pks, position i in the arrays
    network: Network
    capacity: np.ndarray  # (T, n) share of normal output each enterprise may make each day
    shut: np.ndarray  # (T, n) bool: inside a shut area that day
    kept_share: np.ndarray  # (n,) the capacity it keeps when kept running in a closed loop
    link_ids: np.ndarray  # (L,) SupplyLink pks, position l in the link arrays

    def position(self) -> dict[int, int]:
        """Enterprise pk → position."""
        return {int(pk): i for i, pk in enumerate(self.ids)}

    @property
    def in_area(self) -> np.ndarray:
        """(n,) bool: shut on some day of the scenario (its loss is direct)."""
        return np.asarray(self.shut.any(axis=0))

    def keeping(self, positions: np.ndarray) -> np.ndarray:
        """The capacity matrix with these enterprises kept producing in a closed loop on the days
        their area is shut (never below what the scenario already gives them)."""
        capacity = self.capacity.copy()
        cols = np.asarray(positions, dtype=np.int64)
        kept = np.maximum(capacity[:, cols], self.kept_share[cols])
        capacity[:, cols] = np.where(self.shut[:, cols], kept, capacity[:, cols])
        return capacity


def _day(scenario: Scenario, day: dt.date) -> int:
    return (day - scenario.starts_on).days


def _reported_shares(ids: list[int], mode: str, before: dt.date) -> dict[int, float]:
    """Each enterprise's capacity use (as a share) in its latest report in `mode` up to `before`."""
    latest = DailyReport.objects.filter(
        enterprise=OuterRef("pk"), mode=mode, date__lte=before
    ).order_by("-date")
    rows = (
        Enterprise.objects.filter(pk__in=ids)
        .annotate(use=Subquery(latest.values("capacity_use")[:1]))
        .exclude(use=None)
        .values_list("pk", "use")
    )
    return {pk: min(float(use) / 100, 1.0) for pk, use in rows}


def build(scenario: Scenario) -> ScenarioInputs:
    """The engine's inputs for the scenario as it stands in the database."""
    # Floats cast in the query: a Decimal built for each value, then converted, costs more
    # than the fetch itself at province scale (see the chains-scenario benchmark).
    enterprises = list(
        Enterprise.objects.filter(annual_output__gt=0)
        .order_by("pk")
        .values_list("pk", Cast("annual_output", FloatField()), "region__path", "park_id")
    )
    ids = np.array([e[0] for e in enterprises], dtype=np.int64)
    at = {int(pk): i for i, pk in enumerate(ids)}
    n, days = len(ids), scenario.days
    output = np.array([e[1] for e in enterprises], dtype=np.float64) / DAYS_A_YEAR

    links = SupplyLink.objects.order_by("pk").values_list(
        "pk",
        "supplier_id",
        "customer_id",
        "sector_id",
        Cast("share", FloatField()),
        Cast("stock_days", FloatField()),
    )
    rows = _float_rows(links, 6)
    # Links touching an enterprise without output are left out with it. ids are sorted: a pk's
    # position is where it sorts among them (a join to test the output costs more than the fetch).
    supplier, known_supplier = _positions(ids, rows[:, 1])
    customer, known_customer = _positions(ids, rows[:, 2])
    modelled = known_supplier & known_customer
    rows = rows[modelled]
    network = Network(
        output=output,
        supplier=supplier[modelled],
        customer=customer[modelled],
        sector=rows[:, 3].astype(np.int64),
        share=rows[:, 4].copy(),
        stock_days=rows[:, 5].copy(),
    )

    # The strictest area over each enterprise on each day (0: not shut).
    strictness = np.zeros((days, n), dtype=np.int8)
    paths = [e[2] for e in enterprises]
    parks = np.array([e[3] or 0 for e in enterprises], dtype=np.int64)
    for area in scenario.areas.select_related("region"):
        first = max(_day(scenario, area.starts_on), 0)
        last = min(_day(scenario, area.ends_on), days - 1)
        if last < first:
            continue
        if area.region is not None:
            prefix = area.region.path  # read once: a related lookup per enterprise is slow
            cols = np.array([i for i, path in enumerate(paths) if path.startswith(prefix)], int)
        else:
            cols = np.flatnonzero(parks == area.park_id)
        block = strictness[first : last + 1, cols]
        strictness[first : last + 1, cols] = np.maximum(block, area.strictness)
    shut = strictness > 0

    start = timezone.make_aware(dt.datetime.combine(scenario.starts_on, dt.time.min))
    touched = [int(ids[i]) for i in np.flatnonzero(shut.any(axis=0))]
    qualified = qualified_ids(Enterprise.objects.filter(pk__in=touched), start)
    closed = _share_array(
        n,
        at,
        _reported_shares(touched, EnterpriseMode.CLOSED_LOOP, scenario.starts_on),
        scenario.closed_loop_share,
    )
    semi = _share_array(
        n,
        at,
        _reported_shares(touched, EnterpriseMode.SEMI_CLOSED, scenario.starts_on),
        scenario.semi_closed_share,
    )
    is_qualified = np.zeros(n, dtype=bool)
    is_qualified[[at[pk] for pk in qualified]] = True

    shut_share = np.where(
        is_qualified,
        closed,
        np.where(strictness >= HALT_AT_STRICTNESS, 0.0, semi),
    )
    capacity = np.where(shut, shut_share, 1.0 + float(scenario.headroom))
    return ScenarioInputs(
        ids=ids,
        network=network,
        capacity=capacity,
        shut=shut,
        kept_share=closed,
        link_ids=rows[:, 0].astype(np.int64),
    )


def _float_rows(qs: QuerySet[Any], width: int) -> np.ndarray:
    """The rows of a values_list query as one float matrix, fetched with the query's own SQL:
    Django's per-value converters would take longer than the fetch at province scale (see the
    chains-scenario benchmark). Ids are far below 2**53, so exact as floats."""
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, width)


def _positions(ids: np.ndarray, pks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each pk's position in the sorted `ids`, and whether it is there at all."""
    wanted = pks.astype(np.int64)
    at = np.searchsorted(ids, wanted)
    found = at < len(ids)
    found[found] = ids[at[found]] == wanted[found]
    return at, found


def _share_array(
    n: int, at: dict[int, int], reported: dict[int, float], default: Decimal
) -> np.ndarray:
    shares = np.full(n, float(default))
    for pk, share in reported.items():
        shares[at[pk]] = share
    return shares
