"""The propagation model as a plain loop over firms and links, the check on the fast engine.

Written from the equations in docs/propagation.md, one statement per equation, with dicts and
lists: slow (pure Python) but easy to read against the text. `propagation.simulate` must agree
with it to rounding; the tests and the benchmark compare them.
"""

from __future__ import annotations

import math

import numpy as np

from keepline.chains.propagation import DEFAULT_PARAMS, TOLERANCE, Network, Params, Result, validate


def simulate(
    network: Network,
    capacity: np.ndarray,
    params: Params = DEFAULT_PARAMS,
    *,
    stocks: bool = False,
) -> Result:
    """Same inputs and outputs as `propagation.simulate`, one firm and one link at a time."""
    network, capacity_array = validate(network, capacity, params)
    x0: list[float] = network.output.tolist()
    n = len(x0)
    sup: list[int] = network.supplier.tolist()
    cus: list[int] = network.customer.tolist()
    sec: list[int] = network.sector.tolist()
    share: list[float] = network.share.tolist()
    stock_days: list[float] = network.stock_days.tolist()
    caps: list[list[float]] = capacity_array.tolist()
    days = len(caps)
    alpha, tau = params.alpha, params.tau

    # Pairs (customer, sector) and their links.
    links_of: dict[tuple[int, int], list[int]] = {}
    for link in range(len(sup)):
        links_of.setdefault((cus[link], sec[link]), []).append(link)
    pairs = sorted(links_of)
    pairs_of: dict[int, list[tuple[int, int]]] = {}
    for pair in pairs:
        pairs_of.setdefault(pair[0], []).append(pair)

    # Shares of a pair that sum above 1 are scaled to sum to 1.
    for pair in pairs:
        total = sum(share[link] for link in links_of[pair])
        if total > 1:
            for link in links_of[pair]:
                share[link] = share[link] / total

    need: dict[tuple[int, int], float] = {}  # N_k
    outside: dict[tuple[int, int], float] = {}  # u_k
    target: dict[tuple[int, int], float] = {}  # D_k
    value = [0.0] * len(sup)  # v_l
    for pair in pairs:
        firm = pair[0]
        need[pair] = alpha * x0[firm] / len(pairs_of[firm])
        covered = min(1.0, sum(share[link] for link in links_of[pair]))
        outside[pair] = 1.0 - covered
        for link in links_of[pair]:
            value[link] = share[link] * need[pair]
        flow = sum(value[link] for link in links_of[pair])
        mean_days = sum(value[link] * stock_days[link] for link in links_of[pair]) / flow
        target[pair] = max(1.0, mean_days)

    sold = [0.0] * n
    for link in range(len(sup)):
        sold[sup[link]] += value[link]
    normal_output = [max(x0[j], sold[j]) for j in range(n)]  # X_j
    final = [normal_output[j] - sold[j] for j in range(n)]  # F_j

    stock = {pair: target[pair] for pair in pairs}  # S_k(1) = D_k
    received_before = list(normal_output)  # TOT_j(0) = X_j
    ratio_rows: list[list[float]] = []
    stock_rows: list[list[float]] = []
    dry_day = [0] * n
    scarce = [-1] * n
    for t in range(days):
        cap = caps[t]
        stock_rows.append([stock[pair] for pair in pairs])

        # 1-2. Demand limit, input limit, production ratio.
        p = [0.0] * n
        for i in range(n):
            demand = received_before[i] / normal_output[i]
            allowed = min(cap[i], demand)
            lowest = min((stock[pair] for pair in pairs_of.get(i, [])), default=math.inf)
            p[i] = min(allowed, lowest)
            if dry_day[i] == 0 and lowest < allowed - TOLERANCE:
                dry_day[i] = t + 1
                scarce[i] = min(
                    pair[1] for pair in pairs_of[i] if stock[pair] <= lowest + TOLERANCE
                )
        ratio_rows.append(p)

        # 3. Orders: the in-network part over the suppliers not known to be shut.
        wanted: dict[tuple[int, int], float] = {}
        orders = [0.0] * len(sup)
        for pair in pairs:
            wanted[pair] = p[pair[0]] + max(0.0, target[pair] - stock[pair]) / tau
            weights = {link: share[link] * min(1.0, cap[sup[link]]) for link in links_of[pair]}
            if sum(weights.values()) == 0:
                weights = {link: share[link] for link in links_of[pair]}
            total_weight = sum(weights.values())
            inside = need[pair] * (1.0 - outside[pair]) * wanted[pair]
            for link in links_of[pair]:
                orders[link] = inside * weights[link] / total_weight

        # 4. Rationing: each supplier fills all its orders in the same proportion.
        received = list(final)
        for link in range(len(sup)):
            received[sup[link]] += orders[link]
        fill = [0.0] * n
        for j in range(n):
            made = p[j] * normal_output[j]
            fill[j] = 1.0 if received[j] == 0 else min(1.0, made / received[j])

        # 5. Stocks.
        for pair in pairs:
            arrived = outside[pair] * wanted[pair]
            for link in links_of[pair]:
                arrived += fill[sup[link]] * orders[link] / need[pair]
            after = stock[pair] - p[pair[0]] + arrived
            assert -TOLERANCE <= after <= target[pair] + TOLERANCE, (pair, t, after)
            stock[pair] = after
        received_before = received

    ratio = np.array(ratio_rows, dtype=np.float64).reshape(days, n)
    lost = np.array([sum((1.0 - ratio_rows[t][i]) * x0[i] for t in range(days)) for i in range(n)])
    return Result(
        ratio=ratio,
        lost=lost,
        dry_day=np.array(dry_day, dtype=np.int64),
        scarce=np.array(scarce, dtype=np.int64),
        days=days,
        pair_customer=np.array([pair[0] for pair in pairs], dtype=np.int64),
        pair_sector=np.array([pair[1] for pair in pairs], dtype=np.int64),
        stock=np.array(stock_rows, dtype=np.float64).reshape(days, len(pairs)) if stocks else None,
    )
