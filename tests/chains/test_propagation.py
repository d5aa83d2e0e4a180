"""The propagation engine against days worked out by hand, and against the plain-loop reference.

Notation in the comments (docs/propagation.md): x0 normal output, N need of an input pair,
v normal link value, X normal output incl. deliveries, F final demand, D stock target,
S stock at the start of the day (days of need), p production ratio, q order in days of need,
O order value, TOT orders received, Y output value, r fill rate. ALPHA = 0.6, TAU = 5.
"""

from __future__ import annotations

import numpy as np
import pytest

from keepline.chains import reference
from keepline.chains.propagation import DEFAULT_PARAMS, Network, Params, Result, simulate


def net(
    output: list[float],
    links: list[tuple[int, int, int, float, float]],
) -> Network:
    """A network from (supplier, customer, sector, share, stock_days) rows."""
    rows = np.array(links, dtype=np.float64).reshape(-1, 5)
    return Network(
        output=np.array(output, dtype=np.float64),
        supplier=rows[:, 0].astype(np.int64),
        customer=rows[:, 1].astype(np.int64),
        sector=rows[:, 2].astype(np.int64),
        share=rows[:, 3],
        stock_days=rows[:, 4],
    )


def agrees(network: Network, capacity: np.ndarray, params: Params = DEFAULT_PARAMS) -> Result:
    """The engine's result, after checking it against the reference loop."""
    fast = simulate(network, capacity, params, stocks=True)
    slow = reference.simulate(network, capacity, params, stocks=True)
    np.testing.assert_allclose(fast.ratio, slow.ratio, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fast.lost, slow.lost, rtol=0, atol=1e-9)
    assert fast.stock is not None and slow.stock is not None
    np.testing.assert_allclose(fast.stock, slow.stock, rtol=0, atol=1e-9)
    assert fast.dry_day.tolist() == slow.dry_day.tolist()
    assert fast.scarce.tolist() == slow.scarce.tolist()
    return fast


def random_case(seed: int, firms: int = 30, links: int = 120, days: int = 20) -> Network:
    """A seeded random network with shares summing above 1 in places and just-in-time stocks."""
    rng = np.random.default_rng(seed)
    sup = rng.integers(0, firms, 3 * links)
    cus = rng.integers(0, firms, 3 * links)
    keep = sup != cus
    return Network(
        output=rng.uniform(0.5, 50.0, firms),
        supplier=sup[keep][:links],
        customer=cus[keep][:links],
        sector=rng.integers(0, 5, links),
        share=rng.uniform(0.05, 1.0, links),
        stock_days=rng.choice([0.0, 0.5, 1.0, 2.0, 3.0, 7.0, 15.0], links),
    )


def random_capacity(seed: int, firms: int = 30, days: int = 20) -> np.ndarray:
    """Half the firm-days normal, the rest halted, cut back or with spare capacity."""
    rng = np.random.default_rng(seed + 10_000)
    capacity = rng.choice([0.0, 0.0, 0.3, 0.6, 0.7, 1.2, 1.5], (days, firms))
    capacity[rng.random((days, firms)) < 0.5] = 1.0
    return capacity


# ---- baseline -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_without_a_shock_every_firm_runs_at_normal_exactly(seed: int) -> None:
    network = random_case(seed)
    result = simulate(network, np.ones((20, 30)), stocks=True)
    assert (result.ratio == 1.0).all()
    assert (result.lost == 0.0).all()
    assert (result.dry_day == 0).all()
    assert (result.scarce == -1).all()
    assert result.stock is not None and (result.stock == result.stock[0]).all()
    assert (result.survive == 20).all()


def test_firms_without_links_follow_their_capacity_up_to_normal_demand() -> None:
    # No links: demand stays at 1 (final demand only), so spare capacity 1.2 makes nothing extra.
    network = net([5, 7], [])
    result = agrees(network, np.array([[0.0, 1.2], [0.5, 1.0]]))
    assert result.ratio.tolist() == [[0.0, 1.0], [0.5, 1.0]]
    assert result.lost.tolist() == [7.5, 0.0]  # 5·1 + 5·0.5
    assert result.dry_day.tolist() == [0, 0]


# ---- a line of three ----------------------------------------------------------------------

# A → B (sector 0, B holds 3 days), B → C (sector 1, C holds 5 days); x0 = 10 each, shares 1.
# N_B = N_C = 0.6·10 = 6 = v_AB = v_BC. X_A = X_B = X_C = 10; F_A = F_B = 4, F_C = 10.
# D_B = 3, D_C = 5. A is halted on days 1-7 and back at 1 from day 8.
LINE = net([10, 10, 10], [(0, 1, 0, 1.0, 3.0), (1, 2, 1, 1.0, 5.0)])


def line_capacity(days: int) -> np.ndarray:
    capacity = np.ones((days, 3))
    capacity[:7, 0] = 0.0
    return capacity


def test_line_of_three_day_by_day() -> None:
    result = agrees(LINE, line_capacity(10))
    # day  S_B    S_C  p_A   p_B  p_C  working
    # 1    3      5    0     1    1    q_B = 1, A ships nothing: S_B → 2; B ships C in full
    # 2    2      5    0     1    1    q_B = 1 + (3-2)/5 = 1.2: S_B → 1
    # 3    1      5    0     1    1    S_B = 1 is not below min(cap, dem) = 1: S_B → 0
    # 4    0      5    0     0    1    B dry (day 4, sector 0); C gets nothing: S_C → 4
    # 5    0      4    0     0    1    q_C = 1 + 1/5; still nothing: S_C → 3
    # 6    0      3    0     0    1    S_C → 2
    # 7    0      2    0     0    1    q_B = 0 + 3/5 = 0.6, O_AB = 3.6: TOT_A = 4 + 3.6 = 7.6
    # 8    0      1    0.76  0    1    A back, dem_A = 7.6/10; makes 7.6 = TOT_A: r_A = 1,
    #                                  S_B → 0 + 0.6 = 0.6 (a fifth of the gap: TAU);
    #                                  S_C → 1 - 1 + 0 = 0
    # 9    0.6    0    0.76  0.6  0    C dry (day 9, sector 1). q_B = 0.6 + 2.4/5 = 1.08,
    #                                  O_AB = 6.48, TOT_A = 10.48, Y_A = 7.6: r_A = 7.6/10.48,
    #                                  S_B → 0.6 - 0.6 + 1.08·7.6/10.48 = 102.6/131.
    #                                  q_C = 0 + 5/5 = 1, O_BC = 6, TOT_B = 10, Y_B = 6:
    #                                  r_B = 0.6, S_C → 0 - 0 + 0.6
    # 10   102.6/131  0.6  1 (dem 1.048)  102.6/131  0.6 (dem_C = 1)
    expected = [
        [0.0, 1.0, 1.0],
        [0.0, 1.0, 1.0],
        [0.0, 1.0, 1.0],
        [0.0, 0.0, 1.0],
        [0.0, 0.0, 1.0],
        [0.0, 0.0, 1.0],
        [0.0, 0.0, 1.0],
        [0.76, 0.0, 1.0],
        [0.76, 0.6, 0.0],
        [1.0, 102.6 / 131, 0.6],
    ]
    np.testing.assert_allclose(result.ratio, expected, rtol=0, atol=1e-12)
    assert result.stock is not None
    np.testing.assert_allclose(
        result.stock,
        np.array([[3, 5], [2, 5], [1, 5], [0, 5], [0, 4], [0, 3], [0, 2], [0, 1], [0.6, 0],
                  [102.6 / 131, 0.6]]),
        rtol=0,
        atol=1e-12,
    )  # fmt: skip
    assert result.dry_day.tolist() == [0, 4, 9]
    assert result.scarce.tolist() == [-1, 0, 1]
    assert result.survive.tolist() == [10, 3, 8]  # C survives B's 3 days plus its own 5
    # Lost = Σ (1 - p)·x0: A 7 + 0.24 + 0.24 days, B 5 + 0.4 + (1 - 102.6/131), C 1 + 0.4.
    np.testing.assert_allclose(
        result.lost, [74.8, 10 * (5.4 + 1 - 102.6 / 131), 14.0], rtol=0, atol=1e-9
    )


def test_line_of_three_recovers_once_the_supplier_resumes() -> None:
    result = agrees(LINE, line_capacity(80))
    assert result.stock is not None
    # Day 11: S_B = 1 + ... and S_C ≈ 0.9: C still short; from day 12 every firm makes its
    # normal output again (stock ≥ 1 and orders ≥ normal, capacity 1).
    assert result.ratio[10, 2] < 1.0
    assert (result.ratio[11:] == 1.0).all()
    # The stocks refill towards the targets 3 and 5 without overshooting, a little each day
    # (suppliers at capacity 1 ration the refill orders together with final demand).
    refill = result.stock[11:]
    assert (np.diff(refill, axis=0) > 0).all()
    assert refill[-1, 0] == pytest.approx(3.0, abs=0.02)
    assert refill[-1, 1] == pytest.approx(5.0, abs=0.05)
    assert (refill <= [3.0, 5.0]).all()


# ---- a diamond ------------------------------------------------------------------------------

# A → B and A → C (sector 0), B → D (sector 1, D holds 5 days), C → D (sector 2, D holds 0 days:
# just in time, target max(1, 0) = 1). B holds 3 days of A's goods, C 1 day. x0 = 10 each.
# N_B = N_C = 6; D has two input sectors: N = 0.6·10/2 = 3 each. X_A = max(10, 12) = 12.
DIAMOND = net(
    [10, 10, 10, 10],
    [(0, 1, 0, 1.0, 3.0), (0, 2, 0, 1.0, 1.0), (1, 3, 1, 1.0, 5.0), (2, 3, 2, 1.0, 0.0)],
)


def test_diamond_runs_dry_when_its_first_input_runs_out() -> None:
    capacity = np.ones((5, 4))
    capacity[:, 0] = 0.0  # A halted throughout
    result = agrees(DIAMOND, capacity)
    # Day 1: all but A at 1; S_C 1 → 0, S_B 3 → 2; C and B ship D in full.
    # Day 2: C dry (S_C = 0); D still at 1 (S_Dc = 1) and gets nothing from C: S_Dc → 0.
    # Day 3: D dry on sector 2 while its sector-1 stock is 5; B at 1 on its last day (S_B = 1).
    # Day 4: B dry. D orders nothing from B (p_D = 0, S_Db = D), so its stock of B's goods waits.
    np.testing.assert_allclose(
        result.ratio,
        [[0, 1, 1, 1], [0, 1, 0, 1], [0, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
        rtol=0,
        atol=1e-12,
    )
    assert result.dry_day.tolist() == [0, 4, 2, 3]
    assert result.scarce.tolist() == [-1, 0, 0, 2]
    assert result.stock is not None
    pair = {
        (int(c), int(s)): k
        for k, (c, s) in enumerate(zip(result.pair_customer, result.pair_sector, strict=True))
    }
    assert result.stock[:, pair[(3, 1)]].tolist() == [5.0, 5.0, 5.0, 5.0, 5.0]
    assert result.stock[:, pair[(3, 2)]].tolist() == [1.0, 1.0, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(result.lost, [50.0, 20.0, 40.0, 30.0], rtol=0, atol=1e-12)


# ---- substitutes ------------------------------------------------------------------------------

# A1 → C (share 0.25) and A2 → C (share 0.75), same sector, C holds 2 days. x0_C = 10: N = 6,
# v1 = 1.5, v2 = 4.5; x0_A1 = 1.5 and x0_A2 = 4.5, so all their output goes to C (F = 0).
# A1 is halted throughout: C's orders all go to A2 (weights 0.25·0 and 0.75·1).
SUBSTITUTES = net([1.5, 4.5, 10], [(0, 2, 0, 0.25, 2.0), (1, 2, 0, 0.75, 2.0)])


def test_substitute_with_spare_capacity_takes_over_the_orders() -> None:
    capacity = np.ones((6, 3))
    capacity[:, 0] = 0.0
    capacity[:, 1] = 1.5
    result = agrees(SUBSTITUTES, capacity)
    # Day 1: A2 makes its usual 4.5 (dem 1), C orders 6: r = 0.75, S_C 2 → 1.75.
    # Day 2: dem_A2 = 6/4.5 = 4/3 ≤ 1.5: Y = 6; q = 1 + 0.25/5 = 1.05, O = 6.3:
    #        C gets 6 = one day: S_C stays 1.75.
    # Day 3: dem = 6.3/4.5 = 1.4: Y = 6.3 = O, r = 1: S_C → 1.75 + 0.05 = 1.8.
    # Day 4: p_A2 = 1.4, q = 1.04, O = 6.24: S_C → 1.84. Day 5: p_A2 = 6.24/4.5, S_C → 1.872.
    np.testing.assert_allclose(
        result.ratio[:, 1], [1.0, 4 / 3, 1.4, 1.4, 6.24 / 4.5, 6.192 / 4.5], rtol=0, atol=1e-12
    )
    assert (result.ratio[:, 2] == 1.0).all()
    assert result.stock is not None
    np.testing.assert_allclose(
        result.stock[:, 0], [2.0, 1.75, 1.75, 1.8, 1.84, 1.872], rtol=0, atol=1e-12
    )
    assert result.dry_day.tolist() == [0, 0, 0]
    assert result.lost[2] == pytest.approx(0.0, abs=1e-12)


def test_substitute_without_spare_capacity_cannot_save_the_customer() -> None:
    capacity = np.ones((8, 3))
    capacity[:, 0] = 0.0
    result = agrees(SUBSTITUTES, capacity)
    # A2 makes 4.5 a day (orders always ≥ normal), C asks 6q: r = 4.5/(6q) and C gets
    # r·q = 0.75 days of need a day. S_C: 2, 1.75, 1.5, 1.25, 1.0, 0.75 on day 6 < 1: dry.
    # Then p_C = 0.75 = what arrives: it stays there.
    np.testing.assert_allclose(
        result.ratio[:, 2], [1, 1, 1, 1, 1, 0.75, 0.75, 0.75], rtol=0, atol=1e-12
    )
    assert result.stock is not None
    np.testing.assert_allclose(
        result.stock[:, 0], [2, 1.75, 1.5, 1.25, 1.0, 0.75, 0.75, 0.75], rtol=0, atol=1e-12
    )
    assert result.dry_day.tolist() == [0, 0, 6]
    assert result.scarce.tolist() == [-1, -1, 0]
    assert result.lost[2] == pytest.approx(3 * 0.25 * 10, abs=1e-12)


# ---- a cycle ----------------------------------------------------------------------------------

# A → B (sector 0, B holds 2 days), B → A (sector 1, share 0.5, A holds 3), C → A (sector 2,
# A holds 1 day). x0 = 10 each. N_B = 6; A has two input sectors: N = 3 each, v_BA = 1.5
# (u = 0.5 from outside the network), v_CA = 3. F_A = 4, F_B = 8.5. C halted days 1-5.
CYCLE = net([10, 10, 10], [(0, 1, 0, 1.0, 2.0), (1, 0, 1, 0.5, 3.0), (2, 0, 2, 1.0, 1.0)])


def test_cycle_with_a_third_shock_settles_back_to_normal() -> None:
    capacity = np.ones((60, 3))
    capacity[:5, 2] = 0.0
    result = agrees(CYCLE, capacity)
    # Day 1: A at 1 uses its one day of C's goods: S_Ac → 0. B ships 1.5 of 1.5.
    # Day 2: A dry (sector 2). A orders nothing from B: TOT_B = 8.5. B at 1: S_B 2 → 1.
    # Day 3: dem_B = 0.85 ≤ S_B = 1: B at 0.85, not yet short of A's goods: S_B → 0.15.
    # Day 4: B short: p_B = S_B = 0.15 below dem 0.85, dry (sector 0).
    np.testing.assert_allclose(
        result.ratio[:4], np.array([[1, 1, 0], [0, 1, 0], [0, 0.85, 0], [0, 0.15, 0]]), atol=1e-12
    )
    assert result.dry_day.tolist() == [2, 4, 0]
    assert result.scarce.tolist() == [2, 0, -1]
    assert np.isfinite(result.ratio).all() and (result.ratio >= 0).all()
    assert (result.ratio <= capacity).all()
    np.testing.assert_allclose(result.ratio[-5:], 1.0, atol=1e-3)


# ---- rationing --------------------------------------------------------------------------------


def test_a_supplier_short_of_output_rations_every_buyer_in_proportion() -> None:
    # alpha = 0.5. J (x0 6) sells to K1 (x0 4: N = v = 2) and K2 (x0 2: N = v = 1); F_J = 3.
    # J at half capacity: Y = 3 against orders 3 + 2 + 1 = 6, r = 0.5: K1 gets 1 of 2,
    # K2 0.5 of 1 (2:1), final demand 1.5. In days of need both stocks go 10 - 1 + 0.5 = 9.5.
    network = net([6, 4, 2], [(0, 1, 0, 1.0, 10.0), (0, 2, 0, 1.0, 10.0)])
    capacity = np.ones((2, 3))
    capacity[:, 0] = 0.5
    result = agrees(network, capacity, Params(alpha=0.5))
    assert result.stock is not None
    assert result.stock[1].tolist() == [9.5, 9.5]
    need = np.array([2.0, 1.0])
    delivered = (result.stock[1] - result.stock[0] + result.ratio[0, 1:]) * need
    assert delivered.tolist() == [1.0, 0.5]


def test_outside_share_keeps_arriving() -> None:
    # B gets 40% of its sector-0 need from A, 60% from outside the network (never disrupted).
    # A halted: only the outside 0.6 arrives, S_B (just in time, 1) goes 1 → 0.6 → ...
    # Day 2: p_B = 0.6, q = 0.6 + 0.4/5 = 0.68, outside 0.6·0.68 = 0.408: S_B → 0.408.
    network = net([10, 10], [(0, 1, 0, 0.4, 0.0)])
    capacity = np.ones((3, 2))
    capacity[:, 0] = 0.0
    result = agrees(network, capacity)
    np.testing.assert_allclose(result.ratio[:, 1], [1.0, 0.6, 0.408], rtol=0, atol=1e-12)
    assert result.dry_day.tolist() == [0, 2]


def test_shares_above_one_are_scaled_down() -> None:
    # Two suppliers each claiming 0.8 of B's sector-0 need: scaled to 0.5 each, nothing outside.
    # One halted: B orders everything from the other, which cannot make more (cap 1, F = 0):
    # it ships half of B's need a day, so B's one day of stock goes 1 → 0.5 and B is dry on day 2.
    network = net([3, 3, 10], [(0, 2, 0, 0.8, 1.0), (1, 2, 0, 0.8, 1.0)])
    capacity = np.ones((3, 3))
    capacity[:, 0] = 0.0
    result = agrees(network, capacity)
    np.testing.assert_allclose(result.ratio[:, 2], [1.0, 0.5, 0.5], rtol=0, atol=1e-12)
    assert result.dry_day.tolist() == [0, 0, 2]


# ---- against the reference ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(25))
def test_random_networks_match_the_reference(seed: int) -> None:
    result = agrees(random_case(seed), random_capacity(seed))
    assert (result.dry_day > 0).any()  # the shock bites: the comparison is not trivial


def test_larger_random_network_matches_the_reference() -> None:
    network = random_case(99, firms=200, links=1500, days=40)
    agrees(network, random_capacity(99, firms=200, days=40))


# ---- bad input ----------------------------------------------------------------------------------


def _bad(field: str, value: object) -> Network:
    good = net([10, 10, 10], [(0, 1, 0, 0.5, 2.0), (1, 2, 1, 1.0, 3.0), (0, 2, 0, 0.5, 1.0)])
    return Network(**{**good.__dict__, field: value})


@pytest.mark.parametrize(
    ("network", "message"),
    [
        (_bad("output", np.array([10.0, 0.0, 10.0])), r"output\[1\] = 0.0 must be > 0"),
        (_bad("output", np.array([10.0, np.nan, 10.0])), r"output\[1\] = nan is not a finite"),
        (_bad("output", np.array([])), r"output is empty"),
        (_bad("supplier", np.array([0, 2, 0])), r"supplier\[1\] = 2 is also the link's customer"),
        (_bad("supplier", np.array([0.0, 1.0, 0.0])), r"supplier must hold integers"),
        (_bad("customer", np.array([1, 3, 2])), r"customer\[1\] = 3 is not a firm \(0..2\)"),
        (_bad("customer", np.array([1, 2])), r"customer has 2 links, supplier has 3"),
        (_bad("sector", np.array([0, -1, 0])), r"sector\[1\] = -1 must be >= 0"),
        (_bad("share", np.array([0.5, 1.5, 0.5])), r"share\[1\] = 1.5 must be in \(0, 1\]"),
        (_bad("share", np.array([0.0, 1.0, 0.5])), r"share\[0\] = 0.0 must be in \(0, 1\]"),
        (_bad("stock_days", np.array([2.0, 3.0, -1.0])), r"stock_days\[2\] = -1.0 must be >= 0"),
    ],
)
def test_bad_network_is_refused_naming_the_array(network: Network, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simulate(network, np.ones((2, 3)))
    with pytest.raises(ValueError, match=message):
        reference.simulate(network, np.ones((2, 3)))


def test_bad_capacity_and_params_are_refused() -> None:
    good = _bad("share", np.array([0.5, 1.0, 0.5]))
    capacity = np.ones((4, 3))
    capacity[3, 1] = -0.5
    with pytest.raises(ValueError, match=r"capacity\[3, 1\] = -0.5 must be >= 0"):
        simulate(good, capacity)
    with pytest.raises(ValueError, match=r"capacity has shape \(4, 2\)"):
        simulate(good, np.ones((4, 2)))
    with pytest.raises(ValueError, match=r"capacity has shape \(0, 3\)"):
        simulate(good, np.ones((0, 3)))
    with pytest.raises(ValueError, match=r"capacity must have 2 dimension"):
        simulate(good, np.ones(3))
    with pytest.raises(ValueError, match=r"Params.tau = 0.5 must be >= 1"):
        simulate(good, np.ones((4, 3)), Params(tau=0.5))
    with pytest.raises(ValueError, match=r"Params.alpha = 0.0 must be in \(0, 1\]"):
        simulate(good, np.ones((4, 3)), Params(alpha=0.0))
