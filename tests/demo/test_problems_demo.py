"""The demo city's problems and service network: every state on the 2022 clock, escalations the
sweep made, nothing outside the rules, and a commissioner login with work to show."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from keepline.core.models import DepartmentKind, Notification, User
from keepline.demo.build import build_city
from keepline.demo.problems.stories import END, FIRST_DAY, LARGE, SWEEPER
from keepline.enterprises.models import Enterprise
from keepline.problems import selectors as problem_selectors
from keepline.problems.calendar import add_working_days, is_working_day
from keepline.problems.models import (
    OPEN_STATUSES,
    AddresseeLevel,
    CoordinationLetter,
    LetterStatus,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemEventKind,
    ProblemSource,
    ProblemStatus,
    Tier,
)
from keepline.service.models import (
    Coverage,
    CoverageKind,
    KeyProject,
    Visit,
    VisitStatus,
    WorkingGroup,
)
from keepline.service.selectors.coverage import covered_enterprises, key_projects, open_at
from keepline.service.selectors.visits import done_visits, planned_visits

SIZE = 120
TZ = ZoneInfo("Asia/Shanghai")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STAMPS = (
    "filed_at",
    "accepted_at",
    "started_at",
    "interim_replied_at",
    "replied_at",
    "reopened_at",
    "closed_at",
)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """One demo city for the module (a build takes seconds), rolled back after it."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        build_city(size=SIZE)
        yield
        transaction.set_rollback(True)


def _user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoProblems:
    def test_about_a_hundred_problems_in_every_state(self) -> None:
        statuses = Counter(Problem.objects.values_list("status", flat=True))
        assert 90 <= sum(statuses.values()) <= 110
        assert set(statuses) == set(ProblemStatus.values)
        # Most are closed; a handful wait on each side.
        assert statuses[ProblemStatus.CLOSED] > sum(statuses.values()) / 2
        assert all(statuses[s] >= 2 for s in ProblemStatus.values)

    def test_every_time_is_on_the_2022_clock_and_in_order(self) -> None:
        first = dt.datetime.combine(FIRST_DAY, dt.time(), TZ)
        for row in Problem.objects.values(*STAMPS, "close_due", "acknowledge_due"):
            times = [row[name] for name in STAMPS if row[name] is not None]
            assert all(first <= t <= END for t in times), row
            assert row["filed_at"] < row["acknowledge_due"] <= row["close_due"]
            order = [row[n] for n in ("filed_at", "accepted_at", "replied_at", "closed_at")]
            present = [t for t in order if t is not None]
            assert present == sorted(present), row
        assert not ProblemEvent.objects.filter(at__gt=END).exists()
        assert not ProblemEvent.objects.filter(at__lt=first).exists()
        # The notifications the steps sent carry the steps' times too.
        sent = Notification.objects.filter(url__startswith="/problems/")
        assert sent.exists()
        assert not sent.filter(created__gt=END).exists()

    def test_closed_ones_are_rated_and_only_they(self) -> None:
        closed = Problem.objects.filter(status=ProblemStatus.CLOSED)
        assert closed.exists()
        assert not closed.filter(closed_at__isnull=True).exists()
        assert not closed.filter(replied_at__isnull=True).exists()
        assert set(closed.values_list("rating", flat=True)) <= {3, 4, 5}
        assert not closed.filter(rating_comment="").exists()
        others = Problem.objects.exclude(status=ProblemStatus.CLOSED)
        assert not others.filter(rating__isnull=False).exists()
        assert not others.filter(closed_at__isnull=False).exists()
        replied = Problem.objects.filter(status=ProblemStatus.REPLIED)
        assert not replied.filter(reply="").exists()

    def test_one_reopened_then_closed(self) -> None:
        reopened = Problem.objects.filter(events__kind=ProblemEventKind.REOPENED).distinct()
        assert reopened.count() == 1
        problem = reopened.get()
        assert problem.status == ProblemStatus.CLOSED and problem.reopened_at is not None
        kinds = list(problem.events.values_list("kind", flat=True))
        assert kinds.count(ProblemEventKind.REPLIED) == 2
        assert kinds.index(ProblemEventKind.REOPENED) < kinds.index(ProblemEventKind.CONFIRMED)

    def test_the_sweep_escalated_what_missed_a_deadline_in_2022(self) -> None:
        escalations = ProblemEvent.objects.filter(kind=ProblemEventKind.ESCALATED)
        assert escalations.count() >= 10
        assert set(escalations.values_list("actor_name", flat=True)) == {SWEEPER.name}
        assert Problem.objects.filter(tier=Tier.CITY).count() >= 8
        province = Problem.objects.get(tier=Tier.PROVINCE)
        assert province.status in OPEN_STATUSES
        assert province.events.filter(kind=ProblemEventKind.ESCALATED).count() == 2
        assert province.events.filter(kind=ProblemEventKind.OVERDUE).exists()
        # Escalated problems were late: each sweep answered deadlines that had passed by then.
        for problem in Problem.objects.exclude(tier=Tier.LOCAL):
            sweeps = problem.events.filter(
                kind__in=[ProblemEventKind.ESCALATED, ProblemEventKind.OVERDUE]
            ).order_by("at")
            assert problem.overdue_since == sweeps[0].at
            assert problem.escalated_through is not None
            assert problem.escalated_through <= sweeps.last().at <= END  # type: ignore[union-attr]
        # Never one escalated without cause: the rest met every deadline.
        assert not Problem.objects.filter(tier=Tier.LOCAL, overdue_since__isnull=False).exists()

    def test_what_is_open_was_overdue_at_the_end_so_the_list_is_true_today(self) -> None:
        # The list flags deadlines at the real time: an open problem shows overdue today, so
        # each one must already have been overdue when the scenario ended.
        now = timezone.now()
        for problem in Problem.objects.all():
            at_end = problem_selectors.deadline_state(problem, END)
            today = problem_selectors.deadline_state(problem, now)
            assert at_end.overdue == today.overdue, problem
            assert (problem.status in OPEN_STATUSES) == today.overdue, problem

    def test_listed_enterprises_come_first_and_are_mostly_solved(self) -> None:
        listed = Problem.objects.filter(whitelisted=True)
        others = Problem.objects.filter(whitelisted=False)
        assert listed.count() > others.count()
        solved = listed.filter(status=ProblemStatus.CLOSED).count()
        assert solved / listed.count() >= 0.75
        assert solved / listed.count() > (
            others.filter(status=ProblemStatus.CLOSED).count() / max(others.count(), 1)
        )
        assert all(
            p.whitelist_level == p.enterprise.whitelist_level
            for p in listed.select_related("enterprise")
        )

    def test_categories_lean_to_logistics_materials_labour_and_passes(self) -> None:
        counts = Counter(Problem.objects.values_list("category", flat=True))
        main = sum(
            counts[c]
            for c in (
                ProblemCategory.LOGISTICS,
                ProblemCategory.RAW_MATERIALS,
                ProblemCategory.LABOUR,
                ProblemCategory.PASSES,
            )
        )
        assert main / sum(counts.values()) >= 0.6
        assert counts[ProblemCategory.ENERGY] > 0

    def test_sources_reports_commissioners_and_the_liaison(self) -> None:
        from_reports = Problem.objects.filter(source=ProblemSource.REPORT)
        assert from_reports.count() >= 5
        assert all(p.report and p.report.problems.startswith(p.title) for p in from_reports)
        commissioners = User.objects.filter(username__startswith="commissioner")
        by_commissioners = Problem.objects.filter(
            source=ProblemSource.ON_BEHALF, filed_by__in=commissioners
        )
        assert by_commissioners.count() >= 10
        liaison = _user("liaison")
        mine = Problem.objects.filter(source=ProblemSource.FORM, filed_by=liaison)
        assert mine.filter(status=ProblemStatus.CLOSED).exists()
        # The liaison login has a reply to confirm.
        assert mine.filter(status=ProblemStatus.REPLIED).exists()

    def test_the_holiday_calendar_and_routing_rules(self) -> None:
        assert not is_working_day(dt.date(2022, 10, 3))
        assert not is_working_day(dt.date(2022, 9, 12))  # Mid-Autumn, a Monday
        assert is_working_day(dt.date(2022, 10, 8))  # a Saturday made up for National Day
        friday = dt.datetime(2022, 9, 30, 10, tzinfo=TZ)
        assert add_working_days(friday, 1) == dt.datetime(2022, 10, 8, 10, tzinfo=TZ)

        def kinds(category: str) -> set[str]:
            routed = Problem.objects.filter(category=category)
            return set(routed.values_list("department__kind", flat=True))

        assert kinds(ProblemCategory.LOGISTICS) == {DepartmentKind.TRANSPORT}
        assert kinds(ProblemCategory.ENERGY) == {DepartmentKind.GRID}
        passes = Problem.objects.filter(
            category=ProblemCategory.PASSES, enterprise__region__code__startswith="510502"
        )
        assert all(p.handler == _user("district") for p in passes)

    def test_one_letter_to_yibin_answered_on_the_2022_register(self) -> None:
        letter = CoordinationLetter.objects.get()
        assert letter.addressee.startswith("宜宾市")
        assert letter.addressee_level == AddresseeLevel.OTHER_CITY
        assert letter.status == LetterStatus.REPLIED and letter.reply
        assert letter.number == "泸企协〔2022〕1号" and letter.year == 2022
        assert letter.sent_at is not None and letter.replied_at is not None
        assert letter.drafted_at <= letter.sent_at < letter.replied_at <= END
        assert letter.reply_due == add_working_days(letter.sent_at, letter.reply_days)
        assert not letter.overdue_at(timezone.now())
        problem = letter.problem
        assert problem.tier == Tier.PROVINCE and problem.status in OPEN_STATUSES
        notes = problem.events.filter(kind=ProblemEventKind.LETTER_SENT).values_list(
            "note", flat=True
        )
        assert [n.split(" ")[0] for n in notes] == [letter.number]

    def test_the_department_login_handles_what_is_routed_to_it(self) -> None:
        department = _user("department")
        theirs = problem_selectors.problems(department)
        assert theirs.exists()
        assert set(theirs.values_list("department__kind", flat=True)) == {DepartmentKind.TRANSPORT}
        assert theirs.filter(status=ProblemStatus.CLOSED, handler=department).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoServiceNetwork:
    def test_most_of_the_largest_enterprises_have_a_commissioner(self) -> None:
        today = timezone.localdate()
        largest = Enterprise.objects.filter(above_size=True).order_by("-annual_output", "uscc")[
            :LARGE
        ]
        covered = set(
            open_at(Coverage.objects.filter(kind=CoverageKind.ENTERPRISE), today).values_list(
                "enterprise_id", flat=True
            )
        )
        share = sum(e.pk in covered for e in largest) / len(largest)
        assert 0.8 <= share < 1
        commissioners = Coverage.objects.filter(kind=CoverageKind.ENTERPRISE).values("user")
        assert User.objects.filter(pk__in=commissioners).count() >= 8

    def test_the_commissioner_login_has_work_to_show(self) -> None:
        me = _user("commissioner")
        enterprises = covered_enterprises(me, me)
        assert enterprises.count() >= 5
        assert key_projects(me).exists()
        problems = problem_selectors.problems(me)
        assert problems.filter(status__in=OPEN_STATUSES).exists()
        assert problems.filter(status=ProblemStatus.CLOSED).exists()
        assert done_visits(me, visitor=me).count() >= 3
        ahead = planned_visits(me, visitor=me)
        assert ahead.exists()
        assert all(v.planned_for and v.planned_for > timezone.localdate() for v in ahead)

    def test_one_enterprise_handed_over_mid_september(self) -> None:
        ended = Coverage.objects.get(kind=CoverageKind.ENTERPRISE, until__isnull=False)
        assert ended.until == dt.date(2022, 9, 15)
        successor = Coverage.objects.get(
            kind=CoverageKind.ENTERPRISE, enterprise=ended.enterprise, until__isnull=True
        )
        assert successor.since == dt.date(2022, 9, 16) and successor.user != ended.user
        # The one who left no longer sees the enterprise; the successor holds what was open.
        assert ended.enterprise is not None
        assert not covered_enterprises(ended.user, ended.user).filter(pk=ended.enterprise.pk)
        assert not Problem.objects.filter(
            enterprise=ended.enterprise,
            handler=ended.user,
            status__in=[*OPEN_STATUSES, ProblemStatus.REPLIED],
        ).exists()

    def test_leaders_cover_every_district_and_officers_two_projects(self) -> None:
        areas = Coverage.objects.filter(kind=CoverageKind.AREA, until__isnull=True)
        assert set(areas.values_list("region__code", flat=True)) == {
            "510502",
            "510503",
            "510504",
            "510521",
            "510522",
            "510524",
            "510525",
        }
        assert areas.filter(user=_user("leader")).exists()
        assert KeyProject.objects.count() == 2
        officers = Coverage.objects.filter(kind=CoverageKind.PROJECT)
        assert officers.count() == 2
        assert officers.filter(user=_user("commissioner")).exists()

    def test_visits_on_both_lists(self) -> None:
        bureau = _user("bureau")
        done = done_visits(bureau)
        assert done.count() >= 30
        first = dt.datetime.combine(FIRST_DAY, dt.time(), TZ)
        for visit in done:
            assert visit.visited_at is not None and first <= visit.visited_at <= END
            assert visit.findings and visit.created_at > visit.visited_at
        planned = planned_visits(bureau)
        assert planned.count() >= 8
        assert all(v.planned_for and v.planned_for > timezone.localdate() for v in planned)
        assert Visit.objects.filter(status=VisitStatus.CANCELLED, cancel_reason__gt="").exists()

    def test_visits_follow_up_the_problems_raised(self) -> None:
        linked = Visit.objects.filter(problems__isnull=False).distinct()
        assert linked.count() >= 3
        for visit in linked:
            for problem in visit.problems.all():
                assert problem.enterprise_id == visit.enterprise_id
                assert visit.visited_at is not None and problem.filed_at < visit.visited_at
                assert problem.title in visit.findings

    def test_the_province_sends_a_group_of_nine(self) -> None:
        group = WorkingGroup.objects.get(authority__code="510000")
        assert group.members.count() + 1 == 9
        assert {r.code for r in group.regions.all()} == {
            "510502",
            "510503",
            "510504",
            "510521",
            "510522",
        }
        assert group.starts_on <= dt.date(2022, 9, 11) <= (group.ends_on or dt.date.max)
        assert WorkingGroup.objects.filter(authority__code="510500").exists()
