"""The pages as their users work them: a liaison on a phone writes the plan and asks for a
mode, the park decides, the city previews and confirms a switch, and everyone reads modes."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from keepline.bubble.models import (
    ClosedLoopPlan,
    EnterpriseMode,
    MeasureSwitch,
    ModeChangeRequest,
    PlanStatus,
    RequestStatus,
)
from keepline.bubble.services import modes as mode_services
from keepline.bubble.services import plans as plan_services
from tests.bubble.conftest import READY, make_measure, mode
from tests.conftest import SYSTEM, World
from tests.factories import EnterpriseFactory

M = EnterpriseMode


def _client(world: World, role: str) -> Client:
    client = world.client(role)
    client.cookies["django_language"] = "en"
    return client


def _form(**changes: Any) -> dict[str, Any]:
    data = {**READY, "review_date": (timezone.localdate() + dt.timedelta(days=60)).isoformat()}
    data.update(changes)
    return {k: ("on" if v is True else "" if v is False else v) for k, v in data.items()}


def test_liaison_writes_and_submits_the_plan_and_reads_why_it_fails(world: World) -> None:
    liaison = _client(world, "liaison")
    page = liaison.get(f"/bubble/enterprises/{world.enterprise.pk}/plan/")
    assert page.status_code == 200 and 'name="beds"' in page.content.decode()
    bad = liaison.post(
        f"/bubble/enterprises/{world.enterprise.pk}/plan/",
        _form(beds="-3", review_date="") | {"submit": "1"},
    )
    body = bad.content.decode()
    assert bad.status_code == 400 and 'data-field-error="beds"' in body
    assert 'data-field-error="review_date"' in body
    assert not ClosedLoopPlan.objects.exists()
    saved = liaison.post(
        f"/bubble/enterprises/{world.enterprise.pk}/plan/", _form(beds="120") | {"draft": "1"}
    )
    plan = ClosedLoopPlan.objects.get()
    assert saved.status_code == 302 and plan.status == PlanStatus.DRAFT
    detail = liaison.get(f"/bubble/plans/{plan.pk}/").content.decode()
    assert "Beds 120 for 150 staff living inside: 30 short." in detail
    assert 'data-ready="0"' in detail and 'data-rule="beds" data-passed="0"' in detail
    form = liaison.get(f"/bubble/enterprises/{world.enterprise.pk}/plan/").content.decode()
    assert 'value="120"' in form  # the draft is carried on
    liaison.post(
        f"/bubble/enterprises/{world.enterprise.pk}/plan/",
        _form(version=plan.version) | {"submit": "1"},
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED and plan.ready
    assert (
        "Waiting for the decision of" in liaison.get(f"/bubble/plans/{plan.pk}/").content.decode()
    )


def test_park_decides_from_its_waiting_list(world: World) -> None:
    plan = plan_services.save_plan(
        actor=SYSTEM,
        enterprise_id=world.enterprise.pk,
        data={**READY, "review_date": timezone.localdate() + dt.timedelta(days=60)},
        submit=True,
    )
    park = _client(world, "park")
    waiting = park.get("/bubble/plans/").content.decode()
    assert f"/bubble/plans/{plan.pk}/" in waiting
    assert (
        f"/bubble/plans/{plan.pk}/"
        not in _client(world, "district").get("/bubble/plans/").content.decode()
    )
    park.post(f"/bubble/plans/{plan.pk}/decide/", {"decision": "return"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED  # a return needs reasons
    park.post(
        f"/bubble/plans/{plan.pk}/decide/",
        {"decision": "approve", "version": plan.version},
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED
    late = park.post(
        f"/bubble/plans/{plan.pk}/decide/",
        {"decision": "return", "note": "x", "version": plan.version - 1},
    )
    assert late.status_code == 409
    page = _client(world, "liaison").get(f"/bubble/enterprises/{world.enterprise.pk}/")
    assert "Qualified for closed-loop production until" in page.content.decode()


def test_city_previews_confirms_and_ends_a_switch(world: World) -> None:
    EnterpriseFactory(serial=61, region=world.jiangyang)
    bureau = _client(world, "bureau")
    page = bureau.get(f"/bubble/switching/{world.measure.pk}/")
    body = page.content.decode()
    assert 'data-count="semi_closed">2<' in body and "data-change-count>2<" in body
    assert f"/bubble/switching/{world.measure.pk}/confirm/" in body
    assert "Confirm: switch 2 enterprises" in body
    done = bureau.post(f"/bubble/switching/{world.measure.pk}/confirm/", {"expected_count": 2})
    assert done.status_code == 302
    assert mode(world.enterprise, timezone.now()) == M.SEMI_CLOSED
    again = bureau.post(f"/bubble/switching/{world.measure.pk}/confirm/", {"expected_count": 0})
    assert again.status_code == 409
    after = bureau.get(f"/bubble/switching/{world.measure.pk}/").content.decode()
    assert "data-switched" in after and "End the measure's modes" in after
    day = timezone.localdate() + dt.timedelta(days=2)
    bureau.post(f"/bubble/switching/{world.measure.pk}/end/", {"return_on": day.isoformat()})
    switch = MeasureSwitch.objects.get(measure=world.measure)
    assert switch.returned == 2 and timezone.localtime(switch.return_at).date() == day
    listed = bureau.get("/bubble/switching/?state=ended").content.decode()
    assert world.measure.title in listed


def test_a_district_official_previews_a_city_measure_but_cannot_confirm_it(
    world: World,
) -> None:
    city = make_measure(
        "全市静态管理", authority=world.luzhou, regions=[world.luzhou], starts=timezone.now()
    )
    page = _client(world, "district").get(f"/bubble/switching/{city.pk}/").content.decode()
    assert "confirmed by an official whose area covers all of it" in page
    assert f"/bubble/switching/{city.pk}/confirm/" not in page
    refused = _client(world, "district").post(
        f"/bubble/switching/{city.pk}/confirm/", {"expected_count": 1}
    )
    assert refused.status_code == 403


def test_liaison_asks_and_sees_the_outcome(world: World) -> None:
    liaison = _client(world, "liaison")
    page = liaison.get(f"/bubble/enterprises/{world.enterprise.pk}/").content.decode()
    assert 'data-current-mode="normal"' in page and "Ask for another mode" in page
    sent = liaison.post(
        f"/bubble/enterprises/{world.enterprise.pk}/request/",
        {"requested_mode": "closed_loop", "reason": "员工已入住"},
    )
    change = ModeChangeRequest.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/bubble/requests/{change.pk}/"
    park = _client(world, "park")
    assert f"/bubble/requests/{change.pk}/" in park.get("/bubble/requests/").content.decode()
    park.post(f"/bubble/requests/{change.pk}/decide/", {"decision": "refuse", "note": "方案未批"})
    change.refresh_from_db()
    assert change.status == RequestStatus.REFUSED
    outcome = liaison.get(f"/bubble/requests/{change.pk}/").content.decode()
    assert 'data-status="refused"' in outcome and "方案未批" in outcome


def test_official_sets_a_mode_on_the_closed_loop_page(world: World) -> None:
    district = _client(world, "district")
    district.post(
        f"/bubble/enterprises/{world.enterprise.pk}/mode/", {"mode": "halted", "reason": "停电"}
    )
    page = district.get(f"/bubble/enterprises/{world.enterprise.pk}/").content.decode()
    assert 'data-current-mode="halted"' in page and "停电" in page
    empty = district.post(f"/bubble/enterprises/{world.enterprise.pk}/mode/", {"mode": "halted"})
    assert empty.status_code == 302
    assert mode(world.enterprise, timezone.now()) == M.HALTED


def test_modes_list_filters_as_of_and_exports(world: World) -> None:
    naxi = EnterpriseFactory(serial=62, region=world.naxi, name="纳溪企业")
    before = timezone.now()
    mode_services.set_mode(
        actor=SYSTEM, enterprise_id=world.enterprise.pk, mode=M.HALTED, reason="检修"
    )
    bureau = _client(world, "bureau")
    page = bureau.get("/bubble/modes/")
    assert page.status_code == 200
    counts = page.context["counts"]
    assert dict((m.value, n) for m, n in counts)[M.HALTED] == 1
    only = bureau.get("/bubble/modes/?mode=halted").content.decode()
    assert world.enterprise.name in only and naxi.name not in only
    stamp = timezone.localtime(before).strftime("%Y-%m-%dT%H:%M:%S")
    earlier = bureau.get(f"/bubble/modes/?mode=halted&as_of={stamp}").content.decode()
    assert world.enterprise.name not in earlier
    region = bureau.get("/bubble/modes/?region=510503").content.decode()
    assert naxi.name in region and world.enterprise.name not in region
    export = bureau.get("/bubble/modes/export.xlsx?mode=halted")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][5] == "Mode" and len(rows) == 2
    assert rows[1][1] == world.enterprise.name and rows[1][5] == "Halted" and rows[1][7] == "检修"


def test_park_writes_its_own_plan(world: World) -> None:
    park = _client(world, "park")
    assert f"/bubble/parks/{world.park.pk}/" in park.get("/bubble/plans/").content.decode()
    park.post(f"/bubble/parks/{world.park.pk}/plan/", _form() | {"submit": "1"})
    plan = ClosedLoopPlan.objects.get(park=world.park)
    assert plan.status == PlanStatus.SUBMITTED and plan.review_region == world.jiangyang
    page = park.get(f"/bubble/parks/{world.park.pk}/").content.decode()
    assert f"/bubble/plans/{plan.pk}/" in page
    # The park committee does not decide its own park's plan; the district does.
    assert park.post(f"/bubble/plans/{plan.pk}/decide/", {"decision": "approve"}).status_code == 403
    district = _client(world, "district")
    district.post(f"/bubble/plans/{plan.pk}/decide/", {"decision": "approve"})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


def test_menu_group(world: World) -> None:
    menu = _client(world, "liaison").get("/").context["menu"]
    groups = {str(group): [str(i["url"]) for i in items] for group, items in menu}
    assert groups["Closed-loop production"] == [
        "/bubble/modes/",
        "/bubble/plans/",
        "/bubble/requests/",
    ]
    admin = {
        str(g): [str(i["url"]) for i in items]
        for g, items in _client(world, "admin").get("/").context["menu"]
    }
    assert "/bubble/switching/" in admin["Closed-loop production"]
