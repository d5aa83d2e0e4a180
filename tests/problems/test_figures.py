"""The problem figures (keepline.problems.figures), worked out by hand on a small ledger: the
worked example of docs/indicators.md ("Problems"), as of 20 Sep 2022 23:59:59 (Asia/Shanghai).

#  category   filed     accepted (due)   final reply  close due  closed         rating  listed
1  logistics  9  09:00  09:30 (10:00)    13 10:00     16 09:00   14 09:00       5       yes
2  logistics  9  10:00  12:00 (11:00)!   19 10:00     16 10:00   19 22:00       3       yes
3  energy     12 08:00  08:30 (09:00)    14 08:00     19 08:00   15 08:00       4       no
4  labour     19 09:00  09:20 (10:00)    —            26 09:00   in progress
5  labour     15 09:00  — (10:00 passed) —            22 09:00   submitted (overdue)
6  passes     20 10:00  10:30 (11:00)    interim 12   21 01:00   in progress (near)
7  other      18 09:00  09:10 (10:00)    19 09:00     23 09:00   replied
8  logistics  16 09:00  09:10 (10:00)    20 09:00     23 09:00   21 10:00 (after as-of) 1
9  Yibin's enterprise, closed 14 Sep, whitelisted, rated 1: not visible to Luzhou's users
10 filed 21 Sep: after the as-of time
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields
from decimal import Decimal

import pytest
from django.utils import timezone

from keepline.core.models import Department
from keepline.problems import figures
from keepline.problems.models import Problem
from keepline.problems.services import lifecycle
from keepline.reports.indicators.scope import FigureScope
from tests.conftest import TZ, World
from tests.problems.conftest import file
from tests.problems.support import make

AS_OF = dt.datetime(2022, 9, 20, 23, 59, 59, tzinfo=TZ)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 9, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def ledger(world: World) -> dict[int, Problem]:
    e = world.enterprise
    handler = world.users["bureau"]
    return {
        1: make(
            e,
            "logistics",
            at(9, 9),
            accepted_at=at(9, 9, 30),
            interim_replied_at=at(13, 10),
            replied_at=at(13, 10),
            close_due=at(16, 9),
            closed_at=at(14, 9),
            rating=5,
            whitelisted=True,
            department=world.department,
        ),
        2: make(
            e,
            "logistics",
            at(9, 10),
            accepted_at=at(9, 12),
            interim_replied_at=at(19, 10),
            replied_at=at(19, 10),
            close_due=at(16, 10),
            closed_at=at(19, 22),
            rating=3,
            whitelisted=True,
            department=world.department,
        ),
        3: make(
            e,
            "energy",
            at(12, 8),
            accepted_at=at(12, 8, 30),
            interim_replied_at=at(14, 8),
            replied_at=at(14, 8),
            close_due=at(19, 8),
            closed_at=at(15, 8),
            rating=4,
            handler=handler,
        ),
        4: make(
            e,
            "labour",
            at(19, 9),
            accepted_at=at(19, 9, 20),
            started_at=at(19, 10),
            interim_due=at(22, 9),
            close_due=at(26, 9),
        ),
        5: make(e, "labour", at(15, 9), close_due=at(22, 9)),
        6: make(
            e,
            "passes",
            at(20, 10),
            accepted_at=at(20, 10, 30),
            interim_replied_at=at(20, 12),
            close_due=at(21, 1),
        ),
        7: make(
            e,
            "other",
            at(18, 9),
            accepted_at=at(18, 9, 10),
            interim_replied_at=at(19, 9),
            replied_at=at(19, 9),
            close_due=at(23, 9),
        ),
        8: make(
            e,
            "logistics",
            at(16, 9),
            accepted_at=at(16, 9, 10),
            interim_replied_at=at(20, 9),
            replied_at=at(20, 9),
            close_due=at(23, 9),
            closed_at=at(21, 10),
            rating=1,
        ),
        9: make(
            world.foreign_enterprise,
            "logistics",
            at(9, 9),
            accepted_at=at(9, 9, 10),
            replied_at=at(12, 9),
            closed_at=at(14, 9),
            rating=1,
            whitelisted=True,
        ),
        10: make(e, "energy", at(21, 9)),
    }


def test_figures_of_the_worked_example(world: World, ledger: dict[int, Problem]) -> None:
    f = figures.compute(world.users["bureau"], as_of=AS_OF)
    # Filed by the as-of time and visible: 1–8 (9 is Yibin's, 10 came later).
    assert f.received.value == 8
    # Closed by then: 1, 2, 3 (8 closed the next morning: at the as-of time it was replied).
    assert f.closed.value == 3
    assert {s.key: s.count.value for s in f.by_status} == {
        "submitted": 1,  # 5
        "accepted": 0,
        "in_progress": 2,  # 4, 6
        "replied": 2,  # 7, 8
        "closed": 3,
    }
    # Open (the handler side holds them): 4, 5, 6. Overdue: 5 (acknowledge due 15 Sep 10:00).
    # Near: 6, close due 21 Sep 01:00 with 15 h allowed; near from 22:00 (last 20% = 3 h).
    # 4's next deadline (interim, 22 Sep 09:00, 72 h allowed) is near only from 21 Sep 18:36.
    assert (f.open.value, f.overdue.value, f.near.value, f.replied.value) == (3, 1, 1, 2)
    # On time: 1 (final reply 13 Sep ≤ due 16 Sep) and 3; 2 replied 19 Sep after 16 Sep.
    # 2 ÷ 3 = 66.666…% → 66.7.
    assert (f.on_time.part.value, f.on_time.whole.value) == (2, 3)
    assert f.on_time.value == Decimal("66.7")
    # Accepted by then: 1, 2, 3, 4, 6, 7, 8; only 2 late (12:00 > 11:00): 6 ÷ 7 = 85.71… → 85.7.
    assert f.acknowledged_on_time.value == Decimal("85.7")
    # Clock days filed → closed: 5.0 (1), 10.5 (2), 3.0 (3); the median is 5.00.
    assert f.median_close_days == Decimal("5.00")
    # Ratings 5, 3, 4: mean 4.0; rated 4–5: 2 of 3 = 66.7%.
    s = f.satisfaction
    assert (s.mean, s.rated.value, s.high.value, s.high_share) == (
        Decimal("4.0"),
        3,
        2,
        Decimal("66.7"),
    )
    # Whitelisted at filing and closed: 1 and 2 (9 is Yibin's and not counted).
    assert f.whitelisted_solved.value == 2
    # The emergency: Jiangyang's static management from 8 Sep 00:00, in force on 20 Sep.
    assert f.emergency_start == dt.datetime(2022, 9, 8, tzinfo=TZ)
    assert f.whitelisted_solved_since_emergency is not None
    assert f.whitelisted_solved_since_emergency.value == 2


def test_breakdowns_by_category_department_and_tier(
    world: World, ledger: dict[int, Problem]
) -> None:
    f = figures.compute(world.users["bureau"], as_of=AS_OF)
    by_category = {
        r.key: (r.received.value, r.open.value, r.replied.value, r.closed.value)
        for r in f.by_category
    }
    assert by_category == {
        "logistics": (3, 0, 1, 2),  # 1, 2 closed; 8 replied at the as-of time
        "energy": (1, 0, 0, 1),
        "labour": (2, 2, 0, 0),
        "passes": (1, 1, 0, 0),
        "other": (1, 0, 1, 0),
    }
    by_department = {r.key: r.received.value for r in f.by_department}
    assert by_department == {str(world.department.pk): 2, "handler": 1, "unassigned": 5}
    assert [(r.key, r.received.value) for r in f.by_tier] == [("local", 8)]


def test_a_period_counts_what_happened_in_it(world: World, ledger: dict[int, Problem]) -> None:
    f = figures.compute(
        world.users["bureau"], start=dt.date(2022, 9, 15), end=dt.date(2022, 9, 20), as_of=AS_OF
    )
    # Filed 15–20 Sep: 4, 5, 6, 7, 8. Closed then: 2 (19 Sep) and 3 (15 Sep).
    assert (f.received.value, f.closed.value) == (5, 2)
    # 3 on time, 2 late: 50.0%. Median of 10.5 and 3.0 days: 6.75. Whitelisted solved: 2 only.
    assert f.on_time.value == Decimal("50.0")
    assert f.median_close_days == Decimal("6.75")
    assert f.whitelisted_solved.value == 1
    # Open problems are counted whenever they were filed: 4, 5, 6 still.
    assert f.open.value == 3


def test_an_earlier_as_of_time_sees_the_problems_as_they_stood(
    world: World, ledger: dict[int, Problem]
) -> None:
    # 14 Sep 12:00: filed 1, 2, 3; 1 closed at 09:00; 2 accepted; 3 replied at 08:00.
    f = figures.compute(world.users["bureau"], as_of=at(14, 12))
    assert {s.key: s.count.value for s in f.by_status if s.count.value} == {
        "accepted": 1,
        "replied": 1,
        "closed": 1,
    }
    assert (f.received.value, f.closed.value, f.open.value) == (3, 1, 1)
    # 2: interim reply due 12 Sep 10:00 and not given by then (it came on 19 Sep): overdue.
    assert f.overdue.value == 1
    # A figure of the past has no list to link to: the list shows problems as they are now.
    assert f.closed.url is None and f.by_category[0].received.url is None


def test_the_district_sees_only_its_problems_and_the_liaison_its_own(
    world: World, ledger: dict[int, Problem]
) -> None:
    # The Yibin district official sees problem 9 only.
    other = figures.compute(world.other_user, as_of=AS_OF)
    assert (other.received.value, other.closed.value, other.whitelisted_solved.value) == (1, 1, 1)
    assert other.satisfaction.mean == Decimal("1.0")
    # The liaison sees its enterprise's: the same eight as the bureau.
    assert figures.compute(world.users["liaison"], as_of=AS_OF).received.value == 8


def test_scope_narrows_to_regions_and_parks(world: World, ledger: dict[int, Problem]) -> None:
    admin = world.users["admin"]
    assert figures.compute(admin, as_of=AS_OF).received.value == 9  # 9 too
    naxi = figures.compute(admin, scope=FigureScope.parse(regions=["510503"]), as_of=AS_OF)
    assert (
        naxi.received.value == 0 and naxi.on_time.value is None and naxi.median_close_days is None
    )
    park = figures.compute(admin, scope=FigureScope.parse(parks=["FOREIGN-PARK"]), as_of=AS_OF)
    assert park.received.value == 1


def test_emergency_start_follows_measures_that_ran_into_each_other(world: World) -> None:
    # An earlier measure that ended as the current one began moves the start back; one that
    # ended before with a gap does not.
    from keepline.places.models import ControlMeasure

    world.measure.starts_at = at(10, 0)
    world.measure.save()
    before = ControlMeasure.objects.create(
        kind="static", title="前一轮", authority=world.luzhou, starts_at=at(5, 0), ends_at=at(10, 0)
    )
    before.regions.set([world.jiangyang])
    gap = ControlMeasure.objects.create(
        kind="static", title="更早", authority=world.luzhou, starts_at=at(1, 0), ends_at=at(3, 0)
    )
    gap.regions.set([world.jiangyang])
    assert figures.emergency_start(world.users["bureau"], AS_OF) == at(5, 0)
    assert figures.emergency_start(world.users["bureau"], at(4, 0)) is None


def _numbers(f: figures.ProblemFigures) -> dict[str, figures.Number]:
    """Every count of the figures (the dashboard panel's and the briefing's), by a name."""
    found = {
        "received": f.received,
        "closed": f.closed,
        "open": f.open,
        "replied": f.replied,
        "overdue": f.overdue,
        "near": f.near,
        "on_time": f.on_time.part,
        "on_time whole": f.on_time.whole,
        "acknowledged_on_time": f.acknowledged_on_time.part,
        "acknowledged": f.acknowledged_on_time.whole,
        "rated": f.satisfaction.rated,
        "rated 4-5": f.satisfaction.high,
        "whitelisted_solved": f.whitelisted_solved,
    }
    if f.whitelisted_solved_since_emergency is not None:
        found["since"] = f.whitelisted_solved_since_emergency
    for s in f.by_status:
        found[f"status {s.key}"] = s.count
    for group, rows in (
        ("category", f.by_category),
        ("department", f.by_department),
        ("tier", f.by_tier),
    ):
        for r in rows:
            for kind in ("received", "open", "replied", "closed"):
                found[f"{group} {r.key} {kind}"] = getattr(r, kind)
    return found


def test_every_figure_is_a_count_the_walk_covers() -> None:
    # A figure added later must be added to _numbers (and so get its link checked).
    counted = {
        "received",
        "closed",
        "by_status",
        "by_category",
        "by_department",
        "by_tier",
        "open",
        "replied",
        "overdue",
        "near",
        "on_time",
        "acknowledged_on_time",
        "satisfaction",
        "whitelisted_solved",
        "whitelisted_solved_since_emergency",
    }
    not_counts = {"as_of", "start", "end", "emergency_start", "median_close_days", "definitions"}
    assert {f.name for f in fields(figures.ProblemFigures)} == counted | not_counts


def test_live_figures_link_to_exactly_the_problems_behind_them(world: World) -> None:
    """Every count, over one region, with and without a period, links to the list filtered to
    exactly its problems."""
    now = timezone.now()
    today = timezone.localtime(now, TZ).replace(hour=0, minute=0, second=0, microsecond=0)

    def ago(days: float = 0, hours: float = 0) -> dt.datetime:
        return now - dt.timedelta(days=days, hours=hours)

    e, department, bureau = world.enterprise, world.department, world.users["bureau"]
    h = dt.timedelta(hours=1)
    ledger = {
        # Closed on time, acknowledged on time, rated 5, whitelisted, the department's.
        "A": make(
            e,
            "logistics",
            ago(6),
            accepted_at=ago(6) + h / 2,
            replied_at=ago(4),
            close_due=ago(1),
            closed_at=ago(3),
            rating=5,
            whitelisted=True,
            department=department,
        ),
        # Acknowledged late, replied after the close deadline, rated 3, whitelisted.
        "B": make(
            e,
            "logistics",
            ago(6, -1),
            accepted_at=ago(6, -1) + 2 * h,
            replied_at=ago(2),
            close_due=ago(4),
            closed_at=ago(2, -1),
            rating=3,
            whitelisted=True,
            department=department,
        ),
        # A named handler, no department; on time, rated 4.
        "C": make(
            e,
            "energy",
            ago(5),
            accepted_at=ago(5) + h / 2,
            replied_at=ago(4),
            close_due=ago(1),
            closed_at=ago(3),
            rating=4,
            handler=bureau,
        ),
        # In progress, its next deadline a day off.
        "D": make(
            e,
            "labour",
            ago(2),
            accepted_at=ago(2) + h / 3,
            started_at=ago(2) + h,
            interim_due=ago(-1),
            close_due=ago(-5),
        ),
        # Never acknowledged: overdue.
        "E": make(e, "labour", ago(3)),
        # Replied, waiting for the enterprise.
        "F": make(
            e, "other", ago(4), accepted_at=ago(4) + h / 6, replied_at=ago(3), close_due=ago(-2)
        ),
        # Filed today: outside a period that ends yesterday.
        "G": make(
            e,
            "energy",
            today + (now - today) / 2,
            acknowledge_due=ago(-30),
            interim_due=today + (now - today) / 2 + dt.timedelta(days=3),
        ),
        # Near its close deadline: an hour left of eleven.
        "H": make(
            e,
            "passes",
            ago(0, 10),
            accepted_at=ago(0, 9),
            interim_replied_at=ago(0, 8),
            close_due=ago(0, -1),
        ),
        # Yibin's: never in a Luzhou user's figures or list.
        "Y": make(
            world.foreign_enterprise,
            "logistics",
            ago(6),
            accepted_at=ago(6) + h / 2,
            replied_at=ago(4),
            closed_at=ago(3),
            rating=5,
            whitelisted=True,
        ),
    }
    ids = {k: p.pk for k, p in ledger.items()}
    client = world.client("bureau")

    def listed(url: str | None) -> set[str]:
        assert url is not None
        page = client.get(url)
        assert page.status_code == 200, url
        by_id = {pk: k for k, pk in ids.items()}
        return {by_id[p.pk] for p, _state in page.context["rows"]}

    def counted_by_the_api(url: str) -> int:
        response = client.get("/api" + url.replace("/problems/?", "/problems?"))
        assert response.status_code == 200, url
        count: int = response.json()["count"]
        return count

    region = FigureScope.parse(regions=["510502"])
    f = figures.compute(bureau, scope=region)
    numbers = _numbers(f)
    for name, n in numbers.items():
        assert n.url is not None, name
        assert len(listed(n.url)) == n.value, (name, n.url)
        # The API's list takes the same filters.
        assert counted_by_the_api(n.url) == n.value, (name, n.url)
    expected = {
        "received": set("ABCDEFGH"),
        "closed": set("ABC"),
        "open": set("DEGH"),
        "replied": set("F"),
        "overdue": set("E"),
        "near": set("H"),
        "on_time": set("AC"),
        "acknowledged": set("ABCDFH"),
        "acknowledged_on_time": set("ACDFH"),
        "rated": set("ABC"),
        "rated 4-5": set("AC"),
        "whitelisted_solved": set("AB"),
        "since": set("AB"),
        "status submitted": set("EG"),
        "status in_progress": set("DH"),
        f"department {department.pk} received": set("AB"),
        "department handler received": set("C"),
        "department unassigned received": set("DEFGH"),
        "department unassigned open": set("DEGH"),
        "category labour open": set("DE"),
    }
    for name, problems in expected.items():
        assert listed(numbers[name].url) == problems, name
    assert numbers["open"].url == "/problems/?region=510502&status=open"
    assert (
        numbers["department handler received"].url == "/problems/?region=510502&department=handler"
    )

    # A period of whole days ending yesterday: the date filters come in.
    first, last = (today - dt.timedelta(days=7)).date(), (today - dt.timedelta(days=1)).date()
    period = figures.compute(bureau, scope=region, start=first, end=last)
    numbers = _numbers(period)
    for name, n in numbers.items():
        assert n.url is not None, name
        assert len(listed(n.url)) == n.value, (name, n.url)
        assert counted_by_the_api(n.url) == n.value, (name, n.url)
    # H was filed ten hours ago: yesterday or today, by the clock.
    h_filed = timezone.localtime(ledger["H"].filed_at, TZ).date() <= last
    assert listed(numbers["received"].url) == set("ABCDEF") | ({"H"} if h_filed else set())
    assert listed(numbers["closed"].url) == set("ABC")
    assert listed(numbers["on_time"].url) == set("AC")
    assert "filed_to=" in str(numbers["received"].url)
    assert "closed_from=" in str(numbers["closed"].url)
    assert "accepted_to=" in str(numbers["acknowledged"].url)
    # H was accepted today or yesterday, by the clock; the rest as in the live figures.
    assert listed(numbers["acknowledged"].url) - {"H"} == set("ABCDF")

    # A scope of two regions cannot be said in the list's filters.
    two = figures.compute(bureau, scope=FigureScope.parse(regions=["510502", "510503"]))
    assert two.received.url is None and two.received.value == 8


def test_through_the_services_a_closed_problem_counts_with_its_rating(world: World) -> None:
    p = file(world)
    admin = world.users["admin"]
    p = lifecycle.accept_problem(actor=admin, problem_id=p.pk, version=p.version)
    p = lifecycle.reply_problem(
        actor=admin, problem_id=p.pk, version=p.version, text="已放行", final=True
    )
    lifecycle.confirm_problem(
        actor=world.users["liaison"], problem_id=p.pk, version=p.version, rating=4
    )
    f = figures.compute(world.users["bureau"])
    assert (f.closed.value, f.on_time.value, f.satisfaction.mean) == (
        1,
        Decimal("100.0"),
        Decimal("4.0"),
    )
    assert f.closed.url == "/problems/?status=closed"


def test_department_labels_name_the_department(world: World, ledger: dict[int, Problem]) -> None:
    f = figures.compute(world.users["bureau"], as_of=AS_OF)
    labels = [r.label for r in f.by_department]
    assert labels == [
        str(Department.objects.get(pk=world.department.pk)),
        "A named handler, no department",
        "Unassigned",
    ]
