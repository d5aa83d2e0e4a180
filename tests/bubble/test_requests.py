"""Liaisons ask for another mode; the park or district approves (a mode record) or refuses;
officials set a mode by hand with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict

from keepline.bubble import selectors
from keepline.bubble.models import EnterpriseMode, ModeChangeRequest, ModeRecord, RequestStatus
from keepline.bubble.services import modes as mode_services
from keepline.bubble.services import requests as request_services
from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent
from tests.bubble.conftest import NOW, mode
from tests.conftest import SYSTEM, World
from tests.factories import EnterpriseFactory

M = EnterpriseMode
WAITING = QueryDict("waiting=1")
AT_NOW = QueryDict(mutable=True)
AT_NOW["as_of"] = NOW.isoformat()


def _ask(world: World, wanted: str = M.CLOSED_LOOP, **kwargs: object) -> ModeChangeRequest:
    options: dict[str, object] = {
        "enterprise_id": world.enterprise.pk,
        "requested_mode": wanted,
        "reason": "宿舍已改造完成，员工可住厂",
        "now": NOW,
    }
    options.update(kwargs)
    return request_services.request_mode_change(actor=world.users["liaison"], **options)  # type: ignore[arg-type]


def test_approved_request_changes_the_mode_and_the_liaison_sees_it(world: World) -> None:
    change = _ask(world)
    assert (change.current_mode, change.status) == (M.NORMAL, RequestStatus.PENDING)
    assert change.review_park == world.park
    decided = request_services.decide_mode_request(
        actor=world.users["park"], request_id=change.pk, approve=True, note="同意", now=NOW
    )
    assert decided.status == RequestStatus.APPROVED
    assert (decided.decided_by, decided.decided_at, decided.version) == (
        "park",
        NOW,
        change.version + 1,
    )
    approved = AuditEvent.objects.get(action="approve_mode_request", object_id=str(change.pk))
    assert approved.after["decision_note"] == "同意" and approved.after["status"] == "approved"
    assert decided.mode_record is not None and decided.mode_record.recorded_by == "park"
    assert mode(world.enterprise, NOW) == M.CLOSED_LOOP
    seen = selectors.REQUESTS.rows(world.users["liaison"], QueryDict()).get()
    assert seen.status == RequestStatus.APPROVED and seen.decision_note == "同意"
    history = list(selectors.history(world.users["liaison"], world.enterprise))
    assert [r.mode for r in history] == [M.CLOSED_LOOP]
    assert "宿舍已改造完成" in history[0].reason


def test_refusal_needs_a_reason_and_changes_nothing(world: World) -> None:
    change = _ask(world)
    with pytest.raises(InvalidInput):
        request_services.decide_mode_request(
            actor=world.users["park"], request_id=change.pk, approve=False
        )
    refused = request_services.decide_mode_request(
        actor=world.users["park"], request_id=change.pk, approve=False, note="方案未获批"
    )
    assert refused.status == RequestStatus.REFUSED and refused.mode_record is None
    assert not ModeRecord.objects.exists()
    assert (
        selectors.REQUESTS.rows(world.users["liaison"], QueryDict()).get().decision_note
        == "方案未获批"
    )


def test_second_decision_is_a_conflict(world: World) -> None:
    change = _ask(world)
    request_services.decide_mode_request(
        actor=world.users["park"], request_id=change.pk, approve=True, version=change.version
    )
    with pytest.raises(Conflict) as late:
        request_services.decide_mode_request(
            actor=world.users["admin"],
            request_id=change.pk,
            approve=False,
            note="不同意",
            version=change.version,
        )
    assert late.value.current["status"] == RequestStatus.APPROVED
    assert ModeRecord.objects.count() == 1


def test_who_decides(world: World) -> None:
    change = _ask(world)
    for role in ("district", "bureau", "commissioner"):
        with pytest.raises(Forbidden):
            request_services.decide_mode_request(
                actor=world.users[role], request_id=change.pk, approve=True
            )
    with pytest.raises(NotFound):
        request_services.decide_mode_request(
            actor=world.other_user, request_id=change.pk, approve=True
        )  # type: ignore[arg-type]
    loose = EnterpriseFactory(serial=51, region=world.jiangyang)
    other = request_services.request_mode_change(
        actor=SYSTEM, enterprise_id=loose.pk, requested_mode=M.HALTED, reason="设备检修"
    )
    assert set(selectors.REQUESTS.rows(world.users["district"], WAITING)) == {other}
    assert set(selectors.REQUESTS.rows(world.users["park"], WAITING)) == {change}
    request_services.decide_mode_request(
        actor=world.users["district"], request_id=other.pk, approve=True
    )


def test_request_rules(world: World) -> None:
    with pytest.raises(InvalidInput) as same:
        _ask(world, wanted=M.NORMAL)
    assert same.value.errors["requested_mode"] == ["The enterprise is in this mode already."]
    with pytest.raises(InvalidInput) as empty:
        _ask(world, reason="  ")
    assert "reason" in empty.value.errors
    with pytest.raises(InvalidInput):
        _ask(world, wanted="flying")
    _ask(world)
    with pytest.raises(Conflict):
        _ask(world, wanted=M.HALTED)
    with pytest.raises(NotFound):
        _ask(world, enterprise_id=world.foreign_enterprise.pk)
    with pytest.raises(Forbidden):
        request_services.request_mode_change(
            actor=world.users["commissioner"],
            enterprise_id=world.enterprise.pk,
            requested_mode=M.HALTED,
            reason="x",
        )


def test_liaison_never_sees_another_enterprise(world: World) -> None:
    request_services.request_mode_change(
        actor=SYSTEM,
        enterprise_id=world.foreign_enterprise.pk,
        requested_mode=M.HALTED,
        reason="检修",
    )
    neighbour = EnterpriseFactory(serial=52, region=world.jiangyang)
    request_services.request_mode_change(
        actor=SYSTEM, enterprise_id=neighbour.pk, requested_mode=M.HALTED, reason="检修"
    )
    liaison = world.users["liaison"]
    assert not selectors.REQUESTS.rows(liaison, QueryDict()).exists()
    assert set(selectors.MODES.rows(liaison, AT_NOW)) == {world.enterprise}
    mode_services.set_mode(actor=SYSTEM, enterprise_id=neighbour.pk, mode=M.HALTED, reason="检修")
    assert not selectors.history(liaison, neighbour).exists()
    with pytest.raises(NotFound):
        _ask(world, enterprise_id=neighbour.pk)


def test_district_sees_only_its_area(world: World) -> None:
    naxi = EnterpriseFactory(serial=53, region=world.naxi)
    district = world.users["district"]
    listed = set(selectors.MODES.rows(district, AT_NOW))
    assert world.enterprise in listed and naxi not in listed
    assert world.foreign_enterprise not in listed
    with pytest.raises(NotFound):
        mode_services.set_mode(actor=district, enterprise_id=naxi.pk, mode=M.HALTED, reason="x")


# ---- manual mode -----------------------------------------------------------------------------


def test_official_sets_a_mode_with_a_reason(world: World) -> None:
    record = mode_services.set_mode(
        actor=world.users["park"],
        enterprise_id=world.enterprise.pk,
        mode=M.SEASONAL_STOP,
        reason="榨季结束",
        now=NOW,
    )
    assert (record.mode, record.recorded_by, record.effective_from) == (
        M.SEASONAL_STOP,
        "park",
        NOW,
    )
    later = mode_services.set_mode(
        actor=world.users["district"],
        enterprise_id=world.enterprise.pk,
        mode=M.NORMAL,
        reason="新榨季开始",
        effective_on=dt.date(2030, 3, 20),
        now=NOW,
    )
    assert later.effective_from == dt.datetime(2030, 3, 20, tzinfo=NOW.tzinfo)
    assert mode(world.enterprise, dt.datetime(2030, 3, 19, tzinfo=NOW.tzinfo)) == M.SEASONAL_STOP
    assert mode(world.enterprise, later.effective_from) == M.NORMAL


def test_manual_mode_rules(world: World) -> None:
    def set_(**kwargs: object) -> ModeRecord:
        options: dict[str, object] = {
            "actor": world.users["district"],
            "enterprise_id": world.enterprise.pk,
            "mode": M.HALTED,
            "reason": "停电",
            "now": NOW,
        }
        options.update(kwargs)
        return mode_services.set_mode(**options)  # type: ignore[arg-type]

    with pytest.raises(InvalidInput) as exc:
        set_(reason="", mode="nope", effective_on=dt.date(2030, 2, 1))
    assert set(exc.value.errors) == {"reason", "mode", "effective_on"}
    with pytest.raises(InvalidInput, match="already in this mode"):
        set_(mode=M.NORMAL)
    for role in ("liaison", "commissioner", "leader"):
        with pytest.raises(Forbidden):
            set_(actor=world.users[role])
    assert not ModeRecord.objects.exists()
