"""The daily briefing is made of sections; each module that has something to say adds one.

A section is a function `(BriefingContext) -> Section | None`, listed by dotted path in the
setting KEEPLINE_BRIEFING_SECTIONS (in order). Later modules (problems, power, passes) add their
own function to that list; the page, the Word document and the Excel workbook render whatever
sections return, so none of them changes when a section is added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from keepline.bubble.models import EnterpriseMode
from keepline.core.scopes import Actor, holds, visible
from keepline.places.models import Park, Region, RegionLevel, WhitelistLevel
from keepline.power.metrics.index import PowerFilter, compute, latest_day, scoped
from keepline.power.models import DailyReading
from keepline.problems import figures as problem_figures
from keepline.problems.models import Problem
from keepline.reports import selectors, sentences
from keepline.reports.indicators.rates import Summary, rounded
from keepline.reports.indicators.results import Figures
from keepline.reports.indicators.scope import FigureScope, enterprises_in, resolve
from keepline.reports.sentences import EN_MONTHS


@dataclass(frozen=True)
class Table:
    """A table of a section: the numbers behind its sentences."""

    title: str
    headers: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class Section:
    """What one module says in the briefing: key sentences in both languages, and tables."""

    key: str
    title: str
    sentences: list[tuple[str, str]] = field(default_factory=list)  # (Chinese, English)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class BriefingContext:
    """What every section works from: who reads it, which area, which day, and the figures."""

    actor: Actor
    scope: FigureScope
    day: dt.date
    as_of: dt.datetime
    figures: Figures


CENT = Decimal("0.01")
TARGET_MEMORY_DAYS = 7


def section_builders() -> list[Callable[[BriefingContext], Section | None]]:
    return [import_string(path) for path in settings.KEEPLINE_BRIEFING_SECTIONS]


def _count(n: int, noun: str) -> str:
    """An English count with its noun: 1 park, 2 parks (the sentences are written, not
    translated; see keepline.reports.sentences)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def money(value: Decimal) -> Decimal:
    """万元 to the cent: sums come back from the database with as many places as it likes."""
    return value.quantize(CENT)


def _mode_rows(summary: Summary) -> list[list[Any]]:
    rows = []
    for mode in EnterpriseMode:
        tally = summary.by_mode.get(mode.value)
        if tally is None:
            continue
        rows.append([mode.label, tally.enterprises, money(tally.output), tally.employees])
    return rows


def _current_targets(ctx: BriefingContext) -> list[Any]:
    """Targets still ahead, or reached or missed within the last week: last spring's
    resumption targets have nothing to say in an autumn briefing."""
    since = ctx.day - dt.timedelta(days=TARGET_MEMORY_DAYS)
    return [t for t in ctx.figures.targets if t.target.date >= since]


def figures_section(ctx: BriefingContext) -> Section | None:
    """Closed-loop production and resumption: the sentences a press conference quotes."""
    f = ctx.figures
    s = f.summary
    tables = [
        Table(
            _("Enterprises by mode"),
            [_("Mode"), _("Enterprises"), _("Annual output value (10k CNY)"), _("Employees")],
            _mode_rows(s),
        ),
        Table(
            _("Key rates"),
            [_("Indicator"), _("Value"), _("Change on the day before (points)")],
            [
                [
                    _("Closed-loop share by count"),
                    _pct(s.closed_loop_share_count),
                    f.change("closed_loop_share_count"),
                ],
                [
                    _("Closed-loop share by output value"),
                    _pct(s.closed_loop_share_output),
                    f.change("closed_loop_share_output"),
                ],
                [
                    _("Resumption rate by count"),
                    _pct(s.resumption_count),
                    f.change("resumption_count"),
                ],
                [
                    _("Resumption rate by output value"),
                    _pct(s.resumption_output),
                    f.change("resumption_output"),
                ],
            ],
        ),
    ]
    if f.by_region:
        tables.append(
            Table(
                _("By district"),
                [
                    _("Area"),
                    _("Enterprises"),
                    _("Closed loop"),
                    _("Closed-loop share by count"),
                    _("Resumption rate by count"),
                ],
                [
                    [
                        row.label,
                        row.summary.total.enterprises,
                        row.summary.closed_loop.enterprises,
                        _pct(row.summary.closed_loop_share_count),
                        _pct(row.summary.resumption_count),
                    ]
                    for row in f.by_region
                ],
            )
        )
    targets = _current_targets(ctx)
    if targets:
        tables.append(
            Table(
                _("Targets"),
                [_("Area"), _("Target date"), _("Target"), _("Now"), _("Status")],
                [
                    [t.area, t.target.date, f"{t.target.rate}%", _pct(t.actual), t.status.label]
                    for t in targets
                ],
            )
        )
    return Section(
        key="figures",
        title=_("Closed-loop production and resumption"),
        sentences=[
            (
                sentences.closed_loop_sentence(f, sentences.ZH),
                sentences.closed_loop_sentence(f, sentences.EN),
            ),
            (
                sentences.resumption_sentence(f, sentences.ZH),
                sentences.resumption_sentence(f, sentences.EN),
            ),
        ],
        tables=tables,
    )


def reports_section(ctx: BriefingContext) -> Section | None:
    """Who reported for the day, and who has not."""
    area = selectors.AreaFilter(region=ctx.scope.regions[0] if len(ctx.scope.regions) == 1 else "")
    required = selectors.required_reporters(ctx.actor, ctx.day, area).count()
    missing = list(selectors.missing_reports(ctx.actor, ctx.day, area))
    reported = required - len(missing)
    # Counted by district: towns are too many lines for a leader's page.
    districts = {r.path: str(r) for r in Region.objects.filter(level=RegionLevel.DISTRICT)}
    by_region: dict[str, int] = {}
    for enterprise in missing:
        path = "/".join(enterprise.region.path.split("/")[:3]) + "/"
        name = districts.get(path, str(enterprise.region))
        by_region[name] = by_region.get(name, 0) + 1
    day_zh, day_en = f"{ctx.day.month}月{ctx.day.day}日", ctx.day.strftime("%d %b %Y").lstrip("0")
    return Section(
        key="reports",
        title=_("Daily reports"),
        sentences=[
            (
                f"{day_zh}应报企业{required}家，已报{reported}家，未报{len(missing)}家。",
                f"On {day_en}, {reported} of the {_count(required, 'enterprise')} due to report"
                f" did so; {len(missing)} did not.",
            )
        ],
        tables=[
            Table(
                _("Missing reports by area"),
                [_("Area"), _("Missing")],
                [[name, count] for name, count in sorted(by_region.items())],
            )
        ]
        if missing
        else [],
    )


def whitelist_section(ctx: BriefingContext) -> Section | None:
    """How many enterprises and parks of the area are on each whitelist level."""
    resolved = resolve(ctx.scope, ctx.as_of)
    enterprises = enterprises_in(ctx.actor, ctx.scope, resolved).exclude(whitelist_level="")
    by_level = dict(
        enterprises.values_list("whitelist_level")
        .annotate(n=Count("pk"))
        .values_list("whitelist_level", "n")
    )
    parks = visible(Park.objects.exclude(whitelist_level=""), ctx.actor)
    if ctx.scope.regions:
        within = Q(pk__in=[])
        for region in resolved.regions:
            within |= Q(region__path__startswith=region.path)
        parks = parks.filter(within)
    parks_by_level = dict(
        parks.values_list("whitelist_level")
        .annotate(n=Count("pk"))
        .values_list("whitelist_level", "n")
    )
    if not by_level and not parks_by_level:
        return None
    # The level kept is the highest: a provincially listed enterprise is on the city list too.
    city = sum(by_level.values())
    province = by_level.get(WhitelistLevel.PROVINCE, 0) + by_level.get(WhitelistLevel.NATIONAL, 0)
    park_city = sum(parks_by_level.values())
    park_province = parks_by_level.get(WhitelistLevel.PROVINCE, 0)
    park_province += parks_by_level.get(WhitelistLevel.NATIONAL, 0)
    return Section(
        key="whitelist",
        title=_("Whitelists"),
        sentences=[
            (
                f"列入白名单的园区{park_city}个、企业{city}家，其中省级白名单园区{park_province}个、"
                f"企业{province}家。",
                f"{_count(park_city, 'park')} and {_count(city, 'enterprise')} are on the"
                f" whitelists, of which {_count(park_province, 'park')} and"
                f" {_count(province, 'enterprise')} on the provincial list.",
            )
        ],
        tables=[
            Table(
                _("Whitelist listings by level"),
                [_("Level"), _("Parks"), _("Enterprises")],
                [
                    [level.label, parks_by_level.get(level.value, 0), by_level.get(level.value, 0)]
                    for level in WhitelistLevel
                ],
            )
        ],
    )


def _one_place(value: Decimal | None) -> str:
    rate = rounded(value, 1)
    return "—" if rate is None else f"{rate:.1f}"


def power_section(ctx: BriefingContext) -> Section | None:
    """Electricity as the truth signal: large industry against the same month last year, the
    power resumption index and the month's energy year on year, on the latest day with
    readings up to the briefing's day (meter data arrives a day late)."""
    if not holds(ctx.actor, DailyReading):
        return None
    enterprises, _resolved = scoped(ctx.actor, PowerFilter(scope=ctx.scope))
    day = latest_day(enterprises, ctx.day)
    if day is None:
        return None
    index = compute(ctx.actor, PowerFilter(scope=ctx.scope, since=day, until=day))
    h, yoy = index.headline, index.year_on_year
    day_zh, day_en = f"{day.month}月{day.day}日", day.strftime("%d %b %Y").lstrip("0")
    lines: list[tuple[str, str]] = []
    large = index.large_same_month.exact("rate")
    if large is not None:
        lines.append(
            (
                f"{day_zh}，规上工业大用户日均用电量为去年同月日均的{_one_place(large)}%。",
                f"On {day_en}, large industry at {_one_place(large)}% of the same month's daily"
                " average last year.",
            )
        )
    if h.index is not None:
        index_, share, rate = (_one_place(h.exact(k)) for k in ("index", "share", "rate"))
        lines.append(
            (
                f"电力复工指数为{index_}，{h.counted}家有基准和读数的企业中{h.resumed}家复工"
                f"（{share}%），用电恢复率{rate}%。",
                f"Power resumption index {index_}: {h.resumed} of the"
                f" {_count(h.counted, 'enterprise')} with a baseline and a reading resumed"
                f" ({share}%), recovery rate {rate}%.",
            )
        )
    change = yoy.exact()
    if change is not None:
        lines.append(
            (
                f"本月1日至{day.day}日用电量同比{'增长' if change >= 0 else '下降'}"
                f"{_one_place(abs(change))}%。",
                f"Energy from 1 to {day.day} {EN_MONTHS[day.month - 1]}"
                f" {'up' if change >= 0 else 'down'} {_one_place(abs(change))}% year on year.",
            )
        )
    if not lines:
        return None
    headers = [
        _("Area"),
        _("Enterprises"),
        _("Counted"),
        _("Resumed"),
        _("No baseline"),
        _("Share resumed (%)"),
        _("Recovery rate (%)"),
        _("Power resumption index"),
        _("Year on year (%)"),
    ]
    return Section(
        key="power",
        title=_("Power"),
        sentences=lines,
        tables=[
            Table(
                _("Power by district, %(day)s") % {"day": day.isoformat()},
                headers,
                [
                    [
                        row.label,
                        row.tally.enterprises,
                        row.tally.counted,
                        row.tally.resumed,
                        row.tally.no_baseline,
                        _pct(row.tally.share),
                        _pct(row.tally.rate),
                        row.tally.index if row.tally.index is not None else "—",
                        _pct(row.year_on_year.change),
                    ]
                    for row in index.by_region
                ],
            )
        ]
        if index.by_region
        else [],
    )


def _problem_rows(rows: list[problem_figures.Row]) -> list[list[Any]]:
    return [
        [r.label, r.received.value, r.open.value, r.replied.value, r.closed.value] for r in rows
    ]


def problems_section(ctx: BriefingContext) -> Section | None:
    """Enterprise problems (诉求): received and closed to date, on time, satisfaction, solved for
    whitelisted enterprises, and what is still open."""
    if not holds(ctx.actor, Problem):
        return None
    f = problem_figures.compute(ctx.actor, scope=ctx.scope, as_of=ctx.as_of)
    if not f.received.value:
        return None
    day_zh, day_en = f"{ctx.day.month}月{ctx.day.day}日", ctx.day.strftime("%d %b %Y").lstrip("0")
    on_time, mean = f.on_time.value, f.satisfaction.mean
    received, closed = f.received.value, f.closed.value
    zh = f"截至{day_zh}，累计受理企业诉求{received}件，已办结{closed}件"
    en = f"By {day_en}, {_count(received, 'problem')} received, {closed} closed"
    if on_time is not None:
        zh += f"，按期办结率{on_time:.1f}%"
        en += f", {on_time:.1f}% on time"
    if mean is not None:
        zh += f"，满意度{mean:.1f}分"
        en += f", satisfaction {mean:.1f} of 5"
    solved = f.whitelisted_solved.value
    zh += f"；为白名单企业解决问题{solved}件。"
    en += f"; {_count(solved, 'problem')} solved for whitelisted enterprises."
    still = (
        f"在办{f.open.value}件，其中超期{f.overdue.value}件、临近时限{f.near.value}件；"
        f"已答复待企业确认{f.replied.value}件。",
        f"{f.open.value} open, of which {f.overdue.value} overdue and {f.near.value} near a"
        f" deadline; {f.replied.value} answered and awaiting the enterprise's confirmation.",
    )
    s = f.satisfaction

    def rate(value: Decimal | None, part: int, whole: int) -> str:
        return "—" if value is None else f"{value:.1f}% ({part}/{whole})"

    key_rows: list[list[Any]] = [
        [
            _("Closed on time"),
            rate(on_time, f.on_time.part.value, f.on_time.whole.value),
        ],
        [
            _("Acknowledged on time"),
            rate(
                f.acknowledged_on_time.value,
                f.acknowledged_on_time.part.value,
                f.acknowledged_on_time.whole.value,
            ),
        ],
        [
            _("Median time to close (days)"),
            "—" if f.median_close_days is None else f.median_close_days,
        ],
        [_("Satisfaction (mean of 1–5)"), "—" if mean is None else f"{mean:.1f}"],
        [_("Rated 4–5"), rate(s.high_share, s.high.value, s.rated.value)],
        [_("Solved for whitelisted enterprises"), solved],
    ]
    since = f.whitelisted_solved_since_emergency
    if since is not None and f.emergency_start is not None:
        key_rows.append(
            [
                _("Solved for whitelisted enterprises since %(day)s")
                % {"day": timezone.localdate(f.emergency_start).isoformat()},
                since.value,
            ]
        )
    headers = [
        _("Received"),
        pgettext("problem status", "Open"),
        _("Awaiting confirmation"),
        pgettext("problem status", "Closed"),
    ]
    return Section(
        key="problems",
        title=_("Enterprise problems"),
        sentences=[(zh, en), still],
        tables=[
            Table(
                _("Problems by category"),
                [_("Category"), *headers],
                _problem_rows(f.by_category),
            ),
            Table(_("Key figures on problems"), [_("Indicator"), _("Value")], key_rows),
            Table(
                _("Problems by department"),
                [_("Department"), *headers],
                _problem_rows(f.by_department),
            ),
        ],
    )
