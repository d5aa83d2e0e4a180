"""The city as arrays: the enterprises and accounts in a fixed order, and each enterprise's mode
day by day from its mode records (those of early 2022 replayed a lunar year back)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.utils import timezone

from keepline.bubble.models import EnterpriseMode, ModeRecord
from keepline.demo.common import TZ
from keepline.demo.power.halts import CASE_REASON
from keepline.demo.power.timeline import FIRST_DAY, LAST_DAY, LUNAR_SHIFT, REPLAYED
from keepline.enterprises.models import Enterprise, PowerAccount

# Share of the normal level per mode, drawn once per enterprise between the bounds.
MODE_LEVELS = {
    EnterpriseMode.NORMAL: (1.0, 1.0),
    EnterpriseMode.CLOSED_LOOP: (0.75, 0.95),
    EnterpriseMode.SEMI_CLOSED: (0.5, 0.7),
    EnterpriseMode.HALTED: (0.02, 0.08),
    EnterpriseMode.SEASONAL_STOP: (0.03, 0.10),
}
MODES = list(MODE_LEVELS)


@dataclass
class CityArrays:
    """The enterprises and accounts in a fixed order, and their modes day by day."""

    uscc: list[str]
    industry: list[str]
    district: list[str]
    output: np.ndarray  # per enterprise, 10,000 yuan
    ranked: np.ndarray  # per enterprise: its rank by output, largest 0
    account_ids: list[int]
    numbers: list[str]
    owner: np.ndarray  # per account: index of its enterprise
    days: np.ndarray  # datetime64[D]
    start_mode: np.ndarray  # [enterprise, day] index into MODES at the day's first minute
    end_mode: np.ndarray  # ... and at its last
    case_halted: list[int]

    def day(self, day: dt.date) -> int:
        return (day - FIRST_DAY).days

    def span(self, first: dt.date, last: dt.date) -> slice:
        return slice(self.day(first), self.day(last) + 1)


def load_arrays() -> CityArrays:
    rows = list(
        Enterprise.objects.order_by("uscc").values_list(
            "pk", "uscc", "industry__code", "region__path", "annual_output"
        )
    )
    index = {pk: i for i, (pk, *_rest) in enumerate(rows)}
    output = np.array([float(r[4]) for r in rows])
    ranked = np.empty(len(rows), dtype=np.int64)
    ranked[np.lexsort((np.arange(len(rows)), -output))] = np.arange(len(rows))
    accounts = list(
        PowerAccount.objects.order_by("number").values_list("pk", "number", "enterprise_id")
    )
    days = np.arange(
        np.datetime64(FIRST_DAY), np.datetime64(LAST_DAY + dt.timedelta(days=1)), dtype="M8[D]"
    )
    start = np.zeros((len(rows), len(days)), dtype=np.int64)
    end = np.zeros_like(start)
    records = ModeRecord.objects.order_by("effective_from", "id").values_list(
        "enterprise_id", "mode", "effective_from", "reason"
    )
    events: list[tuple[dt.datetime, int, int, int]] = []
    case_halted = []
    for n, (enterprise_id, mode, at, reason) in enumerate(records):
        local = timezone.localtime(at, TZ)
        e, code = index[enterprise_id], MODES.index(EnterpriseMode(mode))
        events.append((local, n, e, code))
        if REPLAYED[0] <= local.date() < REPLAYED[1]:
            events.append((local - LUNAR_SHIFT, n, e, code))
        if reason == CASE_REASON and mode == EnterpriseMode.HALTED:
            case_halted.append(e)
    for local, _n, e, code in sorted(events):
        d = (local.date() - FIRST_DAY).days
        end[e, max(d, 0) :] = code
        # A mode taking effect at midnight holds the whole day; later, from the next day on.
        s = d if local.time() == dt.time.min else d + 1
        start[e, max(s, 0) :] = code
    return CityArrays(
        uscc=[r[1] for r in rows],
        industry=[r[2] for r in rows],
        district=[r[3].split("/")[2] for r in rows],
        output=output,
        ranked=ranked,
        account_ids=[a[0] for a in accounts],
        numbers=[a[1] for a in accounts],
        owner=np.array([index[a[2]] for a in accounts], dtype=np.int64),
        days=days,
        start_mode=start,
        end_mode=end,
        case_halted=sorted(case_halted),
    )
