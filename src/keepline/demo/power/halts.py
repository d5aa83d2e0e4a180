"""The halts after a case on site: 12 September, a worker tests positive in three semi-closed
enterprises, which the district halts; two of them keep running (`liars`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from django.db.models import Q

from keepline.bubble.models import EnterpriseMode
from keepline.bubble.selectors import modes_at
from keepline.bubble.services import modes as bubble_modes
from keepline.core.scopes import Actor
from keepline.demo.common import TZ
from keepline.demo.power.timeline import CASE_HALT, EARLY_STATIC
from keepline.enterprises.models import Enterprise

# A stream of the demo seed for these draws alone, apart from the city's `random.Random`.
HALT_STREAM = 71
CASE_REASON = "厂区发现核酸检测阳性人员，停产消杀"
CASE_HALTS = 3
GIANTS_EXEMPT = 5  # the city's giants (`city.registry.GIANTS`) are watched too closely to lie


def _in_districts(codes: Sequence[str]) -> Q:
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(region__path__contains=f"/{code}/")
    return q


def build_case_halts(actor: Actor, *, seed: int) -> int:
    """The district halts three semi-closed enterprises from 12 September after a positive case
    (before the daily reports are filed, so their reports say halted); returns how many."""
    rng = np.random.default_rng([HALT_STREAM, seed])
    before = dt.datetime.combine(CASE_HALT - dt.timedelta(days=1), dt.time(12), TZ)
    candidates = Enterprise.objects.filter(_in_districts(EARLY_STATIC), above_size=True)
    modes = modes_at(candidates, before)
    semi = sorted(
        candidates.filter(pk__in=[pk for pk, m in modes.items() if m == EnterpriseMode.SEMI_CLOSED])
        .order_by("-annual_output", "uscc")[GIANTS_EXEMPT:]
        .values_list("uscc", "pk")
    )
    chosen = rng.choice(len(semi), size=min(CASE_HALTS, len(semi)), replace=False)
    for i in sorted(chosen):
        bubble_modes.set_mode(
            actor=actor,
            enterprise_id=semi[i][1],
            mode=EnterpriseMode.HALTED,
            reason=CASE_REASON,
            effective_on=CASE_HALT,
            now=dt.datetime.combine(CASE_HALT - dt.timedelta(days=1), dt.time(18), TZ),
        )
    return len(chosen)
