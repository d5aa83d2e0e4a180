"""What each day of an enterprise looked like, and which days alert: where its meter data
disagrees with the mode it works in, where its load idles flat around the clock, or where its
meter data is missing. `services.detection` merges the alerting days into alerts.

The mode of a day is the one the enterprise reported (`reports.DailyReport.mode` for that date);
with no report, its official mode at noon (`bubble.selectors.modes_at`), the mode it held for most
of the day. The
evidence of each day records which of the two was used.

Kinds, per enterprise and day (ratio = the day's energy ÷ the baseline of `metrics`):
- reported halted, ratio above `KEEPLINE_POWER_HALTED_ABOVE` (0.5);
- reported producing (normal, closed loop, semi-closed), ratio below
  `KEEPLINE_POWER_PRODUCING_BELOW` (0.1); a seasonal stop is neither;
- idling (below);
- missing data: the enterprise has power accounts and at least one of them has no reading for
  the day. Days after the latest day for which any examined account has a reading are not
  judged at all: that data has not been delivered yet, which is not the same as missing. A day
  with an account missing is not judged against its modes either: its energy is incomplete.

Idling (seen in 2020: machines run empty to fake resumption). Load profiles are summed over the
enterprise's accounts and folded into 24 hourly values, so 15-minute and hourly data compare
alike; a profile with an interval missing is not judged. A day idles when
- its hourly load is flat: coefficient of variation (standard deviation ÷ mean) below
  `KEEPLINE_POWER_IDLE_FLAT_CV` (0.1);
- the enterprise's usual shape is not flat: the usual shape is the mean of the normalised daily
  shapes (each day ÷ its own mean) of the `KEEPLINE_POWER_IDLE_REFERENCE_DAYS` (28) days before
  the period examined, of which at least `KEEPLINE_POWER_IDLE_MIN_REFERENCE_DAYS` (7) must have
  a whole profile; its coefficient of variation must be at least `KEEPLINE_POWER_IDLE_USUAL_CV`
  (0.25). A process plant that runs flat every day has a flat usual shape and never alerts;
- it draws real power: at least `KEEPLINE_POWER_RESUMED_AT` (0.3) of the usual daily energy of
  the reference days, so a weekend or a holiday at base load is not idling;
- the mode is a producing one: idling fakes resumption, which only a producing enterprise claims.
The reference is fixed per detection (the days before its period), so every day of one run is
judged against the same picture of "usual"; run detection over the whole period of interest
rather than day by day through a long idle spell, which would otherwise become the reference.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.bubble.models import PRODUCING, EnterpriseMode
from keepline.bubble.selectors import modes_at
from keepline.core.errors import InvalidInput
from keepline.core.scopes import Actor, SystemActor, may_place, visible
from keepline.enterprises.models import Enterprise, PowerAccount
from keepline.power.metrics.baselines import Baseline, BaselineMethod, days_between, enterprise_days
from keepline.power.models import AlertKind, DailyReading, LoadProfile, PowerAlert
from keepline.reports.models import DailyReport

MAX_DAYS = 366  # one detection covers at most a year
HOURS = 24
PRODUCING_MODES = frozenset(m.value for m in PRODUCING)


class ModeSource(TextChoices):
    REPORT = "report", gettext_lazy("Daily report")
    OFFICIAL = "official", gettext_lazy("Official mode")


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput(
            _("The period ends before it starts."),
            errors={"end": [_("The last day is before the first day.")]},
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(
            _("The period is too long."),
            errors={"start": [_("At most %(days)s days at once.") % {"days": MAX_DAYS}]},
        )


# ---- what each day looked like ----------------------------------------------------------------


def reported_modes(
    enterprises: QuerySet[Enterprise], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], str]:
    """{(enterprise id, date): mode} of the daily reports filed for the days."""
    rows = DailyReport.objects.filter(
        enterprise__in=enterprises.order_by().values("pk"), date__range=(start, end)
    ).values_list("enterprise_id", "date", "mode")
    return {(e, d): m for e, d, m in rows}


def official_modes(
    enterprises: QuerySet[Enterprise], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], str]:
    """{(enterprise id, date): official mode at noon}, one query per day.

    Noon, not the end of the day: a switch made in the evening (Hejiang's static management began
    at night) would otherwise charge the whole day's power to a mode held for its last hours."""
    out: dict[tuple[int, dt.date], str] = {}
    for day in days_between(start, end):
        noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
        for pk, mode in modes_at(enterprises, noon).items():
            out[(pk, day)] = mode
    return out


def account_counts(enterprises: QuerySet[Enterprise]) -> dict[int, int]:
    """{enterprise id: number of power accounts}, for the enterprises that have any."""
    rows = (
        PowerAccount.objects.filter(enterprise__in=enterprises.order_by().values("pk"))
        .values("enterprise_id")
        .annotate(n=Count("pk"))
        .values_list("enterprise_id", "n")
    )
    return dict(rows)


def readings_per_day(
    enterprises: QuerySet[Enterprise], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], int]:
    """{(enterprise id, day): accounts with a reading that day}."""
    rows = (
        DailyReading.objects.filter(
            account__enterprise__in=enterprises.order_by().values("pk"), day__range=(start, end)
        )
        .values("account__enterprise_id", "day")
        .annotate(n=Count("pk"))
        .values_list("account__enterprise_id", "day", "n")
    )
    return {(e, d): n for e, d, n in rows}


def last_reading_day(enterprises: QuerySet[Enterprise], end: dt.date) -> dt.date | None:
    """The latest day up to `end` on which any account of the enterprises has a reading."""
    day: dt.date | None = DailyReading.objects.filter(
        account__enterprise__in=enterprises.order_by().values("pk"), day__lte=end
    ).aggregate(last=Max("day"))["last"]
    return day


def _hourly(kwh: Sequence[float | None], interval_minutes: int) -> list[float] | None:
    """A profile folded into 24 hourly values; None when an interval is missing."""
    per_hour = 60 // interval_minutes if interval_minutes and 60 % interval_minutes == 0 else 0
    if not per_hour or len(kwh) != HOURS * per_hour or any(v is None for v in kwh):
        return None
    values = [float(v) for v in kwh if v is not None]
    return [sum(values[h * per_hour : (h + 1) * per_hour]) for h in range(HOURS)]


def hourly_shapes(
    enterprises: QuerySet[Enterprise], start: dt.date, end: dt.date
) -> dict[tuple[int, dt.date], list[float]]:
    """{(enterprise id, day): hourly load summed over its accounts} for the days on which every
    account that has a profile that day has a whole one."""
    sums: dict[tuple[int, dt.date], list[float]] = {}
    broken: set[tuple[int, dt.date]] = set()
    rows = (
        LoadProfile.objects.filter(
            account__enterprise__in=enterprises.order_by().values("pk"), day__range=(start, end)
        )
        .values_list("account__enterprise_id", "day", "interval_minutes", "kwh")
        .iterator(chunk_size=2000)
    )
    for enterprise_id, day, interval, kwh in rows:
        key = (enterprise_id, day)
        hourly = _hourly(kwh, interval)
        if hourly is None:
            broken.add(key)
            continue
        total = sums.setdefault(key, [0.0] * HOURS)
        for h in range(HOURS):
            total[h] += hourly[h]
    return {k: v for k, v in sums.items() if k not in broken}


def variation(values: Sequence[float]) -> float | None:
    """Coefficient of variation (population standard deviation ÷ mean); None at no load."""
    if not values:
        return None
    mean = sum(values) / len(values)
    if mean <= 0:
        return None
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) / mean


@dataclass(frozen=True)
class UsualShape:
    """An enterprise's usual daily load over reference days: the mean hourly load, the mean of
    the normalised shapes (what flatness is judged on) and the mean daily energy."""

    hourly: list[float]
    normalised: list[float]
    daily_kwh: float
    days: int

    @property
    def variation(self) -> float | None:
        return variation(self.normalised)


def usual_shape(shapes: Iterable[list[float]]) -> UsualShape | None:
    """The usual shape of some days' hourly loads; None below the minimum of reference days."""
    usable = [s for s in shapes if sum(s) > 0]
    if not usable or len(usable) < settings.KEEPLINE_POWER_IDLE_MIN_REFERENCE_DAYS:
        return None
    n = len(usable)
    normalised = [[v * HOURS / sum(s) for v in s] for s in usable]
    return UsualShape(
        hourly=[sum(s[h] for s in usable) / n for h in range(HOURS)],
        normalised=[sum(s[h] for s in normalised) / n for h in range(HOURS)],
        daily_kwh=sum(sum(s) for s in usable) / n,
        days=n,
    )


def reference_days(before: dt.date) -> tuple[dt.date, dt.date]:
    """The days whose load shapes make the usual shape for days from `before` on."""
    days = settings.KEEPLINE_POWER_IDLE_REFERENCE_DAYS
    return before - dt.timedelta(days=days), before - dt.timedelta(days=1)


def is_idling(shape: list[float], usual: UsualShape | None) -> tuple[bool, float | None]:
    """Whether a day's hourly load idles against the usual shape, and its variation."""
    cv = variation(shape)
    usual_cv = usual.variation if usual else None
    idling = (
        cv is not None
        and usual is not None
        and usual_cv is not None
        and cv < settings.KEEPLINE_POWER_IDLE_FLAT_CV
        and usual_cv >= settings.KEEPLINE_POWER_IDLE_USUAL_CV
        and sum(shape) >= settings.KEEPLINE_POWER_RESUMED_AT * usual.daily_kwh
    )
    return idling, cv


def _round(value: float | None, places: int) -> float | None:
    return None if value is None else round(value, places)


@dataclass(frozen=True)
class Day:
    """One enterprise's day as the alerts judge it: energy, baseline, ratio and the modes."""

    enterprise_id: int
    day: dt.date
    kwh: float | None
    baseline: float | None
    ratio: float | None
    official_mode: str
    reported_mode: str | None
    accounts: int
    accounts_read: int

    @property
    def mode(self) -> str:
        return self.reported_mode or self.official_mode

    @property
    def source(self) -> str:
        return ModeSource.REPORT if self.reported_mode else ModeSource.OFFICIAL

    @property
    def complete(self) -> bool:
        return self.accounts_read >= self.accounts

    def evidence(self, **extra: Any) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "kwh": _round(self.kwh, 2),
            "baseline": _round(self.baseline, 2),
            "ratio": _round(self.ratio, 4),
            "mode": self.mode,
            "source": str(self.source),
        } | extra


def enterprise_day_table(
    enterprises: QuerySet[Enterprise], start: dt.date, end: dt.date, baseline: Baseline
) -> list[Day]:
    """Every (enterprise with power accounts, day) of the period, with what the alerts need."""
    accounts = account_counts(enterprises)
    metered = enterprises.filter(Exists(PowerAccount.objects.filter(enterprise=OuterRef("pk"))))
    power = {(d.enterprise_id, d.day): d for d in enterprise_days(metered, start, end, baseline)}
    reported = reported_modes(metered, start, end)
    official = official_modes(metered, start, end)
    read = readings_per_day(metered, start, end)
    out = []
    for enterprise_id in sorted(accounts):
        for day in days_between(start, end):
            key = (enterprise_id, day)
            p = power.get(key)
            out.append(
                Day(
                    enterprise_id=enterprise_id,
                    day=day,
                    kwh=p.kwh if p else None,
                    baseline=p.baseline if p else None,
                    ratio=p.ratio if p else None,
                    official_mode=official.get(key, EnterpriseMode.NORMAL),
                    reported_mode=reported.get(key),
                    accounts=accounts[enterprise_id],
                    accounts_read=read.get(key, 0),
                )
            )
    return out


# ---- which days alert ------------------------------------------------------------------------


def handled_enterprises(
    actor: Actor, enterprises: QuerySet[Enterprise] | None = None
) -> QuerySet[Enterprise]:
    """The enterprises (of `enterprises`, else all) whose alerts the actor may raise: those it
    sees and over whose place it holds the right to change power alerts."""
    qs = visible(enterprises if enterprises is not None else Enterprise.objects.all(), actor)
    if isinstance(actor, SystemActor):
        return qs
    # Usually every enterprise the actor sees is one it handles; a user who is, say, also a
    # commissioner of an enterprise elsewhere sees more than they handle.
    beyond = [
        e.pk
        for e in qs.select_related("region", "park").order_by("pk")
        if not may_place(actor, "change", PowerAlert, region=e.region, park=e.park, enterprise=e)
    ]
    return qs.exclude(pk__in=beyond) if beyond else qs


def basis_baseline(basis: dict[str, str]) -> Baseline:
    """The baseline an evidence day was judged against, from the `basis` it records."""

    def day(name: str) -> dt.date | None:
        value = basis.get(name)
        return dt.date.fromisoformat(value) if value else None

    return Baseline(
        method=BaselineMethod(basis.get("baseline", BaselineMethod.SAME_MONTH_LAST_YEAR)),
        start=day("baseline_start"),
        end=day("baseline_end"),
        event=day("baseline_event"),
        days=int(basis.get("baseline_days", 30)),
    )


def alerting_days(
    days: list[Day],
    enterprises: QuerySet[Enterprise],
    start: dt.date,
    end: dt.date,
    baseline: Baseline,
) -> dict[tuple[int, str], dict[dt.date, dict[str, Any]]]:
    """{(enterprise id, kind): {day: evidence}} of every day that alerts."""
    basis = dict(baseline.params())
    halted_above = settings.KEEPLINE_POWER_HALTED_ABOVE
    producing_below = settings.KEEPLINE_POWER_PRODUCING_BELOW
    ref_start, ref_end = reference_days(start)
    shapes = hourly_shapes(enterprises, ref_start, end)
    by_enterprise: dict[int, list[list[float]]] = defaultdict(list)
    for (enterprise_id, day), shape in shapes.items():
        if day <= ref_end:
            by_enterprise[enterprise_id].append(shape)
    usual = {e: usual_shape(s) for e, s in by_enterprise.items()}
    flags: dict[tuple[int, str], dict[dt.date, dict[str, Any]]] = defaultdict(dict)
    for d in days:
        if not d.complete:
            flags[(d.enterprise_id, AlertKind.MISSING_DATA)][d.day] = d.evidence(
                basis=basis, accounts=d.accounts, accounts_missing=d.accounts - d.accounts_read
            )
            continue
        if d.ratio is not None:
            if d.mode == EnterpriseMode.HALTED and d.ratio > halted_above:
                flags[(d.enterprise_id, AlertKind.HALTED_WITH_POWER)][d.day] = d.evidence(
                    basis=basis
                )
            elif d.mode in PRODUCING_MODES and d.ratio < producing_below:
                flags[(d.enterprise_id, AlertKind.PRODUCING_WITHOUT_POWER)][d.day] = d.evidence(
                    basis=basis
                )
        today = shapes.get((d.enterprise_id, d.day))
        if today is not None and d.mode in PRODUCING_MODES:
            reference = usual.get(d.enterprise_id)
            idling, cv = is_idling(today, reference)
            if idling and reference is not None:
                flags[(d.enterprise_id, AlertKind.IDLING)][d.day] = d.evidence(
                    basis=basis,
                    flat_cv=_round(cv, 4),
                    usual_cv=_round(reference.variation, 4),
                    profile_kwh=_round(sum(today), 2),
                )
    return flags
