"""The propagation engine at province scale (`run.py --only chains-propagation`).

A seeded network of 50,000 firms and 500,000 supply links (suppliers drawn with heavy-tailed
weights, ~40 sectors, each firm selling its own sector's goods) takes a shock: three districts
(contiguous id ranges, 20% of the firms) halt on days 1-14 and run at 0.6 on days 15-21; the
others may make 10% above normal. Timed: building the sparse structures and simulating 60 days.
Then the same kind of network, smaller, through the plain-loop reference: its time against the
engine's, the agreement of the two (any disagreement stops the run), and the speed-up per
link-day carried over to the province run.

KEEPLINE_BENCH_CHAINS shrinks the province run (number of firms; links are 10×).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from keepline.chains import propagation, reference

T = TypeVar("T")

FIRMS = 50_000
LINKS_PER_FIRM = 10
DAYS = 60
SECTORS = 40
HEADROOM = 1.1
SMALL_FIRMS = 2_000
SEED = 2022
# Agreement demanded between the engine and the reference (ratios in [0, 1.1], lost in 万元).
AGREE = 1e-9


def _timed(action: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _report(label: str, seconds: float, link_days: int) -> None:
    print(f"  {label:<44} {seconds:8.3f} s  {link_days / seconds:>12,.0f} link-days/s")


def network(firms: int, links: int, *, seed: int = SEED) -> propagation.Network:
    """A seeded network: lognormal outputs, preferential suppliers, merged duplicate links."""
    rng = np.random.default_rng(seed)
    output = rng.lognormal(mean=3.0, sigma=1.2, size=firms)  # 万元/day, median ~20
    firm_sector = rng.integers(0, SECTORS, firms)
    # Heavy-tailed supplier weights: a few hubs sell to many (preferential attachment-ish).
    pull = rng.pareto(1.5, firms) + 1.0
    pull /= pull.sum()
    pairs = np.empty(0, dtype=np.int64)
    while len(pairs) < links:
        draw = 2 * (links - len(pairs)) + 100
        sup = rng.choice(firms, size=draw, p=pull)
        cus = rng.integers(0, firms, draw)
        key = (sup * firms + cus)[sup != cus]
        pairs = np.union1d(pairs, key)  # merges duplicates: sector is the supplier's
    pairs = rng.permutation(pairs)[:links]
    supplier, customer = pairs // firms, pairs % firms
    sector = firm_sector[supplier]
    # Shares within a pair (customer, sector) split a random coverage in [0.5, 1].
    pair_key = customer * SECTORS + sector
    _, pair_of = np.unique(pair_key, return_inverse=True)
    weight = rng.exponential(1.0, links)
    coverage = rng.uniform(0.5, 1.0, pair_of.max() + 1)
    share = coverage[pair_of] * weight / np.bincount(pair_of, weights=weight)[pair_of]
    share = np.clip(share, 1e-6, 1.0)
    stock_days = rng.integers(1, 31, links).astype(np.float64)
    return propagation.Network(
        output=output,
        supplier=supplier,
        customer=customer,
        sector=sector,
        share=share,
        stock_days=stock_days,
    )


def shock(firms: int, days: int = DAYS) -> np.ndarray:
    """Three districts (20% of the firms) halted days 1-14, at 0.6 days 15-21, then normal."""
    capacity = np.full((days, firms), HEADROOM)
    tenth = firms // 10
    for start, width in ((0, tenth), (firms // 2, tenth // 2), (firms - tenth // 2, tenth // 2)):
        capacity[:14, start : start + width] = 0.0
        capacity[14:21, start : start + width] = 0.6
    return capacity


def bench_propagation() -> None:
    """Province-scale engine time, then the reference loop against the engine on a small network."""
    firms = int(os.environ.get("KEEPLINE_BENCH_CHAINS", str(FIRMS)))
    links = LINKS_PER_FIRM * firms
    big = network(firms, links)
    capacity = shock(firms)
    shocked = int((capacity[0] == 0).sum())
    engine_s, result = _timed(lambda: propagation.simulate(big, capacity))
    link_days = len(big.supplier) * DAYS
    print(
        f"chains-propagation: {firms:,} firms, {len(big.supplier):,} links, {DAYS} days;"
        f" {shocked:,} firms halted days 1-14, at 0.6 days 15-21"
    )
    _report("engine: build + simulate", engine_s, link_days)
    dry = int((result.dry_day > 0).sum())
    print(
        f"  {dry:,} firms run short of an input (median time to survive"
        f" {np.median(result.survive[result.dry_day > 0]) if dry else 0:.0f} days);"
        f" output lost {result.lost.sum():,.0f} 万元, of which outside the districts"
        f" {result.lost[capacity[0] > 0].sum():,.0f}"
    )

    small = network(SMALL_FIRMS, LINKS_PER_FIRM * SMALL_FIRMS, seed=SEED + 1)
    small_capacity = shock(SMALL_FIRMS)
    fast_s, fast = _timed(lambda: propagation.simulate(small, small_capacity))
    slow_s, slow = _timed(lambda: reference.simulate(small, small_capacity))
    diff = max(
        float(np.abs(fast.ratio - slow.ratio).max()), float(np.abs(fast.lost - slow.lost).max())
    )
    small_link_days = len(small.supplier) * DAYS
    print(f"  small network: {SMALL_FIRMS:,} firms, {len(small.supplier):,} links, {DAYS} days")
    _report("reference: plain Python loop", slow_s, small_link_days)
    _report("engine: build + simulate", fast_s, small_link_days)
    print(
        f"  the engine is {slow_s / fast_s:,.0f}× faster here; the results agree (max abs diff"
        f" {diff:.1e}, dry days and scarce sectors {'equal' if _same(fast, slow) else 'DIFFER'})"
    )
    per_link_day = (slow_s / small_link_days) / (engine_s / link_days)
    print(
        f"  per link-day the engine is {per_link_day:,.0f}× faster than the reference: the loop"
        f" would take ~{slow_s / small_link_days * link_days / 60:,.0f} min for the province run"
    )
    if diff > AGREE or not _same(fast, slow):
        sys.exit("the engine and the reference disagree")


def _same(a: propagation.Result, b: propagation.Result) -> bool:
    return bool((a.dry_day == b.dry_day).all() and (a.scarce == b.scarce).all())
