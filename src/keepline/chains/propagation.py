"""How a shutdown travels down supply chains, firm by firm and day by day.

A firm-level model with input inventories in the family of Inoue & Todo (PLOS ONE 2020): each
day a firm produces what its capacity, yesterday's orders and its scarcest input stock allow,
orders to cover that and to refill its stocks, and suppliers short of output ration all their
buyers in proportion. docs/propagation.md gives the equations, the assumptions and a worked
example; `keepline.chains.reference` is the same model as a plain loop, the check on this one.

Pure numpy/scipy on purpose: no Django here, so the engine is tested and benchmarked alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

ALPHA = 0.6  # intermediate inputs as a share of gross output
TAU = 5.0  # days to close a stock gap
# Slack when deciding that a stock binds below capacity and demand, so that rounding at the
# 1e-16 level never makes a firm "run dry".
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Network:
    """Firms and their supply links; position i in `output` is firm i, position l a link."""

    output: np.ndarray  # (n,) float64, normal output value x0, 万元/day, > 0
    supplier: np.ndarray  # (L,) int64, the firm that delivers
    customer: np.ndarray  # (L,) int64, the firm that uses the input
    sector: np.ndarray  # (L,) int64, the input's sector (any non-negative ids)
    share: np.ndarray  # (L,) float64 in (0, 1]: part of the customer's need of the sector
    stock_days: np.ndarray  # (L,) float64 >= 0: customer's stock of the sector, days of need


@dataclass(frozen=True)
class Params:
    """The model's behavioural constants (docs/propagation.md explains the defaults)."""

    alpha: float = ALPHA
    tau: float = TAU


DEFAULT_PARAMS = Params()


@dataclass(frozen=True)
class Result:
    """Production ratios and what they mean for each firm over the horizon."""

    ratio: np.ndarray  # (T, n) production as a share of normal, day t = row t-1
    lost: np.ndarray  # (n,) 万元 of output lost against the no-shock baseline (p ≡ 1)
    dry_day: np.ndarray  # (n,) int64: first day an input stock binds, 1-based; 0 = never
    scarce: np.ndarray  # (n,) int64: the sector that binds on dry_day; -1 = never
    days: int
    pair_customer: np.ndarray  # (K,) the firm of each input pair (customer, sector)
    pair_sector: np.ndarray  # (K,) the sector of each input pair
    stock: np.ndarray | None = None  # (T, K) stock at the start of each day, when asked for

    @property
    def survive(self) -> np.ndarray:
        """Time to survive in days: full production before an input runs short (the horizon
        for a firm that never runs dry, read it as "at least")."""
        return np.where(self.dry_day > 0, self.dry_day - 1, self.days)


def _fail(message: str) -> None:
    raise ValueError(message)


def _first(mask: np.ndarray) -> tuple[int, ...]:
    """Index of the first True in an array of any shape."""
    flat = int(np.flatnonzero(mask.ravel())[0])
    return tuple(int(i) for i in np.unravel_index(flat, mask.shape))


def _where(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(str(i) for i in index)}]"


def _floats(name: str, values: object, ndim: int) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != ndim:
        _fail(f"{name} must have {ndim} dimension(s), got shape {array.shape}")
    if array.size and not (
        np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)
    ):
        _fail(f"{name} must hold numbers, got {array.dtype}")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        bad = _first(~np.isfinite(array))
        _fail(f"{_where(name, bad)} = {array[bad]} is not a finite number")
    return array


def _ints(name: str, values: object) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        _fail(f"{name} must have 1 dimension, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        _fail(f"{name} must hold integers, got {array.dtype}")
    return array.astype(np.int64)


def _check_range(name: str, array: np.ndarray, bad: np.ndarray, rule: str) -> None:
    if bad.any():
        at = _first(bad)
        _fail(f"{_where(name, at)} = {array[at]} {rule}")


def validate(
    network: Network, capacity: np.ndarray, params: Params = DEFAULT_PARAMS
) -> tuple[Network, np.ndarray]:
    """The inputs as int64/float64 arrays, or ValueError naming the array and the index."""
    output = _floats("output", network.output, 1)
    n = len(output)
    if n == 0:
        _fail("output is empty: the network has no firms")
    _check_range("output", output, output <= 0, "must be > 0")
    supplier = _ints("supplier", network.supplier)
    customer = _ints("customer", network.customer)
    sector = _ints("sector", network.sector)
    share = _floats("share", network.share, 1)
    stock_days = _floats("stock_days", network.stock_days, 1)
    links = len(supplier)
    for name, array in (
        ("customer", customer),
        ("sector", sector),
        ("share", share),
        ("stock_days", stock_days),
    ):
        if len(array) != links:
            _fail(f"{name} has {len(array)} links, supplier has {links}: they must be equal")
    for name, array in (("supplier", supplier), ("customer", customer)):
        _check_range(name, array, (array < 0) | (array >= n), f"is not a firm (0..{n - 1})")
    _check_range("sector", sector, sector < 0, "must be >= 0")
    _check_range(
        "supplier",
        supplier,
        supplier == customer,
        "is also the link's customer: a firm cannot supply itself",
    )
    _check_range("share", share, (share <= 0) | (share > 1), "must be in (0, 1]")
    _check_range("stock_days", stock_days, stock_days < 0, "must be >= 0")

    cap = _floats("capacity", capacity, 2)
    if cap.shape[0] == 0 or cap.shape[1] != n:
        _fail(f"capacity has shape {cap.shape}: it must be (days >= 1, {n} firms)")
    _check_range("capacity", cap, cap < 0, "must be >= 0")

    if not (np.isfinite(params.alpha) and 0 < params.alpha <= 1):
        _fail(f"Params.alpha = {params.alpha} must be in (0, 1]")
    # tau >= 1 keeps a refill from overshooting the stock target.
    if not (np.isfinite(params.tau) and params.tau >= 1):
        _fail(f"Params.tau = {params.tau} must be >= 1 (days)")
    clean = Network(
        output=output,
        supplier=supplier,
        customer=customer,
        sector=sector,
        share=share,
        stock_days=stock_days,
    )
    return clean, cap


def simulate(
    network: Network,
    capacity: np.ndarray,
    params: Params = DEFAULT_PARAMS,
    *,
    stocks: bool = False,
) -> Result:
    """Run the model over the days of `capacity` (T, n); `stocks` keeps the (T, K) stock matrix.

    Link arrays are worked on sorted by input pair (customer, sector), so a pair is a contiguous
    run of links and a firm a contiguous run of pairs: sums per pair are CSR products and the
    scarcest stock per firm one `np.minimum.reduceat`.
    """
    network, capacity = validate(network, capacity, params)
    x0 = network.output
    n = len(x0)
    days = capacity.shape[0]

    order = np.lexsort((network.sector, network.customer))
    sup = network.supplier[order]
    cus = network.customer[order]
    sec = network.sector[order]
    share = network.share[order]
    stock_days = network.stock_days[order]
    links = len(sup)

    opens = np.ones(links, dtype=bool)
    opens[1:] = (cus[1:] != cus[:-1]) | (sec[1:] != sec[:-1])
    pair_start = np.flatnonzero(opens)
    pair_of = np.cumsum(opens) - 1  # link → pair
    pair_firm = cus[pair_start]
    pair_sector = sec[pair_start]
    pairs = len(pair_start)

    # (K, L): sums over each pair's links.
    by_pair = sp.csr_matrix(
        (np.ones(links), np.arange(links), np.append(pair_start, links)), shape=(pairs, links)
    )
    # (n, L): sums over each supplier's out-links.
    by_supplier_order = np.argsort(sup, kind="stable")
    by_supplier = sp.csr_matrix(
        (
            np.ones(links),
            by_supplier_order,
            np.concatenate(([0], np.cumsum(np.bincount(sup, minlength=n)))),
        ),
        shape=(n, links),
    )

    total = by_pair @ share
    share = share / np.where(total > 1, total, 1.0)[pair_of]
    # `cover` is the same product the day loop makes for its order weights, so that with every
    # supplier open weight/cover is exactly 1 and the no-shock run stays exactly at 1.
    cover = by_pair @ share
    inputs = np.bincount(pair_firm, minlength=n)
    need = params.alpha * x0[pair_firm] / inputs[pair_firm]  # N_k, 万元/day
    normal = share * need[pair_of]  # v_l
    target = np.maximum(1.0, (by_pair @ (normal * stock_days)) / (by_pair @ normal))
    sold = by_supplier @ normal
    normal_output = np.maximum(x0, sold)  # X_j

    buyers = np.flatnonzero(np.bincount(pair_firm, minlength=n))  # firms with input pairs
    firm_first = np.searchsorted(pair_firm, buyers)

    ratio = np.empty((days, n))
    stock_log = np.empty((days, pairs)) if stocks else None
    dry_day = np.zeros(n, dtype=np.int64)
    scarce = np.full(n, -1, dtype=np.int64)
    stock = target.copy()
    excess = np.zeros(n)  # yesterday's orders received minus normal output (TOT - X)
    limit = np.full(n, np.inf)
    for t in range(days):
        cap = capacity[t]
        if stock_log is not None:
            stock_log[t] = stock
        allowed = np.minimum(cap, (normal_output + excess) / normal_output)
        if pairs:
            limit[buyers] = np.minimum.reduceat(stock, firm_first)
        p = np.minimum(allowed, limit)
        ratio[t] = p

        short = (dry_day == 0) & (limit < allowed - TOLERANCE)
        if short.any():
            dry_day[short] = t + 1
            # Ties go to the lowest sector id: pairs are sorted by sector within a firm.
            binding = np.flatnonzero(short[pair_firm] & (stock <= limit[pair_firm] + TOLERANCE))
            firms, first = np.unique(pair_firm[binding], return_index=True)
            scarce[firms] = pair_sector[binding[first]]

        if not pairs:
            continue
        gap = np.maximum(0.0, target - stock) / params.tau
        wanted = p[pair_firm] + gap  # q_k, days of need
        open_ = np.minimum(1.0, cap)[sup]
        weight = by_pair @ (share * open_)
        none_open = weight == 0
        if none_open.any():
            # Nobody open: order from the usual suppliers anyway.
            open_ = np.where(none_open[pair_of], 1.0, open_)
            weight = np.where(none_open, cover, weight)
        orders = normal * open_ * (wanted * cover / weight)[pair_of]  # O_l, 万元
        excess = by_supplier @ (orders - normal)
        received = normal_output + excess
        fill = np.ones(n)
        rationed = received > p * normal_output
        fill[rationed] = p[rationed] * normal_output[rationed] / received[rationed]
        # S(t+1) = S - p + u q + Σ r O / N = S + (q - p) - Σ (1 - r) O / N, exact at r ≡ 1.
        missing = by_pair @ ((1.0 - fill[sup]) * orders) / need
        stock = np.clip(stock + gap - missing, 0.0, target)

    lost = ((1.0 - ratio) * x0).sum(axis=0)
    return Result(
        ratio=ratio,
        lost=lost,
        dry_day=dry_day,
        scarce=scarce,
        days=days,
        pair_customer=pair_firm,
        pair_sector=pair_sector,
        stock=stock_log,
    )
