"""Daily reports: one per enterprise and day, corrections audited, deadlines, chasing, scopes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.http import QueryDict
from django.utils import timezone, translation

from keepline.bubble.models import EnterpriseMode
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from keepline.core.scopes import SystemActor
from keepline.reports import selectors, services
from keepline.reports.models import DailyReport, ReportChase, ReportDeadline, ResumptionTarget
from tests.conftest import World
from tests.reports.conftest import at, enterprises, switch

DAY = dt.date(2022, 9, 11)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Set the time the services see."""

    def set_time(when: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: when)

    set_time(at(2022, 9, 11, 15))
    return set_time


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "date": DAY.isoformat(),
        "mode": "closed_loop",
        "staff_on_site": "420",
        "staff_inside": "380",
        "output_value": "152.5",
        "capacity_use": "85",
        "raw_material_days": "12",
        "finished_goods_days": "5",
        "problems": "缺少包装材料",
    } | overrides


def submit(world: World, role: str = "liaison", **overrides: Any) -> tuple[DailyReport, bool]:
    version = overrides.pop("version", None)
    return services.submit_report(
        actor=world.users[role],
        enterprise_id=world.enterprise.pk,
        data=body(**overrides),
        version=version,
    )


def events(action: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="reports.dailyreport", action=action).order_by("id")
    )


# ---- one report per enterprise and day ------------------------------------------------------


def test_a_report_is_filed_once_and_corrected_after(world: World, clock: Any) -> None:
    report, created = submit(world)
    assert created and report.version == 1 and not report.late
    assert report.output_value == Decimal("152.50") and report.submitted_by_name == "liaison"
    (filed,) = events("submit")
    assert filed.after["staff_inside"] == 380 and filed.region == world.jiangyang

    clock(at(2022, 9, 11, 16))
    again, created = submit(world, role="district", staff_on_site="430", problems="")
    assert not created and again.pk == report.pk and again.version == 2
    assert DailyReport.objects.count() == 1
    (corrected,) = events("correct")
    assert corrected.actor_name == "district"
    assert corrected.before == {
        "staff_on_site": 420,
        "problems": "缺少包装材料",
        "submitted_by_name": "liaison",
        "version": 1,
    }
    assert corrected.after == {
        "staff_on_site": 430,
        "problems": "",
        "submitted_by_name": "district",
        "version": 2,
    }
    # The first submission stays what decides lateness.
    assert again.first_submitted_at == at(2022, 9, 11, 15)


def test_sending_the_same_report_again_changes_nothing(world: World, clock: Any) -> None:
    submit(world)
    report, created = submit(world, version=1)
    # A client retrying with the version it read before its first attempt landed.
    report, created = submit(world, version=0)
    assert not created and report.version == 1
    assert events("correct") == [] and len(events("submit")) == 1


def test_a_stale_correction_is_refused_with_the_current_report(world: World, clock: Any) -> None:
    submit(world)
    submit(world, role="district", staff_on_site="500")
    with pytest.raises(Conflict) as info:
        submit(world, staff_on_site="450", version=1)
    assert info.value.current["staff_on_site"] == 500 and info.value.current["version"] == 2
    with pytest.raises(Conflict):
        submit(world, staff_on_site="450", version=0)  # opened as new, filed meanwhile


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"staff_inside": "421"}, "staff_inside"),
        ({"staff_on_site": "10", "staff_inside": "0"}, "staff_inside"),  # closed loop, none inside
        ({"capacity_use": "150.1"}, "capacity_use"),
        ({"capacity_use": "-1"}, "capacity_use"),
        ({"output_value": "-5"}, "output_value"),
        ({"output_value": "lots"}, "output_value"),
        ({"raw_material_days": "-1"}, "raw_material_days"),
        ({"finished_goods_days": ""}, "finished_goods_days"),
        ({"staff_on_site": "4.5"}, "staff_on_site"),
        ({"mode": "running"}, "mode"),
        ({"mode": ""}, "mode"),
        ({"date": "2022-09-12"}, "date"),  # tomorrow
        ({"date": "11/09/2022"}, "date"),
        ({"date": ""}, "date"),
        ({"problems": "x" * 2001}, "problems"),
    ],
)
def test_bad_values_are_named_by_field_and_nothing_is_written(
    world: World, clock: Any, overrides: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        submit(world, **overrides)
    assert field in info.value.errors
    assert not DailyReport.objects.exists() and not events("submit")


def test_every_error_of_a_report_at_once(world: World, clock: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        submit(world, mode="", staff_on_site="", capacity_use="200", output_value="-1")
    assert set(info.value.errors) == {"mode", "staff_on_site", "capacity_use", "output_value"}


def test_a_mode_may_be_written_in_either_language(world: World, clock: Any) -> None:
    with translation.override("zh-hans"):
        chinese = str(EnterpriseMode.SEMI_CLOSED.label)  # 半封闭生产 once translations are built
    report, _created = submit(world, mode=chinese, staff_inside="0")
    assert report.mode == EnterpriseMode.SEMI_CLOSED
    report, _created = submit(world, mode="Halted", staff_on_site="0", staff_inside="0")
    assert report.mode == EnterpriseMode.HALTED


def test_who_may_report_for_whom(world: World, clock: Any) -> None:
    for role in ("admin", "bureau", "district", "park", "liaison"):
        submit(world, role=role, staff_on_site=str(400 + len(role)))
    for role in ("commissioner", "department", "health", "leader"):
        with pytest.raises(Forbidden):
            submit(world, role=role)
    with pytest.raises(NotFound):
        submit(world, role="checkpoint")
    with pytest.raises(NotFound):
        services.submit_report(
            actor=world.users["liaison"], enterprise_id=world.foreign_enterprise.pk, data=body()
        )
    with pytest.raises(NotFound):
        services.submit_report(
            actor=world.users["district"], enterprise_id=world.foreign_enterprise.pk, data=body()
        )


def test_the_liaison_sees_only_their_enterprise_and_a_district_its_area(
    world: World, clock: Any
) -> None:
    submit(world)
    services.submit_report(
        actor=SystemActor("test"), enterprise_id=world.foreign_enterprise.pk, data=body()
    )
    (naxi,) = enterprises(1, world.naxi)
    services.submit_report(actor=SystemActor("test"), enterprise_id=naxi.pk, data=body())
    seen = {
        role: set(
            selectors.REPORTS.rows(world.users[role], QueryDict()).values_list(
                "enterprise_id", flat=True
            )
        )
        for role in ("liaison", "district", "park", "bureau", "admin")
    }
    own, foreign = world.enterprise.pk, world.foreign_enterprise.pk
    assert seen["liaison"] == seen["district"] == seen["park"] == {own}
    assert seen["bureau"] == {own, naxi.pk}
    assert seen["admin"] == {own, naxi.pk, foreign}


def test_report_filters(world: World, clock: Any) -> None:
    submit(world)
    clock(at(2022, 9, 11, 18))
    (naxi,) = enterprises(1, world.naxi)
    services.submit_report(
        actor=SystemActor("test"), enterprise_id=naxi.pk, data=body(mode="halted", staff_inside="0")
    )
    bureau = world.users["bureau"]

    def names(**kw: Any) -> set[str]:
        query = QueryDict(mutable=True)
        query.update({k: str(v) for k, v in kw.items()})
        return {r.enterprise.name for r in selectors.REPORTS.rows(bureau, query)}

    assert names(mode="halted") == {naxi.name}
    assert names(late="yes") == {naxi.name}
    assert names(late="no") == {world.enterprise.name}
    assert names(region="510503") == {naxi.name}
    assert names(park="OWN-PARK") == {world.enterprise.name}
    assert names(date_from=DAY + dt.timedelta(days=1)) == set()
    assert names(q=world.enterprise.uscc[-6:]) == {world.enterprise.name}


# ---- deadlines ------------------------------------------------------------------------------


def test_default_deadline_flags_late_reports(world: World, clock: Any, settings: Any) -> None:
    assert selectors.due_at(world.jiangyang, DAY) == at(2022, 9, 11, 17)
    clock(at(2022, 9, 11, 17, 1))
    report, _created = submit(world)
    assert report.late
    settings.KEEPLINE_REPORT_DUE_TIME = "18:00"
    assert selectors.due_at(world.jiangyang, DAY) == at(2022, 9, 11, 18)


def test_the_nearest_deadline_binds_and_setting_one_judges_reports_again(
    world: World, clock: Any
) -> None:
    clock(at(2022, 9, 11, 15, 30))
    report, _created = submit(world)
    (naxi,) = enterprises(1, world.naxi)
    naxi_report, _created = services.submit_report(
        actor=SystemActor("test"), enterprise_id=naxi.pk, data=body()
    )
    assert not report.late and not naxi_report.late

    city = services.set_deadline(
        actor=world.users["bureau"], region=world.luzhou, day=DAY, due_time=dt.time(15)
    )
    report.refresh_from_db()
    naxi_report.refresh_from_db()
    assert report.late and naxi_report.late
    event = AuditEvent.objects.get(action="set_deadline", object_id=str(city.pk))
    assert event.after["due_time"] == "15:00:00" and event.after["reflagged"] == 2

    services.set_deadline(
        actor=world.users["district"], region=world.jiangyang, day=DAY, due_time=dt.time(16)
    )
    report.refresh_from_db()
    naxi_report.refresh_from_db()
    assert not report.late and naxi_report.late  # Jiangyang's own deadline binds Jiangyang

    # Moving the city's deadline leaves Jiangyang alone.
    services.set_deadline(
        actor=world.users["bureau"], region=world.luzhou, day=DAY, due_time=dt.time(14)
    )
    assert ReportDeadline.objects.filter(region=world.luzhou).count() == 1
    report.refresh_from_db()
    assert not report.late

    # Removing the city's deadline: Naxi falls back to the default 17:00.
    services.remove_deadline(actor=world.users["bureau"], deadline_id=city.pk)
    naxi_report.refresh_from_db()
    assert not naxi_report.late
    assert AuditEvent.objects.filter(action="remove_deadline").count() == 1


def test_deadline_rights_and_errors(world: World, clock: Any) -> None:
    with pytest.raises(Forbidden):
        services.set_deadline(
            actor=world.users["district"], region=world.luzhou, day=DAY, due_time=dt.time(16)
        )
    with pytest.raises(Forbidden):
        services.set_deadline(
            actor=world.users["park"], region=world.jiangyang, day=DAY, due_time=dt.time(16)
        )
    city = services.set_deadline(
        actor=world.users["bureau"], region=world.luzhou, day=DAY, due_time=dt.time(16)
    )
    with pytest.raises(Forbidden):  # seen from below, but the city's to change
        services.remove_deadline(actor=world.users["district"], deadline_id=city.pk)
    with pytest.raises(InvalidInput) as info:
        services.set_deadline(actor=world.users["bureau"], region=None, day=None, due_time=None)
    assert set(info.value.errors) == {"region", "date", "due_time"}


# ---- who has not reported, and chasing ------------------------------------------------------


def test_missing_list_counts_required_reporters_only(world: World, clock: Any) -> None:
    reported, seasonal, halted = enterprises(3, world.jiangyang)
    enterprises(1, world.jiangyang, above_size=False)
    enterprises(1, world.naxi)  # the bureau's, not the district's
    switch([seasonal], EnterpriseMode.SEASONAL_STOP, at(2022, 8, 1))
    switch([halted], EnterpriseMode.HALTED, at(2022, 9, 8))
    services.submit_report(actor=SystemActor("test"), enterprise_id=reported.pk, data=body())
    district = world.users["district"]
    missing = set(selectors.missing_reports(district, DAY).values_list("pk", flat=True))
    assert missing == {world.enterprise.pk, halted.pk}
    assert selectors.missing_reports(world.users["bureau"], DAY).count() == 3
    # A seasonal stop that begins during the day already frees the enterprise that day.
    switch([halted], EnterpriseMode.SEASONAL_STOP, at(2022, 9, 11, 20))
    assert set(selectors.missing_reports(district, DAY).values_list("pk", flat=True)) == {
        world.enterprise.pk
    }
    area = selectors.AreaFilter(park="OWN-PARK")
    assert list(selectors.missing_reports(district, DAY, area)) == [world.enterprise]


def test_chasing_is_recorded_audited_and_shown_to_the_liaison(
    world: World, clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    below = enterprises(1, world.jiangyang, above_size=False)[0]
    reported = enterprises(1, world.jiangyang)[0]
    services.submit_report(actor=SystemActor("test"), enterprise_id=reported.pk, data=body())
    outcome = services.chase_reports(
        actor=world.users["park"], day=DAY, enterprise_ids=[world.enterprise.pk]
    )
    assert outcome.chased == [world.enterprise]
    clock(at(2022, 9, 11, 16))
    outcome = services.chase_reports(
        actor=world.users["district"],
        day=DAY,
        enterprise_ids=[world.enterprise.pk, below.pk, reported.pk],
    )
    assert outcome.chased == [world.enterprise]
    assert outcome.not_required == [below] and outcome.already_reported == [reported]
    chase = ReportChase.objects.get()
    assert (chase.times, chase.last_chased_by_name) == (2, "district")
    assert chase.first_chased_at == at(2022, 9, 11, 15)
    events_ = AuditEvent.objects.filter(action="chase", object_type="reports.reportchase")
    assert [e.after["times"] for e in events_.order_by("id")] == [1, 2]
    missing = selectors.missing_reports(world.users["district"], DAY).get(pk=world.enterprise.pk)
    assert missing.chase_times == 2

    liaison = world.users["liaison"]
    assert [c.date for c in selectors.pending_chases(liaison, world.enterprise)] == [DAY]
    monkeypatch.undo()  # sessions need the real clock
    page = world.client("liaison").get("/reports/")
    assert 'data-chase="2022-09-11"' in page.content.decode()
    form = world.client("liaison").get(f"/reports/enterprise/{world.enterprise.pk}/")
    assert 'data-chase="2022-09-11"' in form.content.decode()
    submit(world)
    assert not selectors.pending_chases(liaison, world.enterprise).exists()


def test_chasing_rights(world: World, clock: Any) -> None:
    with pytest.raises(Forbidden):
        services.chase_reports(
            actor=world.users["leader"], day=DAY, enterprise_ids=[world.enterprise.pk]
        )
    with pytest.raises(NotFound):
        services.chase_reports(
            actor=world.users["district"], day=DAY, enterprise_ids=[world.foreign_enterprise.pk]
        )
    with pytest.raises(InvalidInput):
        services.chase_reports(
            actor=world.users["district"], day=DAY + dt.timedelta(days=1), enterprise_ids=[1]
        )
    with pytest.raises(InvalidInput):
        services.chase_reports(actor=world.users["district"], day=DAY, enterprise_ids=[])
    assert not ReportChase.objects.exists()


def test_chase_all_asks_the_filtered_missing_list(world: World, clock: Any) -> None:
    others = enterprises(3, world.jiangyang)
    enterprises(2, world.naxi)
    client = world.client("bureau")
    response = client.post(
        "/reports/missing/chase-all/", {"date": DAY.isoformat(), "region": "510502"}
    )
    assert response.status_code == 302 and "region=510502" in response["Location"]
    chased = set(ReportChase.objects.values_list("enterprise_id", flat=True))
    assert chased == {world.enterprise.pk, *(e.pk for e in others)}
    page = client.get(f"/reports/missing/?date={DAY}&region=510502")
    assert page.status_code == 200
    assert page.content.decode().count('data-missing="') == 4


# ---- resumption targets ---------------------------------------------------------------------


def test_targets_are_set_once_per_area_date_and_basis(world: World, clock: Any) -> None:
    bureau = world.users["bureau"]
    first = services.set_target(actor=bureau, region=world.luzhou, day=DAY, rate="90")
    again = services.set_target(actor=bureau, region=world.luzhou, day=DAY, rate="92.5", note="n")
    assert first.pk == again.pk and again.rate == Decimal("92.50")
    services.set_target(actor=bureau, region=world.luzhou, day=DAY, rate="80", basis="output")
    assert ResumptionTarget.objects.count() == 2
    changed = AuditEvent.objects.filter(action="set_target").order_by("id")[1]
    assert changed.before == {"rate": "90.00", "note": ""}
    assert changed.after == {"rate": "92.50", "note": "n"}
    park_target = services.set_target(actor=world.users["park"], park=world.park, day=DAY, rate=95)
    assert park_target.park == world.park
    with pytest.raises(Forbidden):
        services.set_target(actor=world.users["district"], region=world.luzhou, day=DAY, rate=90)
    with pytest.raises(Forbidden):
        services.set_target(actor=world.users["park"], region=world.jiangyang, day=DAY, rate=90)
    with pytest.raises(InvalidInput) as info:
        services.set_target(
            actor=bureau, region=world.luzhou, park=world.park, day=None, rate="120", basis="x"
        )
    assert set(info.value.errors) == {"region", "date", "rate", "basis"}
    services.remove_target(actor=world.users["district"], target_id=park_target.pk)
    assert AuditEvent.objects.filter(action="remove_target").count() == 1
