"""Switching modes when control measures start and end (平战转换), overlapping measures
included: who goes closed-loop, semi-closed or halted, when, and what each return leaves."""

from __future__ import annotations

import datetime as dt

import pytest

from keepline.bubble.models import EnterpriseMode, MeasureSwitch, ModeRecord
from keepline.bubble.services import modes as mode_services
from keepline.bubble.services import switching as switch_services
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from keepline.enterprises.models import Enterprise
from keepline.places.models import ControlMeasure
from tests.bubble.conftest import NOW, make_measure, mode, qualify, switch
from tests.conftest import SYSTEM, World
from tests.factories import EnterpriseFactory

DAY = dt.timedelta(days=1)
M = EnterpriseMode


@pytest.fixture
def area(world: World) -> dict[str, Enterprise]:
    """Jiangyang: a qualified enterprise, an unqualified one, one on seasonal stop, and the
    world's own enterprise (in OWN-PARK); Naxi next door has one that no measure here covers."""
    qualified = EnterpriseFactory(serial=11, region=world.jiangyang, name="合格酒业")
    qualify(qualified)
    plain = EnterpriseFactory(serial=12, region=world.jiangyang, name="普通机械")
    seasonal = EnterpriseFactory(serial=13, region=world.jiangyang, name="季节糖厂")
    mode_services.set_mode(
        actor=SYSTEM,
        enterprise_id=seasonal.pk,
        mode=M.SEASONAL_STOP,
        reason="榨季结束",
        now=NOW - 3 * DAY,
    )
    outside = EnterpriseFactory(serial=14, region=world.naxi, name="纳溪化工")
    return {
        "qualified": qualified,
        "plain": plain,
        "seasonal": seasonal,
        "parked": world.enterprise,
        "outside": outside,
    }


def test_preview_says_who_goes_where_and_why(world: World, area: dict[str, Enterprise]) -> None:
    measure = make_measure("江阳静态管理", authority=world.luzhou, regions=[world.jiangyang])
    preview = switch_services.preview_switch(actor=SYSTEM, measure_id=measure.pk, at=NOW)
    rows = {r.enterprise.pk: r for r in preview.rows}
    assert area["outside"].pk not in rows
    assert (rows[area["qualified"].pk].current, rows[area["qualified"].pk].proposed) == (
        M.NORMAL,
        M.CLOSED_LOOP,
    )
    assert "qualified by an approved plan" in rows[area["qualified"].pk].reason
    assert rows[area["plain"].pk].proposed == M.SEMI_CLOSED
    assert "no closed-loop qualification: semi-closed" in rows[area["plain"].pk].reason
    assert rows[area["parked"].pk].proposed == M.SEMI_CLOSED
    assert rows[area["seasonal"].pk].proposed == M.SEASONAL_STOP
    assert rows[area["seasonal"].pk].reason == "Seasonal stop stays."
    assert preview.counts[M.CLOSED_LOOP] == 1 and preview.counts[M.SEMI_CLOSED] == 2
    assert preview.change_count == 3
    assert preview.effective_at == NOW
    # A preview writes nothing.
    assert not MeasureSwitch.objects.exists()
    assert mode(area["plain"], NOW) == M.NORMAL


def test_confirm_switches_everyone_at_once_with_audit(
    world: World, area: dict[str, Enterprise]
) -> None:
    measure = make_measure(
        "江阳全域封控", authority=world.luzhou, regions=[world.jiangyang], strictness=3
    )
    assert switch(measure) == 3
    assert mode(area["qualified"], NOW) == M.CLOSED_LOOP
    assert mode(area["plain"], NOW) == M.HALTED
    assert mode(area["parked"], NOW) == M.HALTED
    assert mode(area["seasonal"], NOW) == M.SEASONAL_STOP
    assert mode(area["outside"], NOW) == M.NORMAL
    record = ModeRecord.objects.get(enterprise=area["plain"], measure=measure)
    assert record.recorded_by == "test" and record.effective_from == NOW
    assert "no closed-loop qualification: halted" in record.reason
    events = AuditEvent.objects.filter(action="switch_mode", object_type="bubble.moderecord")
    assert events.count() == 3
    assert events.filter(object_id=str(record.pk), region=world.jiangyang).exists()
    assert AuditEvent.objects.filter(action="confirm_switch").count() == 1


def test_second_confirmation_is_a_conflict(world: World, area: dict[str, Enterprise]) -> None:
    measure = make_measure("江阳静态管理", authority=world.luzhou, regions=[world.jiangyang])
    switch(measure)
    with pytest.raises(Conflict) as exc:
        switch_services.confirm_switch(
            actor=SYSTEM, measure_id=measure.pk, expected_count=0, now=NOW
        )
    assert exc.value.current["switched"] == 3
    assert ModeRecord.objects.filter(measure=measure).count() == 3


def test_stale_preview_is_a_conflict_and_writes_nothing(
    world: World, area: dict[str, Enterprise]
) -> None:
    measure = make_measure("江阳静态管理", authority=world.luzhou, regions=[world.jiangyang])
    preview = switch_services.preview_switch(actor=SYSTEM, measure_id=measure.pk, at=NOW)
    EnterpriseFactory(serial=15, region=world.jiangyang)  # registered after the preview
    with pytest.raises(Conflict) as exc:
        switch_services.confirm_switch(
            actor=SYSTEM, measure_id=measure.pk, expected_count=preview.change_count, now=NOW
        )
    assert exc.value.current == {"change_count": 4}
    assert (
        not MeasureSwitch.objects.exists()
        and not ModeRecord.objects.filter(measure=measure).exists()
    )


def test_scheduled_switch_changes_nothing_before_the_start(
    world: World, area: dict[str, Enterprise]
) -> None:
    start = NOW + 2 * DAY
    measure = make_measure(
        "江阳次日起静态管理", authority=world.luzhou, regions=[world.jiangyang], starts=start
    )
    assert switch(measure) == 3
    assert MeasureSwitch.objects.get(measure=measure).effective_at == start
    assert mode(area["plain"], NOW) == M.NORMAL
    assert mode(area["plain"], start - dt.timedelta(minutes=1)) == M.NORMAL
    assert mode(area["plain"], start) == M.SEMI_CLOSED
    assert mode(area["qualified"], start + DAY) == M.CLOSED_LOOP


def test_an_ended_measure_cannot_be_switched(world: World, area: dict[str, Enterprise]) -> None:
    measure = make_measure(
        "已结束",
        authority=world.luzhou,
        regions=[world.jiangyang],
        ends=NOW - DAY,
        starts=NOW - 3 * DAY,
    )
    with pytest.raises(InvalidInput):
        switch_services.confirm_switch(
            actor=SYSTEM, measure_id=measure.pk, expected_count=0, now=NOW
        )


def test_qualification_lapses_after_the_review_date(world: World) -> None:
    firm = EnterpriseFactory(serial=21, region=world.jiangyang)
    qualify(firm, review=dt.date(2030, 3, 5))
    measure = make_measure(
        "稍后静态管理",
        authority=world.luzhou,
        regions=[world.jiangyang],
        starts=dt.datetime(2030, 3, 6, 0, 0, tzinfo=NOW.tzinfo),
    )
    preview = switch_services.preview_switch(actor=SYSTEM, measure_id=measure.pk, at=NOW)
    assert preview.rows[0].proposed == M.SEMI_CLOSED


# ---- overlapping measures --------------------------------------------------------------------


@pytest.fixture
def overlap(world: World, area: dict[str, Enterprise]) -> dict[str, object]:
    """A city-wide restriction (strictness 2) over Jiangyang and Naxi, and a lockdown
    (strictness 3) of Jiangyang alone, both switched."""
    lenient = make_measure(
        "全市静态管理", authority=world.luzhou, regions=[world.jiangyang, world.naxi]
    )
    strict = make_measure(
        "江阳封控", authority=world.luzhou, regions=[world.jiangyang], strictness=3
    )
    switch(lenient)
    switch(strict, NOW + dt.timedelta(hours=1))
    return {"lenient": lenient, "strict": strict}


def test_strictest_measure_wins(area: dict[str, Enterprise], overlap: dict[str, object]) -> None:
    later = NOW + dt.timedelta(hours=2)
    assert mode(area["plain"], later) == M.HALTED
    assert mode(area["outside"], later) == M.SEMI_CLOSED  # only the lenient one covers Naxi
    assert mode(area["qualified"], later) == M.CLOSED_LOOP


def test_a_lenient_measure_after_a_strict_one_keeps_the_strict_outcome(
    world: World, area: dict[str, Enterprise]
) -> None:
    strict = make_measure(
        "江阳封控", authority=world.luzhou, regions=[world.jiangyang], strictness=3
    )
    switch(strict)
    lenient = make_measure("全市限制", authority=world.luzhou, regions=[world.luzhou], strictness=1)
    preview = switch_services.preview_switch(actor=SYSTEM, measure_id=lenient.pk, at=NOW)
    rows = {r.enterprise.pk: r for r in preview.rows}
    assert rows[area["plain"].pk].proposed == M.HALTED and not rows[area["plain"].pk].changes
    assert "stricter measure “江阳封控”" in rows[area["plain"].pk].reason
    assert rows[area["outside"].pk].proposed == M.SEMI_CLOSED
    assert switch(lenient) == 1


def test_ending_the_strict_measure_leaves_the_other_in_force(
    world: World, area: dict[str, Enterprise], overlap: dict[str, object]
) -> None:
    strict = overlap["strict"]
    ended = switch_services.end_measure_modes(
        actor=SYSTEM,
        measure_id=strict.pk,
        return_on=dt.date(2030, 3, 10),
        now=NOW,  # type: ignore[attr-defined]
    )
    back = dt.datetime(2030, 3, 10, tzinfo=NOW.tzinfo)
    assert ended.return_at == back and ended.returned == 2
    assert mode(area["plain"], back - dt.timedelta(minutes=1)) == M.HALTED
    assert mode(area["plain"], back) == M.SEMI_CLOSED
    assert mode(area["parked"], back) == M.SEMI_CLOSED
    assert mode(area["qualified"], back) == M.CLOSED_LOOP
    record = ModeRecord.objects.filter(enterprise=area["plain"]).first()
    assert record is not None and record.measure == overlap["lenient"]


def test_ending_both_returns_to_normal_on_the_stated_dates(
    world: World, area: dict[str, Enterprise], overlap: dict[str, object]
) -> None:
    switch_services.end_measure_modes(
        actor=SYSTEM,
        measure_id=overlap["lenient"].pk,  # type: ignore[attr-defined]
        return_on=dt.date(2030, 3, 8),
        now=NOW,
    )
    # Jiangyang is still locked down; Naxi returns on the 8th.
    day8 = dt.datetime(2030, 3, 8, tzinfo=NOW.tzinfo)
    assert mode(area["plain"], day8) == M.HALTED
    assert mode(area["outside"], day8) == M.NORMAL
    switch_services.end_measure_modes(
        actor=SYSTEM,
        measure_id=overlap["strict"].pk,  # type: ignore[attr-defined]
        return_on=dt.date(2030, 3, 12),
        now=NOW,
    )
    day12 = dt.datetime(2030, 3, 12, tzinfo=NOW.tzinfo)
    for key in ("plain", "parked", "qualified"):
        assert mode(area[key], day12 - dt.timedelta(seconds=1)) != M.NORMAL, key
        assert mode(area[key], day12) == M.NORMAL, key
    assert mode(area["seasonal"], day12) == M.SEASONAL_STOP


def test_ending_before_a_scheduled_measure_starts_hands_over_to_it(
    world: World, area: dict[str, Enterprise]
) -> None:
    strict = make_measure(
        "江阳封控", authority=world.luzhou, regions=[world.jiangyang], strictness=3
    )
    switch(strict)
    follow = make_measure(
        "江阳后续静态管理",
        authority=world.luzhou,
        regions=[world.jiangyang],
        starts=dt.datetime(2030, 3, 6, tzinfo=NOW.tzinfo),
    )
    assert switch(follow) == 0  # still halted by the lockdown when it starts
    switch_services.end_measure_modes(
        actor=SYSTEM, measure_id=strict.pk, return_on=dt.date(2030, 3, 4), now=NOW
    )
    assert mode(area["plain"], dt.datetime(2030, 3, 5, tzinfo=NOW.tzinfo)) == M.NORMAL
    assert mode(area["plain"], dt.datetime(2030, 3, 6, tzinfo=NOW.tzinfo)) == M.SEMI_CLOSED
    handover = ModeRecord.objects.filter(enterprise=area["plain"]).first()
    assert handover is not None and handover.measure == follow
    assert handover.reason.startswith("“江阳后续静态管理” (strictness 2) in force")


def test_a_scheduled_strict_measure_is_not_undone_by_an_earlier_return(
    world: World, area: dict[str, Enterprise]
) -> None:
    lenient = make_measure("江阳静态管理", authority=world.luzhou, regions=[world.jiangyang])
    switch(lenient)
    switch_services.end_measure_modes(
        actor=SYSTEM, measure_id=lenient.pk, return_on=dt.date(2030, 3, 10), now=NOW
    )
    strict = make_measure(
        "江阳封控",
        authority=world.luzhou,
        regions=[world.jiangyang],
        strictness=3,
        starts=dt.datetime(2030, 3, 5, tzinfo=NOW.tzinfo),
    )
    switch(strict)
    # The lenient measure's return on the 10th was written before the lockdown existed:
    # it is corrected, because the lockdown still governs then.
    assert mode(area["plain"], dt.datetime(2030, 3, 11, tzinfo=NOW.tzinfo)) == M.HALTED


def test_end_rules(world: World, area: dict[str, Enterprise]) -> None:
    measure = make_measure("江阳静态管理", authority=world.luzhou, regions=[world.jiangyang])
    with pytest.raises(InvalidInput, match="not switched"):
        switch_services.end_measure_modes(
            actor=SYSTEM, measure_id=measure.pk, return_on=dt.date(2030, 3, 5), now=NOW
        )
    switch(measure)
    with pytest.raises(InvalidInput) as past:
        switch_services.end_measure_modes(
            actor=SYSTEM, measure_id=measure.pk, return_on=dt.date(2030, 2, 27), now=NOW
        )
    assert "return_on" in past.value.errors
    switch_services.end_measure_modes(
        actor=SYSTEM, measure_id=measure.pk, return_on=dt.date(2030, 3, 5), now=NOW
    )
    with pytest.raises(Conflict):
        switch_services.end_measure_modes(
            actor=SYSTEM, measure_id=measure.pk, return_on=dt.date(2030, 3, 6), now=NOW
        )


def test_returning_today_takes_effect_now(world: World, area: dict[str, Enterprise]) -> None:
    measure = make_measure("江阳静态管理", authority=world.luzhou, regions=[world.jiangyang])
    switch(measure, NOW - dt.timedelta(minutes=30))
    ended = switch_services.end_measure_modes(
        actor=SYSTEM, measure_id=measure.pk, return_on=NOW.date(), now=NOW
    )
    assert ended.return_at == NOW
    assert mode(area["plain"], NOW - dt.timedelta(minutes=1)) == M.SEMI_CLOSED
    assert mode(area["plain"], NOW) == M.NORMAL


# ---- who may switch --------------------------------------------------------------------------


def test_switching_needs_the_right_over_the_whole_area(world: World) -> None:
    city = make_measure("全市静态管理", authority=world.luzhou, regions=[world.luzhou])
    district = world.users["district"]
    preview = switch_services.preview_switch(actor=district, measure_id=city.pk, at=NOW)
    assert {r.enterprise.pk for r in preview.rows} == {world.enterprise.pk}
    with pytest.raises(Forbidden):
        switch_services.confirm_switch(
            actor=district, measure_id=city.pk, expected_count=1, now=NOW
        )
    own = make_measure("江阳静态管理", authority=world.luzhou, regions=[world.jiangyang])
    assert (
        switch_services.confirm_switch(
            actor=district, measure_id=own.pk, expected_count=1, now=NOW
        ).switched
        == 1
    )
    with pytest.raises(Forbidden):
        switch_services.confirm_switch(
            actor=world.users["park"], measure_id=city.pk, expected_count=1, now=NOW
        )
    park_only = make_measure("园区封闭", authority=world.jiangyang, parks=[world.park])
    assert (
        switch_services.confirm_switch(
            actor=world.users["park"], measure_id=park_only.pk, expected_count=0, now=NOW
        ).switched
        == 0
    )
    with pytest.raises(NotFound):
        switch_services.preview_switch(actor=district, measure_id=world.foreign_measure.pk, at=NOW)
    with pytest.raises(Forbidden):
        switch_services.preview_switch(actor=world.users["liaison"], measure_id=own.pk, at=NOW)


def test_a_switched_measure_keeps_its_area_and_cannot_be_deleted(
    world: World, area: dict[str, Enterprise]
) -> None:
    from keepline.places import services as place_services

    measure = make_measure("江阳静态管理", authority=world.luzhou, regions=[world.jiangyang])
    switch(measure)
    data = {
        "kind": measure.kind,
        "title": "改标题可以",
        "authority": world.luzhou,
        "regions": [world.jiangyang],
        "parks": [],
        "starts_at": measure.starts_at,
        "ends_at": None,
        "strictness": measure.strictness,
    }
    place_services.update_measure(actor=SYSTEM, measure_id=measure.pk, data=data, version=1)
    with pytest.raises(Conflict):
        place_services.update_measure(
            actor=SYSTEM, measure_id=measure.pk, data=data | {"regions": [world.naxi]}, version=2
        )
    with pytest.raises(Conflict):
        place_services.delete_measure(actor=SYSTEM, measure_id=measure.pk)
    assert ControlMeasure.objects.filter(pk=measure.pk, title="改标题可以").exists()
