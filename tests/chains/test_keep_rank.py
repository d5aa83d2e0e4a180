"""The greedy keep-running ranking on small hand-made networks (engine arrays, no database)."""

from __future__ import annotations

import numpy as np
import pytest

from keepline.chains.inputs import ScenarioInputs
from keepline.chains.propagation import Network, simulate
from keepline.chains.services.keep import rank

DAYS = 10
KEPT = 0.7
HEADROOM = 1.1


def inputs(
    output: list[float],
    links: list[tuple[int, int, int, float, float]],
    shut: list[int],
    days: int = DAYS,
    kept: float = KEPT,
) -> ScenarioInputs:
    """Firms 0..n-1 with ids 100+i; links (supplier, customer, sector, share, stock days);
    the `shut` firms halted every day (kept running at `kept`), the others free to make 110%."""
    n = len(output)
    network = Network(
        output=np.array(output, dtype=float),
        supplier=np.array([link[0] for link in links], dtype=np.int64),
        customer=np.array([link[1] for link in links], dtype=np.int64),
        sector=np.array([link[2] for link in links], dtype=np.int64),
        share=np.array([link[3] for link in links], dtype=float),
        stock_days=np.array([link[4] for link in links], dtype=float),
    )
    mask = np.zeros((days, n), dtype=bool)
    mask[:, shut] = True
    return ScenarioInputs(
        ids=np.arange(100, 100 + n, dtype=np.int64),
        network=network,
        capacity=np.where(mask, 0.0, HEADROOM),
        shut=mask,
        kept_share=np.full(n, kept),
        link_ids=np.arange(len(links), dtype=np.int64),
    )


def loss(si: ScenarioInputs, kept: list[int]) -> float:
    capacity = si.keeping(np.array(kept, dtype=np.int64)) if kept else si.capacity
    return float(simulate(si.network, capacity).lost.sum())


def test_a_shut_supplier_with_two_customers_beats_a_bigger_shut_firm_with_idle_customer() -> None:
    # 0 (10/day) supplies 2 and 3, who hold 2 days of stock; 1 (12/day, bigger) supplies 4,
    # who holds a year of stock and never notices. Keeping 1 saves only its own output.
    si = inputs(
        [10, 12, 10, 10, 10],
        [(0, 2, 1, 1.0, 2), (0, 3, 1, 1.0, 2), (1, 4, 2, 1.0, 365)],
        shut=[0, 1],
    )
    base = loss(si, [])
    ranking = rank(si, parks={}, limit=5)
    ids = [step.candidate.pk for step in ranking.steps]
    assert ids == [100, 101]
    first, second = ranking.steps
    # Firm 1 kept at 70% for 10 days saves its own 0.7 × 12 × 10 = 84 万元, nothing else.
    assert second.avoided == pytest.approx(84.0)
    assert first.avoided == pytest.approx(base - loss(si, [0]))
    assert first.avoided > 84.0
    assert second.cumulative == pytest.approx(base - loss(si, [0, 1]))
    # Both customers of firm 0 ran dry on day 3 (two days of stock); with 70% deliveries their
    # stock lasts two days more. Each gains the same; firm 0 keeps 0.7 × 10 × 10 = 70 of its own.
    assert first.kept_from_dry == 0
    assert [(d["id"], d["dry_day_before"], d["dry_day_after"]) for d in first.detail] == [
        (102, 3, 5),
        (103, 3, 5),
    ]
    assert first.avoided == pytest.approx(70 + 2 * first.detail[0]["avoided"], abs=0.01)
    assert second.kept_from_dry == 0
    assert second.detail == []


def test_a_supplier_kept_at_full_capacity_keeps_its_customers_from_running_dry() -> None:
    si = inputs(
        [10, 10, 10],
        [(0, 1, 1, 1.0, 2), (0, 2, 1, 1.0, 2)],
        shut=[0],
        kept=1.0,
    )
    (step,) = rank(si, parks={}, limit=5).steps
    assert step.kept_from_dry == 2
    assert [(d["id"], d["dry_day_before"], d["dry_day_after"]) for d in step.detail] == [
        (101, 3, None),
        (102, 3, None),
    ]
    # Nothing is lost any more: the whole base loss is avoided.
    assert step.avoided == pytest.approx(loss(si, []))
    assert loss(si, [0]) == pytest.approx(0.0)


def test_greedy_counts_what_earlier_picks_saved() -> None:
    # 0 and 1 (40/day each) both supply customer 3 (sector 1, half each): they pool, so either
    # alone kept at 70% fills most of 3's need. 2 (20/day) supplies 4 alone. Alone, 0 and 1
    # each save their own output and most of 3's loss, more than 2 does; once 0 is kept, 1
    # adds little for 3 and 2 comes before it.
    si = inputs(
        [40, 40, 20, 40, 40],
        [(0, 3, 1, 0.5, 2), (1, 3, 1, 0.5, 2), (2, 4, 2, 1.0, 2)],
        shut=[0, 1, 2],
    )
    base = loss(si, [])
    solo = {pk: base - loss(si, [i]) for i, pk in enumerate([100, 101, 102])}
    by_solo = sorted(solo, key=lambda pk: (-round(solo[pk], 6), pk))
    assert by_solo == [100, 101, 102]

    ranking = rank(si, parks={}, limit=3)
    assert [s.candidate.pk for s in ranking.steps] == [100, 102, 101]
    first, second, third = ranking.steps
    # Alone, 2 saves its own 0.7 × 20 × 10 = 140 and what 4 loses: the same after 0 is kept.
    assert second.avoided == pytest.approx(solo[102])
    assert first.avoided == pytest.approx(solo[100])
    assert second.avoided == pytest.approx(loss(si, [0]) - loss(si, [0, 2]))
    assert third.avoided == pytest.approx(loss(si, [0, 2]) - loss(si, [0, 1, 2]))
    assert third.avoided < solo[101]
    assert third.cumulative == pytest.approx(base - loss(si, [0, 1, 2]))


def test_a_park_keeps_all_its_shut_enterprises() -> None:
    # 0 and 1 in one park each supply a customer of their own; keeping the park keeps both.
    si = inputs(
        [10, 10, 10, 10],
        [(0, 2, 1, 1.0, 1), (1, 3, 2, 1.0, 1)],
        shut=[0, 1],
    )
    ranking = rank(si, parks={7: [0, 1]}, limit=1)
    (step,) = ranking.steps
    assert (step.candidate.kind, step.candidate.pk) == ("park", 7)
    assert step.avoided == pytest.approx(loss(si, []) - loss(si, [0, 1]))
    assert step.avoided > max(loss(si, []) - loss(si, [i]) for i in (0, 1))
    assert {d["id"] for d in step.detail} == {102, 103}


def test_nothing_to_rank_when_no_shut_firm_supplies_anyone() -> None:
    si = inputs([10, 10], [(0, 1, 1, 1.0, 1)], shut=[1])
    assert rank(si, parks={}, limit=5).steps == []


def test_pruning_gives_the_exhaustive_ranking() -> None:
    rng = np.random.default_rng(6)
    n, links = 150, 140
    supplier = rng.integers(0, n, links)
    customer = rng.integers(0, n, links)
    keep = supplier != customer
    rows = [
        (
            int(s),
            int(c),
            int(rng.integers(0, 6)),
            float(rng.uniform(0.2, 1)),
            float(rng.uniform(0, 8)),
        )
        for s, c in zip(supplier[keep], customer[keep], strict=True)
    ]
    si = inputs(list(rng.uniform(5, 50, n)), rows, shut=list(range(0, n, 3)), days=20)
    parks = {1: list(range(0, 30)), 2: list(range(30, 45))}
    pruned = rank(si, parks=parks, limit=6, max_candidates=1000)
    full = rank(si, parks=parks, limit=6, prune=False, max_candidates=1000)
    assert [(s.candidate.kind, s.candidate.pk) for s in pruned.steps] == [
        (s.candidate.kind, s.candidate.pk) for s in full.steps
    ]
    assert [s.avoided for s in pruned.steps] == pytest.approx([s.avoided for s in full.steps])
    assert pruned.trials < full.trials
