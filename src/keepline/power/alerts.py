"""Power alerts: where an enterprise's meter data disagrees with the mode it works in, where its
load idles flat around the clock, or where its meter data is missing — found, merged into runs,
assigned and closed.

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

Runs: consecutive days of one kind for one enterprise make one alert. Detecting again extends an
open alert that the new days overlap or adjoin (version + 1); days an alert closed already
covers are not alerted again, and a run after a gap or after closing makes a new alert.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, TextChoices
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from keepline.bubble.models import PRODUCING, EnterpriseMode
from keepline.bubble.selectors import modes_at
from keepline.core import audit
from keepline.core.errors import Conflict, InvalidInput
from keepline.core.models import AuditEvent, User
from keepline.core.scopes import Actor, SystemActor, get_for, may_place, require_role, visible
from keepline.enterprises.models import Enterprise, PowerAccount
from keepline.enterprises.selectors import in_area
from keepline.power.metrics.baselines import Baseline, BaselineMethod, days_between, enterprise_days
from keepline.power.models import (
    ALERT_VIEWERS,
    AlertKind,
    AlertStatus,
    DailyReading,
    LoadProfile,
    PowerAlert,
)
from keepline.reports.models import DailyReport
from keepline.reports.selectors import region_chain

MAX_DAYS = 366  # one detection covers at most a year
HOURS = 24
PRODUCING_MODES = frozenset(m.value for m in PRODUCING)


class ModeSource(TextChoices):
    REPORT = "report", gettext_lazy("Daily report")
    OFFICIAL = "official", gettext_lazy("Official mode")


@dataclass(frozen=True)
class Detection:
    """What one detection did: the days it judged, and how many alerts it made or extended."""

    start: dt.date
    end: dt.date | None  # the last day judged: None when no meter data had come in yet
    enterprises: int
    created: int
    extended: int
    unchanged: int


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


# ---- detection -------------------------------------------------------------------------------


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


def _flags(
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


def _runs(days: Iterable[dt.date]) -> list[list[dt.date]]:
    """Consecutive days grouped, in order."""
    runs: list[list[dt.date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


def _covers(alert: PowerAlert, day: dt.date) -> bool:
    return alert.first_day <= day <= alert.last_day


def _touches(alert: PowerAlert, run: list[dt.date]) -> bool:
    return alert.last_day >= run[0] - dt.timedelta(days=1) and alert.first_day <= run[
        -1
    ] + dt.timedelta(days=1)


def _state(alert: PowerAlert) -> dict[str, Any]:
    return audit.snapshot(alert, ["kind", "first_day", "last_day", "status", "version"])


@transaction.atomic
def detect_alerts(
    *,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    baseline: Baseline | None = None,
    enterprises: QuerySet[Enterprise] | None = None,
) -> Detection:
    """Judge every day from `start` to `end` of the enterprises the actor handles alerts for
    (of `enterprises`, if given); make, extend or leave alone the alerts the days call for."""
    require_role(actor, PowerAlert, "change")
    check_period(start, end)
    baseline = baseline or Baseline()
    scope = handled_enterprises(actor, enterprises)
    last = last_reading_day(scope, end)
    if last is None or last < start:
        return Detection(start, None, 0, 0, 0, 0)
    end = last
    days = enterprise_day_table(scope, start, end, baseline)
    flags = _flags(days, scope, start, end, baseline)
    examined = len({d.enterprise_id for d in days})
    named = {
        e.pk: e
        for e in Enterprise.objects.select_related("region", "park").filter(
            pk__in={e for e, _kind in flags}
        )
    }
    existing: dict[tuple[int, str], list[PowerAlert]] = defaultdict(list)
    for alert in (
        PowerAlert.objects.select_for_update()
        .filter(
            enterprise__in=list(named),
            last_day__gte=start - dt.timedelta(days=1),
            first_day__lte=end + dt.timedelta(days=1),
        )
        .order_by("first_day")
    ):
        alert.enterprise = named[alert.enterprise_id]
        existing[(alert.enterprise_id, alert.kind)].append(alert)

    now = timezone.now()
    created: list[PowerAlert] = []
    touched: dict[int, tuple[PowerAlert, dict[str, Any]]] = {}
    for (enterprise_id, kind), evidence in flags.items():
        alerts = existing[(enterprise_id, kind)]
        closed = [a for a in alerts if a.status == AlertStatus.CLOSED]
        open_ = [a for a in alerts if a.status == AlertStatus.OPEN]
        fresh = [d for d in evidence if not any(_covers(a, d) for a in closed)]
        for run in _runs(fresh):
            near = [a for a in open_ if _touches(a, run)]
            if not near:
                created.append(
                    PowerAlert(
                        enterprise=named[enterprise_id],
                        kind=kind,
                        first_day=run[0],
                        last_day=run[-1],
                        evidence=[evidence[d] for d in run],
                        detected_at=now,
                    )
                )
                continue
            # Each day goes to the last open alert starting on or before it (the first one for
            # days before them all), so alerts stay apart even when a run bridges two.
            for day in run:
                owner = near[0]
                for alert in near[1:]:
                    if alert.first_day <= day:
                        owner = alert
                if owner.pk not in touched:
                    touched[owner.pk] = (owner, _state(owner) | {"evidence": owner.evidence})
                by_day = {e["day"]: e for e in owner.evidence} | {day.isoformat(): evidence[day]}
                owner.evidence = [by_day[k] for k in sorted(by_day)]
                owner.first_day = min(owner.first_day, day)
                owner.last_day = max(owner.last_day, day)

    extended: list[PowerAlert] = []
    events: list[AuditEvent] = []
    for alert, before in touched.values():
        if (alert.first_day.isoformat(), alert.last_day.isoformat(), alert.evidence) == (
            before["first_day"],
            before["last_day"],
            before["evidence"],
        ):
            continue
        alert.version += 1
        extended.append(alert)
        old, new = audit.changes(
            {k: v for k, v in before.items() if k != "evidence"}, _state(alert)
        )
        events.append(audit.build(actor=actor, action="extend", obj=alert, before=old, after=new))
    try:
        with transaction.atomic():
            PowerAlert.objects.bulk_create(created)
    except IntegrityError:
        raise Conflict(
            _("Another detection is writing the same alerts; try again in a moment.")
        ) from None
    PowerAlert.objects.bulk_update(
        extended, ["first_day", "last_day", "evidence", "version"], batch_size=500
    )
    events += [
        audit.build(
            actor=actor, action="create", obj=a, after=_state(a) | {"days": len(a.evidence)}
        )
        for a in created
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return Detection(
        start=start,
        end=end,
        enterprises=examined,
        created=len(created),
        extended=len(extended),
        unchanged=len(touched) - len(extended),
    )


# ---- handling an alert -----------------------------------------------------------------------


def may_see_by_role(user: User, enterprise: Enterprise) -> bool:
    """Whether the user's roles reach this enterprise's alerts, assignment aside."""
    return (
        user.is_active
        and visible(Enterprise.objects.filter(pk=enterprise.pk), user).exists()
        and may_place(
            user,
            "view",
            PowerAlert,
            region=enterprise.region,
            park=enterprise.park,
            enterprise=enterprise,
        )
    )


def assignable_users(enterprise: Enterprise) -> QuerySet[User]:
    """Active users whose roles reach the enterprise's alerts: those an alert may go to."""
    reach = Q(memberships__role="admin") | Q(
        memberships__region__path__in=region_chain(enterprise.region.path)
    )
    if enterprise.park_id:
        reach |= Q(memberships__park=enterprise.park_id)
    reach |= Q(memberships__enterprise=enterprise.pk)
    # One filter() call: the role and the scope must be those of the same membership.
    ids = User.objects.filter(reach, memberships__role__in=ALERT_VIEWERS, is_active=True).values(
        "pk"
    )
    return User.objects.filter(pk__in=ids).order_by("username")


def _locked(actor: Actor, alert: PowerAlert, version: int) -> PowerAlert:
    locked = get_for(
        PowerAlert.objects.select_for_update().select_related("enterprise__region"),
        actor,
        alert.pk,
        "change",
    )
    if locked.status == AlertStatus.CLOSED:
        raise Conflict(_("This alert is closed already."), current=_state(locked))
    if version != locked.version:
        raise Conflict(
            _("Someone else changed this alert while you were looking at it."),
            current=_state(locked),
        )
    return locked


@transaction.atomic
def assign_alert(*, actor: Actor, alert: PowerAlert, assignee: User, version: int) -> PowerAlert:
    """Give the alert to a person to look into; they may then see and close it."""
    locked = _locked(actor, alert, version)
    if not may_see_by_role(assignee, locked.enterprise):
        raise InvalidInput(
            _("The alert cannot go to this person."),
            errors={"assignee": [_("%(user)s cannot see this enterprise.") % {"user": assignee}]},
        )
    before = {"assignee": locked.assignee_id, "version": locked.version}
    locked.assignee = assignee
    locked.version += 1
    locked.save(update_fields=["assignee", "version"])
    audit.record(
        actor=actor,
        action="assign",
        obj=locked,
        before=before,
        after={
            "assignee": assignee.pk,
            "assignee_name": assignee.get_username(),
            "version": locked.version,
        },
    )
    return locked


@transaction.atomic
def close_alert(*, actor: Actor, alert: PowerAlert, reason: str, version: int) -> PowerAlert:
    """Close the alert with the reason found; detection will not alert these days again."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            _("Say why the alert is closed."), errors={"reason": [_("A reason is required.")]}
        )
    locked = _locked(actor, alert, version)
    locked.status = AlertStatus.CLOSED
    locked.closed_reason = reason
    locked.closed_by = None if not isinstance(actor, User) else actor
    locked.closed_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["status", "closed_reason", "closed_by", "closed_at", "version"])
    audit.record(
        actor=actor,
        action="close",
        obj=locked,
        before={"status": AlertStatus.OPEN.value, "version": locked.version - 1},
        after={"status": locked.status, "reason": reason, "version": locked.version},
    )
    return locked


# ---- reading alerts --------------------------------------------------------------------------

SORTS = {
    "last_day": "last_day",
    "first_day": "first_day",
    "days": "days",
    "enterprise": "enterprise__name",
    "region": "enterprise__region__path",
    "kind": "kind",
    "status": "status",
}


@dataclass(frozen=True)
class AlertFilter:
    """The filters the alert list, its export and the API share."""

    kind: str = ""  # an AlertKind value
    status: str = ""  # an AlertStatus value
    assignee: str = ""  # "me" | "none" | "" (anyone)
    region: str = ""  # a region code: the whole subtree
    park: str = ""  # a park code
    date_from: dt.date | None = None  # alerts with a day on or after
    date_to: dt.date | None = None  # alerts with a day on or before
    enterprise: int | None = None
    q: str = ""  # part of the enterprise's name or credit code
    sort: str = "-last_day"  # a key of SORTS, "-" for descending


def alerts(actor: Actor, f: AlertFilter) -> QuerySet[PowerAlert]:
    """The alerts the actor may see, filtered and sorted."""
    qs = visible(
        PowerAlert.objects.select_related("enterprise__region", "enterprise__park", "assignee"),
        actor,
    )
    qs = in_area(qs, region=f.region, park=f.park, prefix="enterprise__")
    if f.kind in AlertKind.values:
        qs = qs.filter(kind=f.kind)
    if f.status in AlertStatus.values:
        qs = qs.filter(status=f.status)
    if f.assignee == "me":
        qs = qs.filter(assignee_id=getattr(actor, "pk", None))
    elif f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    if f.date_from:
        qs = qs.filter(last_day__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(first_day__lte=f.date_to)
    if f.enterprise is not None:
        qs = qs.filter(enterprise_id=f.enterprise)
    if f.q:
        qs = qs.filter(Q(enterprise__name__icontains=f.q) | Q(enterprise__uscc__icontains=f.q))
    key = f.sort.lstrip("-")
    field = SORTS.get(key, "last_day")
    descending = f.sort.startswith("-") if key in SORTS else True
    if field == "days":
        qs = qs.annotate(days=F("last_day") - F("first_day"))
    return qs.order_by(("-" if descending else "") + field, "-id")


def history(alert: PowerAlert) -> QuerySet[AuditEvent]:
    """The alert's audit events. Whoever may see the alert may see how it was handled: the
    events say no more than the alert itself (who detected, extended, assigned, closed it)."""
    return AuditEvent.objects.filter(
        object_type=PowerAlert._meta.label_lower, object_id=str(alert.pk)
    ).order_by("at", "id")
