"""Readiness of a closed-loop plan, rule by rule, each explained in words.

The three conditions of the bubble way of working — the boundary can be sealed (边界可封), food
and lodging can be guaranteed (食宿可保), stock is usable (备货可用) — plus isolation, on-site
sampling and a backup arrangement. A plan is ready only when every rule passes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keepline.bubble.models import ClosedLoopPlan

# Every gate of a sealed perimeter is watched: at least one guard post per gate.
GUARD_POSTS_PER_GATE = 1
# Three meals a day for each person living inside the loop.
MEALS_PER_PERSON_PER_DAY = 3
# Raw materials must last through a first week of static management without deliveries.
MIN_RAW_MATERIAL_DAYS = 7
# Finished goods must be storable for five days while outbound logistics are interrupted.
MIN_FINISHED_GOODS_DAYS = 5
# One isolation room for every 50 people living inside, and never fewer than one.
STAFF_PER_ISOLATION_ROOM = 50


@dataclass(frozen=True)
class RuleResult:
    """One readiness rule applied to one plan: whether it passes and why, in words."""

    code: str
    condition: str
    passed: bool
    explanation: str


def _boundary(plan: ClosedLoopPlan) -> RuleResult:
    if plan.perimeter_sealable and plan.gates > 0:
        text = ngettext(
            "The perimeter can be sealed, with %(gates)s gate.",
            "The perimeter can be sealed, with %(gates)s gates.",
            plan.gates,
        ) % {"gates": plan.gates}
        return RuleResult("boundary", _("Boundary"), True, text)
    if not plan.perimeter_sealable:
        text = _("The perimeter cannot be sealed.")
    else:
        text = _("No gate is given: name the gates through which the loop is entered.")
    return RuleResult("boundary", _("Boundary"), False, text)


def _guards(plan: ClosedLoopPlan) -> RuleResult:
    needed = plan.gates * GUARD_POSTS_PER_GATE
    if plan.guard_posts >= needed and plan.guard_posts > 0:
        text = _("%(posts)s guard posts for %(gates)s gates: every gate is watched.") % {
            "posts": plan.guard_posts,
            "gates": plan.gates,
        }
        return RuleResult("guards", _("Guard posts"), True, text)
    text = _("%(posts)s guard posts for %(gates)s gates: %(short)s short.") % {
        "posts": plan.guard_posts,
        "gates": plan.gates,
        "short": max(needed - plan.guard_posts, 1),
    }
    return RuleResult("guards", _("Guard posts"), False, text)


def _staff(plan: ClosedLoopPlan) -> RuleResult:
    if plan.staff_inside > 0:
        text = _("%(staff)s staff will live inside the loop.") % {"staff": plan.staff_inside}
        return RuleResult("staff", _("Staff inside"), True, text)
    text = _("Nobody is planned to live inside the loop: give the number of staff who will.")
    return RuleResult("staff", _("Staff inside"), False, text)


def _beds(plan: ClosedLoopPlan) -> RuleResult:
    values = {"beds": plan.beds, "staff": plan.staff_inside}
    if plan.beds >= plan.staff_inside:
        text = _("Beds %(beds)s for %(staff)s staff living inside: enough.") % values
        return RuleResult("beds", _("Lodging"), True, text)
    values["short"] = plan.staff_inside - plan.beds
    text = _("Beds %(beds)s for %(staff)s staff living inside: %(short)s short.") % values
    return RuleResult("beds", _("Lodging"), False, text)


def _meals(plan: ClosedLoopPlan) -> RuleResult:
    needed = plan.staff_inside * MEALS_PER_PERSON_PER_DAY
    values = {"meals": plan.meals_per_day, "staff": plan.staff_inside, "needed": needed}
    if plan.meals_per_day >= needed:
        text = (
            _(
                "The kitchen makes %(meals)s meals a day; %(staff)s staff living inside "
                "need %(needed)s: enough."
            )
            % values
        )
        return RuleResult("meals", _("Meals"), True, text)
    values["short"] = needed - plan.meals_per_day
    text = (
        _(
            "The kitchen makes %(meals)s meals a day; %(staff)s staff living inside "
            "need %(needed)s: %(short)s short."
        )
        % values
    )
    return RuleResult("meals", _("Meals"), False, text)


def _raw(plan: ClosedLoopPlan) -> RuleResult:
    values = {"days": plan.raw_material_days, "min": MIN_RAW_MATERIAL_DAYS}
    passed = plan.raw_material_days >= MIN_RAW_MATERIAL_DAYS
    if passed:
        text = _("Raw materials last %(days)s days; at least %(min)s are needed.") % values
    else:
        values["short"] = MIN_RAW_MATERIAL_DAYS - plan.raw_material_days
        text = (
            _("Raw materials last %(days)s days; at least %(min)s are needed: %(short)s short.")
            % values
        )
    return RuleResult("raw_materials", _("Raw-material stock"), passed, text)


def _finished(plan: ClosedLoopPlan) -> RuleResult:
    values = {"days": plan.finished_goods_days, "min": MIN_FINISHED_GOODS_DAYS}
    passed = plan.finished_goods_days >= MIN_FINISHED_GOODS_DAYS
    if passed:
        text = (
            _("Finished goods can be stored for %(days)s days; at least %(min)s are needed.")
            % values
        )
    else:
        values["short"] = MIN_FINISHED_GOODS_DAYS - plan.finished_goods_days
        text = (
            _(
                "Finished goods can be stored for %(days)s days; at least %(min)s are needed: "
                "%(short)s short."
            )
            % values
        )
    return RuleResult("finished_goods", _("Finished-goods storage"), passed, text)


def _inputs(plan: ClosedLoopPlan) -> RuleResult:
    if plan.key_inputs.strip():
        return RuleResult(
            "key_inputs", _("Key inputs"), True, _("The key inputs and their sources are listed.")
        )
    text = _("The key inputs are not listed: name what production cannot run without.")
    return RuleResult("key_inputs", _("Key inputs"), False, text)


def _isolation(plan: ClosedLoopPlan) -> RuleResult:
    needed = max(1, math.ceil(plan.staff_inside / STAFF_PER_ISOLATION_ROOM))
    values = {"rooms": plan.isolation_rooms, "staff": plan.staff_inside, "needed": needed}
    passed = plan.isolation_rooms >= needed
    if passed:
        text = _("Isolation rooms %(rooms)s for %(staff)s staff living inside: enough.") % values
    else:
        text = (
            ngettext(
                "Isolation rooms %(rooms)s for %(staff)s staff living inside: at least "
                "%(needed)s is needed.",
                "Isolation rooms %(rooms)s for %(staff)s staff living inside: at least "
                "%(needed)s are needed.",
                needed,
            )
            % values
        )
    return RuleResult("isolation", _("Isolation rooms"), passed, text)


def _sampling(plan: ClosedLoopPlan) -> RuleResult:
    if plan.on_site_sampling and plan.sampling_points > 0:
        text = ngettext(
            "Staff are sampled on site at %(points)s point.",
            "Staff are sampled on site at %(points)s points.",
            plan.sampling_points,
        ) % {"points": plan.sampling_points}
        return RuleResult("sampling", _("On-site sampling"), True, text)
    if not plan.on_site_sampling:
        text = _("Staff cannot be sampled on site: they would have to leave the loop to be tested.")
    else:
        text = _("On-site sampling is planned but no sampling point is given.")
    return RuleResult("sampling", _("On-site sampling"), False, text)


def _reduced_staff(plan: ClosedLoopPlan) -> RuleResult:
    if plan.reduced_staff_plan.strip():
        text = _("A reduced-staff plan says how production goes on with fewer people.")
        return RuleResult("reduced_staff", _("Reduced-staff plan"), True, text)
    text = _("There is no reduced-staff plan for when staff fall ill or cannot come in.")
    return RuleResult("reduced_staff", _("Reduced-staff plan"), False, text)


def _logistics(plan: ClosedLoopPlan) -> RuleResult:
    if plan.alternative_logistics.strip():
        text = _("Alternative logistics are arranged for when the usual routes close.")
        return RuleResult("logistics", _("Alternative logistics"), True, text)
    text = _("There are no alternative logistics for when the usual routes close.")
    return RuleResult("logistics", _("Alternative logistics"), False, text)


RULES: list[Callable[[ClosedLoopPlan], RuleResult]] = [
    _boundary,
    _guards,
    _staff,
    _beds,
    _meals,
    _raw,
    _finished,
    _inputs,
    _isolation,
    _sampling,
    _reduced_staff,
    _logistics,
]


def readiness(plan: ClosedLoopPlan) -> list[RuleResult]:
    """Every rule applied to the plan, in the order a reviewer reads them."""
    return [rule(plan) for rule in RULES]


def is_ready(results: list[RuleResult]) -> bool:
    return all(r.passed for r in results)
