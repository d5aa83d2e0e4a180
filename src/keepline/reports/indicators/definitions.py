"""What each figure means, in the active language (docs/indicators.md says it at length)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from keepline.bubble.models import EnterpriseMode


def definitions() -> dict[str, str]:
    """What each figure means, in the active language (docs/indicators.md says it at length)."""
    official = _(
        "The mode is the official one at the as-of time: the latest mode record effective by "
        "then, normal when there is none; the mode a daily report states is not used."
    )
    out = {
        "scope": _(
            "Enterprises in scope: those the actor may see, in the regions named (each with "
            "everything below it), the parks and the industries (section or division), and under "
            "the measures named in force at the as-of time; above designated size unless all "
            "sizes are asked for."
        ),
        "as_of": _(
            "Every figure is as of the stated time; the day before means the same time of the "
            "previous day."
        ),
        "enterprises": _("Number of enterprises in scope, in every mode."),
        "output": _(
            "Sum of the registered annual output value (10k CNY) of the enterprises in scope."
        ),
        "employees": _("Sum of the registered employees of the enterprises in scope."),
        "closed_loop": _("Enterprises in scope producing in closed loop.") + " " + official,
        "closed_loop_share_count": _(
            "Closed-loop enterprises ÷ all enterprises in scope × 100 (seasonal stops included "
            "in the denominator)."
        ),
        "closed_loop_share_output": _(
            "Annual output value of closed-loop enterprises ÷ annual output value of all "
            "enterprises in scope × 100."
        ),
        "closed_loop_share_employees": _(
            "Employees of closed-loop enterprises ÷ employees of all enterprises in scope × 100."
        ),
        "counted": _(
            "Enterprises in scope except those in seasonal stop: the denominator of the "
            "resumption rate."
        ),
        "producing": _(
            "Enterprises in scope in normal, closed-loop or semi-closed production: the numerator "
            "of the resumption rate."
        )
        + " "
        + official,
        "resumption_count": _(
            "Resumption rate (复工率) by count: producing enterprises ÷ enterprises in scope "
            "not in seasonal stop × 100."
        ),
        "resumption_output": _(
            "Resumption rate by output value: annual output value of producing enterprises ÷ "
            "annual output value of enterprises in scope not in seasonal stop × 100."
        ),
        "change": _(
            "The rate at the as-of time minus the same rate at the same time the day before, in "
            "percentage points, over the same enterprises."
        ),
        "breakdown": _(
            "Breakdowns give the same figures for each region one level below the area of the "
            "figures, each park (and enterprises in no park), and each industry section (or "
            "division, when the scope names a division or one section)."
        ),
        "target": _(
            "A target is a resumption rate (by count or by output value) an area is to reach by a "
            "date. Gap = target − rate at the as-of time, in points. Needed per day = gap ÷ days "
            "left. Reached: rate ≥ target. On track: the change on the day before is at least "
            "the needed per day. Behind: otherwise. Missed: the date has passed below target. "
            "The targets shown are those of the smallest area holding every enterprise in scope: "
            "its park, else its region or the nearest region above it that has targets."
        ),
    }
    for mode in EnterpriseMode:
        out[f"mode_{mode.value}"] = (
            _("Enterprises in scope in the mode “%(mode)s”.") % {"mode": mode.label}
            + " "
            + official
        )
    return out
