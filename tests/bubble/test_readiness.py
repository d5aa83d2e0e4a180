"""Readiness rules: each passes or fails with a plain explanation of why."""

from __future__ import annotations

from typing import Any

import pytest

from keepline.bubble.models import ClosedLoopPlan
from keepline.bubble.readiness import RULES, is_ready, readiness
from tests.bubble.conftest import READY


def _plan(**changes: Any) -> ClosedLoopPlan:
    return ClosedLoopPlan(number=1, **{**READY, **changes})


def _rule(plan: ClosedLoopPlan, code: str) -> tuple[bool, str]:
    result = next(r for r in readiness(plan) if r.code == code)
    return result.passed, result.explanation


def test_a_complete_plan_passes_every_rule() -> None:
    results = readiness(_plan())
    assert len(results) == len(RULES) == 12
    assert all(r.passed for r in results) and is_ready(results)


@pytest.mark.parametrize(
    ("code", "changes", "passed", "explanation"),
    [
        ("boundary", {}, True, "The perimeter can be sealed, with 2 gates."),
        ("boundary", {"gates": 1}, True, "The perimeter can be sealed, with 1 gate."),
        ("boundary", {"perimeter_sealable": False}, False, "The perimeter cannot be sealed."),
        (
            "boundary",
            {"gates": 0},
            False,
            "No gate is given: name the gates through which the loop is entered.",
        ),
        ("guards", {}, True, "2 guard posts for 2 gates: every gate is watched."),
        ("guards", {"gates": 3}, False, "2 guard posts for 3 gates: 1 short."),
        ("staff", {}, True, "150 staff will live inside the loop."),
        (
            "staff",
            {"staff_inside": 0},
            False,
            "Nobody is planned to live inside the loop: give the number of staff who will.",
        ),
        ("beds", {}, True, "Beds 160 for 150 staff living inside: enough."),
        ("beds", {"beds": 120}, False, "Beds 120 for 150 staff living inside: 30 short."),
        (
            "meals",
            {},
            True,
            "The kitchen makes 450 meals a day; 150 staff living inside need 450: enough.",
        ),
        (
            "meals",
            {"meals_per_day": 300},
            False,
            "The kitchen makes 300 meals a day; 150 staff living inside need 450: 150 short.",
        ),
        (
            "raw_materials",
            {},
            True,
            "Raw materials last 10 days; at least 7 are needed.",
        ),
        (
            "raw_materials",
            {"raw_material_days": 5},
            False,
            "Raw materials last 5 days; at least 7 are needed: 2 short.",
        ),
        (
            "finished_goods",
            {},
            True,
            "Finished goods can be stored for 7 days; at least 5 are needed.",
        ),
        (
            "finished_goods",
            {"finished_goods_days": 3},
            False,
            "Finished goods can be stored for 3 days; at least 5 are needed: 2 short.",
        ),
        ("key_inputs", {}, True, "The key inputs and their sources are listed."),
        (
            "key_inputs",
            {"key_inputs": "  "},
            False,
            "The key inputs are not listed: name what production cannot run without.",
        ),
        ("isolation", {}, True, "Isolation rooms 3 for 150 staff living inside: enough."),
        (
            "isolation",
            {"isolation_rooms": 2},
            False,
            "Isolation rooms 2 for 150 staff living inside: at least 3 are needed.",
        ),
        (
            "isolation",
            {"isolation_rooms": 0, "staff_inside": 10, "beds": 10, "meals_per_day": 30},
            False,
            "Isolation rooms 0 for 10 staff living inside: at least 1 is needed.",
        ),
        ("sampling", {}, True, "Staff are sampled on site at 2 points."),
        (
            "sampling",
            {"on_site_sampling": False, "sampling_points": 0},
            False,
            "Staff cannot be sampled on site: they would have to leave the loop to be tested.",
        ),
        (
            "sampling",
            {"sampling_points": 0},
            False,
            "On-site sampling is planned but no sampling point is given.",
        ),
        (
            "reduced_staff",
            {},
            True,
            "A reduced-staff plan says how production goes on with fewer people.",
        ),
        (
            "reduced_staff",
            {"reduced_staff_plan": ""},
            False,
            "There is no reduced-staff plan for when staff fall ill or cannot come in.",
        ),
        (
            "logistics",
            {},
            True,
            "Alternative logistics are arranged for when the usual routes close.",
        ),
        (
            "logistics",
            {"alternative_logistics": ""},
            False,
            "There are no alternative logistics for when the usual routes close.",
        ),
    ],
)
def test_rule(code: str, changes: dict[str, Any], passed: bool, explanation: str) -> None:
    plan = _plan(**changes)
    assert _rule(plan, code) == (passed, explanation)
    if not passed:
        assert not is_ready(readiness(plan))
