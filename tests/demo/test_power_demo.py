"""The demo city's meter data: the alerts find the planted liars and leave the honest alone, the
index shows the emergency, the Spring Festival and the August rationing, and the same seed gives
the same readings."""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Avg, Sum
from django.test import override_settings

from keepline.bubble.models import EnterpriseMode
from keepline.core.models import AuditEvent
from keepline.core.scopes import SystemActor
from keepline.demo.build import MIN_SIZE, build_city
from keepline.demo.power.build import DemoPower
from keepline.enterprises.models import PowerAccount
from keepline.power.metrics.index import PowerFilter, compute
from keepline.power.models import AlertKind, DailyReading, LoadProfile, PowerAlert
from keepline.reports.models import DailyReport

SIZE = 120
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
D = dt.date
REPORTS_VERSUS_POWER = (AlertKind.HALTED_WITH_POWER, AlertKind.PRODUCING_WITHOUT_POWER)


class _Rollback(Exception):
    pass


@pytest.fixture(scope="class")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoPower]:
    """One demo city for the class (a build takes seconds), rolled back after it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield build_city(size=SIZE)["power"]
        transaction.set_rollback(True)


def _runs() -> dict[tuple[str, str], list[tuple[dt.date, dt.date]]]:
    """{(credit code, alert kind): [(first day, last day), …]} of every alert."""
    runs: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for code, kind, first, last in PowerAlert.objects.order_by("first_day").values_list(
        "enterprise__uscc", "kind", "first_day", "last_day"
    ):
        runs[(code, kind)].append((first, last))
    return runs


def _flagged(*kinds: str) -> set[str]:
    return set(PowerAlert.objects.filter(kind__in=kinds).values_list("enterprise__uscc", flat=True))


def _index(since: dt.date, until: dt.date) -> dict[dt.date, Decimal]:
    """The city's power resumption index per day (baseline: same month last year)."""
    figures = compute(SystemActor("test"), PowerFilter(since=since, until=until), breakdowns=False)
    return {p.day: p.tally.index for p in figures.series if p.tally.index is not None}


def _cv(values: list[float]) -> float:
    return statistics.pstdev(values) / statistics.fmean(values)


@pytest.mark.django_db
class TestDemoPower:
    def test_every_kind_of_liar_is_planted(self, demo: DemoPower) -> None:
        planted = demo.planted
        assert len(planted.halted_with_power) == 2
        assert len(planted.honest_halts) == 1
        assert len(planted.producing_without_power) == 2
        assert len(planted.idling) == 1
        assert len(planted.flat_plants) == 2
        assert len(planted.gaps) == 2
        # One gap leaves an enterprise with another account still metered: any missing counts.
        owners = [code for code, _first, _last in planted.gaps.values()]
        accounts = [PowerAccount.objects.filter(enterprise__uscc=c).count() for c in owners]
        assert sorted(accounts)[0] == 1 and sorted(accounts)[1] >= 2

    def test_the_liars_report_what_they_claim(self, demo: DemoPower) -> None:
        planted = demo.planted
        for code in planted.halted_with_power + planted.honest_halts:
            reported = DailyReport.objects.filter(
                enterprise__uscc=code, date__range=(D(2022, 9, 12), D(2022, 9, 20))
            ).values_list("mode", flat=True)
            assert reported and set(reported) == {EnterpriseMode.HALTED}
        for code in planted.producing_without_power + planted.idling:
            reported = DailyReport.objects.filter(
                enterprise__uscc=code, date__range=(D(2022, 9, 8), D(2022, 9, 20))
            ).values_list("mode", flat=True)
            assert reported and set(reported) == {EnterpriseMode.CLOSED_LOOP}

    def test_the_alerts_find_each_liar_on_its_days(self, demo: DemoPower) -> None:
        planted, runs = demo.planted, _runs()
        # Halted after the case on 12 September, yet drawing power to the end of the period.
        for code in planted.halted_with_power:
            assert runs[(code, AlertKind.HALTED_WITH_POWER)] == [(D(2022, 9, 12), D(2022, 9, 20))]
        # "Closed loop" from static management on 8 September, and nothing drawn since.
        for code in planted.producing_without_power:
            assert runs[(code, AlertKind.PRODUCING_WITHOUT_POWER)] == [
                (D(2022, 9, 8), D(2022, 9, 20))
            ]
        for code in planted.idling:
            assert runs[(code, AlertKind.IDLING)] == [(D(2022, 9, 8), D(2022, 9, 20))]
        for code, first, last in planted.gaps.values():
            assert runs[(code, AlertKind.MISSING_DATA)] == [(first, last)]
        assert demo.detection.created == sum(len(r) for r in runs.values())

    def test_the_honest_are_not_flagged(self, demo: DemoPower) -> None:
        planted = demo.planted
        assert _flagged(AlertKind.HALTED_WITH_POWER) == set(planted.halted_with_power)
        assert _flagged(AlertKind.PRODUCING_WITHOUT_POWER) == set(planted.producing_without_power)
        assert _flagged(AlertKind.IDLING) == set(planted.idling)
        assert _flagged(AlertKind.MISSING_DATA) == {c for c, _f, _l in planted.gaps.values()}
        honest = set(planted.honest_halts) | set(planted.flat_plants)
        assert not _flagged(*AlertKind.values) & honest
        # The honest halt really stopped: a few percent of what it drew the week before.
        code = planted.honest_halts[0]
        halted = DailyReading.objects.filter(
            account__enterprise__uscc=code, day__range=(D(2022, 9, 12), D(2022, 9, 20))
        ).aggregate(kwh=Avg("kwh"))["kwh"]
        before = DailyReading.objects.filter(
            account__enterprise__uscc=code, day__range=(D(2022, 9, 1), D(2022, 9, 7))
        ).aggregate(kwh=Avg("kwh"))["kwh"]
        assert halted < before * 0.1

    def test_the_halted_liars_draw_what_they_drew_before(self, demo: DemoPower) -> None:
        for code in demo.planted.halted_with_power:
            per_day = dict(
                DailyReading.objects.filter(
                    account__enterprise__uscc=code, day__range=(D(2022, 9, 1), D(2022, 9, 20))
                )
                .values_list("day")
                .annotate(kwh=Sum("kwh"))
            )
            before = statistics.fmean(per_day[D(2022, 9, d)] for d in (5, 6, 7))
            after = statistics.fmean(per_day[D(2022, 9, d)] for d in (13, 14, 15))
            assert after > before * 0.8

    def test_the_index_shows_the_emergency_spring_festival_and_rationing(
        self, demo: DemoPower
    ) -> None:
        index = _index(D(2022, 1, 1), D(2022, 9, 30))
        # Static management from 8 September (and the Mid-Autumn holiday on the 12th).
        assert index[D(2022, 9, 12)] <= index[D(2022, 9, 1)] - 10
        # The working days under static management stay below the working days before it.
        under = [index[D(2022, 9, d)] for d in (13, 14, 15, 16)]
        before = [index[D(2022, 9, d)] for d in (5, 6, 7)]
        assert max(under) < min(before)
        # The Spring Festival (1 February 2022) and the August rationing (15–25 August).
        assert index[D(2022, 2, 1)] < index[D(2022, 1, 10)] * Decimal("0.7")
        assert index[D(2022, 8, 20)] < index[D(2022, 8, 10)] * Decimal("0.7")
        # Back to normal after static management ended on 26 September.
        assert index[D(2022, 9, 28)] > index[D(2022, 9, 14)]

    def test_the_2021_spring_festival_dips_too(self, demo: DemoPower) -> None:
        per_day = dict(
            DailyReading.objects.filter(day__in=[D(2021, 1, 13), D(2021, 2, 12)])
            .values_list("day")
            .annotate(kwh=Sum("kwh"))
        )
        assert per_day[D(2021, 2, 12)] < per_day[D(2021, 1, 13)] * 0.7

    def test_the_largest_accounts_are_large_industry(self, demo: DemoPower) -> None:
        accounts = PowerAccount.objects.count()
        large = PowerAccount.objects.filter(large_industry=True)
        assert demo.large_accounts == large.count()
        assert abs(large.count() / accounts - 0.15) < 0.02
        year = DailyReading.objects.filter(day__year=2021)
        large_kwh = year.filter(account__large_industry=True).aggregate(s=Sum("kwh"))["s"]
        assert large_kwh > year.aggregate(s=Sum("kwh"))["s"] * 0.5
        audited = AuditEvent.objects.filter(
            object_type="enterprises.poweraccount", action="update", actor_name="demo"
        )
        assert all(
            e.before == {"large_industry": False} and e.after == {"large_industry": True}
            for e in audited
        )
        assert {int(e.object_id) for e in audited} == set(large.values_list("pk", flat=True))

    def test_hourly_profiles_match_the_daily_energy(self, demo: DemoPower) -> None:
        profiles = LoadProfile.objects.select_related("account")
        accounts = {p.account.number for p in profiles}
        assert len(accounts) == 30
        assert demo.profiles == profiles.count() == len(accounts) * 61  # 1 August–30 September
        daily = {
            (a, d): kwh
            for a, d, kwh in DailyReading.objects.filter(
                account__number__in=accounts, day__gte=D(2022, 8, 1)
            ).values_list("account__number", "day", "kwh")
        }
        for p in profiles:
            assert p.interval_minutes == 60 and len(p.kwh) == 24
            assert sum(p.kwh) == pytest.approx(daily[(p.account.number, p.day)], abs=0.2)

    def test_shapes_two_shifts_flat_plants_and_the_idler(self, demo: DemoPower) -> None:
        def shapes(code: str) -> dict[dt.date, float]:
            return {
                p.day: _cv(p.kwh)
                for p in LoadProfile.objects.filter(account__enterprise__uscc=code)
            }

        for code in demo.planted.flat_plants:
            assert max(shapes(code).values()) < 0.1
        idler = shapes(demo.planted.idling[0])
        assert min(cv for day, cv in idler.items() if day < D(2022, 9, 8)) > 0.25
        assert max(cv for day, cv in idler.items() if D(2022, 9, 8) <= day <= D(2022, 9, 25)) < 0.1
        planted = {*demo.planted.flat_plants, *demo.planted.idling}
        others = (
            LoadProfile.objects.exclude(account__enterprise__uscc__in=planted)
            .filter(day=D(2022, 9, 14))
            .values_list("kwh", flat=True)
        )
        assert others and all(_cv(kwh) > 0.25 for kwh in others)


def _readings_digest() -> str:
    digest = hashlib.sha256()
    readings = DailyReading.objects.order_by("account__number", "day")
    profiles = LoadProfile.objects.order_by("account__number", "day")
    accounts = PowerAccount.objects.order_by("number")
    for rows in (
        readings.values_list("account__number", "day", "kwh"),
        profiles.values_list("account__number", "day", "kwh"),
        accounts.values_list("number", "large_industry"),
    ):
        for row in rows:
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _build_and_digest(seed: int) -> str:
    """Build a small city into the empty database, take the digest, and roll the build back."""
    digest = ""
    try:
        with transaction.atomic(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            build_city(seed=seed, size=MIN_SIZE)
            assert DailyReading.objects.exists()
            digest = _readings_digest()
            raise _Rollback
    except _Rollback:
        pass
    assert not DailyReading.objects.exists()
    return digest


@pytest.mark.django_db
def test_same_seed_same_readings() -> None:
    first, second, other = _build_and_digest(7), _build_and_digest(7), _build_and_digest(8)
    assert first == second
    assert first != other
