"""The key sentences of a briefing, written from the figures in Chinese and in English.

Both languages live here side by side rather than in the translation catalogue: a briefing
prints both whatever the reader's language, and the two must carry the same numbers in the same
order. Rates are rounded once, from the exact tallies: counts to one decimal ("65.1%"), output
shares down to a whole percent ("over 85%"), as press releases quote them.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal

from keepline.places.models import MeasureKind, Region, RegionLevel
from keepline.reports.indicators.rates import rounded
from keepline.reports.indicators.results import Figures
from keepline.reports.indicators.targets import TargetProgress, TargetStatus
from keepline.reports.models import TargetBasis

ZH, EN = "zh-hans", "en"
LANGUAGES = (ZH, EN)

EN_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
ZH_NUMBERS = "零一二三四五六七八九十"
EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
LEVEL_NOUNS = {
    RegionLevel.PROVINCE: ("个省份", "provinces"),
    RegionLevel.CITY: ("个市州", "cities"),
    RegionLevel.DISTRICT: ("个区县", "districts"),
    RegionLevel.TOWN: ("个镇街", "towns"),
}
UNDER = {
    MeasureKind.STATIC_MANAGEMENT: ("实施静态管理的", "under static management"),
    MeasureKind.LOCKDOWN: ("实施封控的", "under lockdown"),
    MeasureKind.POWER_RATIONING: ("实施有序用电的", "under power rationing"),
    MeasureKind.FLOOD: ("受洪涝灾害影响的", "hit by floods"),
    MeasureKind.OTHER: ("实施管控措施的", "under control measures"),
}


def _check(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"sentences are written in {LANGUAGES}, not {language!r}")


def _number(n: int, language: str) -> str:
    if language == ZH:
        return ZH_NUMBERS[n] if n <= 10 else str(n)
    return EN_NUMBERS[n] if n <= 10 else str(n)


def _name(region: Region, language: str) -> str:
    return region.name_zh if language == ZH else region.name_en


def _figure(value: Decimal) -> str:
    """A rounded rate without trailing noise: 65.1, 16.5, 90."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _one_decimal(value: Decimal | None) -> str:
    rate = rounded(value, 1)
    return "—" if rate is None else f"{rate:.1f}"


def _at_least(value: Decimal, language: str) -> str:
    """A share as "over N%" (N the whole percent below it), or "N%" when it is exactly N."""
    # Fixed-point: an exact zero can carry an exponent (0E+11) that would print as such.
    whole = f"{value.to_integral_value(rounding=ROUND_FLOOR):f}"
    if Decimal(whole) == value:
        return f"{whole}%"
    return f"超过{whole}%" if language == ZH else f"over {whole}%"


def area_phrase(figures: Figures, language: str) -> str:
    """Where the figures are: "the five districts under static management", or in Chinese
    "实施静态管理的五个区县"."""
    _check(language)
    named = figures.named_regions
    under_zh, under_en = (
        UNDER.get(MeasureKind(figures.scope.under), ("", "")) if (figures.scope.under) else ("", "")
    )
    if len(named) > 1:
        levels = {r.level for r in named}
        noun_zh, noun_en = (
            LEVEL_NOUNS[RegionLevel(levels.pop())] if len(levels) == 1 else ("个地区", "areas")
        )
        if language == ZH:
            return f"{under_zh}{_number(len(named), ZH)}{noun_zh}"
        return " ".join(filter(None, ["the", _number(len(named), EN), noun_en, under_en]))
    if named:
        name = _name(named[0], language)
    elif figures.area is not None:
        name = _name(figures.area, language)
    else:
        name = "统计范围内" if language == ZH else "the area counted"
    if language == ZH:
        return f"{under_zh}{name}"
    return f"{name} ({under_en})" if under_en else name


def _enterprises(figures: Figures, count: int, language: str) -> str:
    if language == ZH:
        return f"{count}家{'工业企业' if figures.scope.all_sizes else '规上工业企业'}"
    noun = "enterprise" if count == 1 else "enterprises"
    return f"{count} {noun}" if figures.scope.all_sizes else f"{count} above-size {noun}"


def _nothing_counted(area: str, language: str) -> str:
    return (
        f"在{area}，没有纳入统计的企业。"
        if language == ZH
        else f"In {area}, no enterprises are counted."
    )


def closed_loop_sentence(figures: Figures, language: str) -> str:
    """The Luzhou sentence: how many produce in closed loop, their share by count and output."""
    _check(language)
    area = area_phrase(figures, language)
    summary = figures.summary
    if not summary.total.enterprises:
        return _nothing_counted(area, language)
    closed = summary.closed_loop.enterprises
    by_count = _one_decimal(summary.exact("closed_loop_share_count"))
    output_share = summary.exact("closed_loop_share_output")
    by_output = "—" if output_share is None else _at_least(output_share, language)
    if language == ZH:
        return (
            f"在{area}，{_enterprises(figures, closed, ZH)}实行闭环生产，"
            f"户数占比{by_count}%，产值占比{by_output}。"
        )
    verb = "produces" if closed == 1 else "produce"
    return (
        f"In {area}, {_enterprises(figures, closed, EN)} {verb} in closed loop, "
        f"{by_count}% of them by count and {by_output} by output value."
    )


def _date(day: dt.date, language: str) -> str:
    if language == ZH:
        return f"{day.month}月{day.day}日"
    return f"{day.day} {EN_MONTHS[day.month - 1]}"


def _target_clause(progress: TargetProgress, language: str) -> str:
    target = progress.target
    rate = _figure(target.rate)
    when = _date(target.date, language)
    by_output = target.basis == TargetBasis.OUTPUT
    if language == ZH:
        basis = "按产值" if by_output else ""
        text = f"目标为{when}前{basis}达到{rate}%"
        if progress.gap is not None and progress.gap > 0:
            state = "进度正常" if progress.status == TargetStatus.ON_TRACK else "进度滞后"
            text += f"，尚差{_one_decimal(progress.gap)}个百分点，{state}"
        return text + "。"
    basis = " by output value" if by_output else ""
    text = f"The target is {rate}%{basis} by {when}"
    if progress.gap is not None and progress.gap > 0:
        state = "on track" if progress.status == TargetStatus.ON_TRACK else "behind"
        text += f": {_one_decimal(progress.gap)} points to go, {state}"
    return text + "."


def resumption_sentence(figures: Figures, language: str) -> str:
    """The Guizhou sentence: the resumption rate, its change on the day before, and the next
    target not yet reached."""
    _check(language)
    area = area_phrase(figures, language)
    rate = figures.summary.exact("resumption_count")
    if rate is None:
        return _nothing_counted(area, language)
    change = figures.change("resumption_count", places=1)
    size_zh = "工业企业" if figures.scope.all_sizes else "规上工业企业"
    size_en = "enterprises" if figures.scope.all_sizes else "above-size enterprises"
    if language == ZH:
        text = f"在{area}，{size_zh}复工率{_one_decimal(rate)}%"
        if change is not None:
            text += (
                "，与前一日持平"
                if change == 0
                else f"，比前一日{'提高' if change > 0 else '下降'}{abs(change):.1f}个百分点"
            )
        text += "。"
    else:
        text = f"In {area}, the resumption rate of {size_en} is {_one_decimal(rate)}%"
        if change is not None:
            direction = "up" if change > 0 else "down"
            text += (
                ", unchanged on the day before"
                if change == 0
                else f", {direction} {abs(change):.1f} points on the day before"
            )
        text += "."
    upcoming = [p for p in figures.targets if p.days_left >= 0 and p.status != TargetStatus.REACHED]
    if upcoming:
        text += ("" if language == ZH else " ") + _target_clause(upcoming[0], language)
    return text
