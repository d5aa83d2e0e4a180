"""The service network pages as their users use them: the commissioner's "my work", coverage
assigned, listed, exported and ended, visits on the two lists with problems linked and raised,
working groups and key projects; errors shown by field, stale forms answered with 409."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook

from keepline.bubble.models import ModeRecord
from keepline.problems.models import Problem, ProblemSource
from keepline.problems.services import lifecycle as problem_lifecycle
from keepline.reports.models import DailyReport
from keepline.service.models import Coverage, KeyProject, Visit, VisitStatus, WorkingGroup
from keepline.service.selectors.coverage import local_today
from keepline.service.selectors.mine import my_work
from keepline.service.services.coverage import assign_coverage
from keepline.service.services.visits import plan_visit, record_visit
from tests.conftest import World
from tests.service.conftest import person


def _version(html: str, form_id: str) -> int:
    form = html[html.index(f'id="{form_id}"') :]
    found = re.search(r'name="version" value="(\d+)"', form)
    assert found, form_id
    return int(found.group(1))


def _tomorrow() -> str:
    return (local_today() + dt.timedelta(days=1)).isoformat()


def _an_hour_ago() -> str:
    return timezone.localtime(timezone.now() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


def _sheet(content: bytes) -> list[tuple[object, ...]]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def _file(world: World, title: str, foreign: bool = False) -> Problem:
    enterprise = world.foreign_enterprise if foreign else world.enterprise
    return problem_lifecycle.file_problem(
        actor=world.users["admin"], enterprise_id=enterprise.pk, category="energy", title=title
    )


def _report_today(world: World) -> None:
    now = timezone.now()
    DailyReport.objects.create(
        enterprise=world.enterprise,
        date=timezone.localdate(),
        mode="closed_loop",
        staff_on_site=100,
        staff_inside=80,
        output_value=Decimal("50.00"),
        capacity_use=Decimal("80.0"),
        raw_material_days=Decimal("2.0"),
        finished_goods_days=Decimal("5.0"),
        via="form",
        submitted_by_name="liaison",
        submitted_at=now,
        first_submitted_at=now,
    )


def test_my_work_shows_the_commissioners_enterprises_and_never_anothers(world: World) -> None:
    admin, commissioner = world.users["admin"], world.users["commissioner"]
    assign_coverage(actor=admin, kind="enterprise", user=commissioner, enterprise=world.enterprise)
    rival = person("rival")
    assign_coverage(actor=admin, kind="enterprise", user=rival, enterprise=world.foreign_enterprise)
    ModeRecord.objects.create(
        enterprise=world.enterprise,
        mode="closed_loop",
        effective_from=timezone.now() - dt.timedelta(hours=1),
        reason="闭环生产",
        recorded_by="district",
    )
    _report_today(world)
    late = _file(world, "天然气供应不足")
    Problem.objects.filter(pk=late.pk).update(
        acknowledge_due=timezone.now() - dt.timedelta(minutes=5)
    )
    _file(world, "翠屏停电", foreign=True)
    planned = plan_visit(
        actor=commissioner,
        enterprise=world.enterprise,
        planned_for=local_today() + dt.timedelta(days=2),
        purpose="协调天然气",
    )

    page = world.client("commissioner").get("/service/mine/")
    assert page.status_code == 200
    html = page.content.decode()
    card = html[html.index(f'data-enterprise="{world.enterprise.pk}"') :]
    assert world.enterprise.name in card
    assert 'data-mode="closed_loop"' in card
    assert 'data-report="in"' in card
    assert f'href="/problems/{late.pk}/"' in card and 'data-flag="overdue"' in card
    assert f'href="/service/visits/{planned.pk}/"' in card
    assert 'data-count="overdue">1<' in html
    assert 'data-count="open_problems">1<' in html
    assert world.foreign_enterprise.name not in html and "翠屏停电" not in html

    rival_client = world.client("commissioner")
    rival_client.force_login(rival)
    theirs = rival_client.get("/service/mine/").content.decode()
    assert world.foreign_enterprise.name in theirs and 'data-report="missing"' in theirs
    assert world.enterprise.name not in theirs and "天然气供应不足" not in theirs


def test_my_work_has_a_clear_empty_state_and_an_area_summary(world: World) -> None:
    assert 'id="mine-empty"' in world.client("checkpoint").get("/service/mine/").content.decode()
    assign_coverage(
        actor=world.users["bureau"],
        kind="area",
        user=world.users["leader"],
        region=world.jiangyang,
    )
    _file(world, "天然气供应不足")
    html = world.client("leader").get("/service/mine/").content.decode()
    areas = html[html.index('id="mine-areas"') :]
    # One enterprise in Jiangyang, no report in, one open problem.
    assert re.search(r"<td>(Jiangyang|江阳区)</td><td>1</td><td>0</td><td>1</td>", areas), areas


def test_coverage_is_assigned_listed_exported_and_ended(world: World) -> None:
    bureau = world.client("bureau")
    cadre = person("zhang.wei")
    assert bureau.get("/service/coverage/assign/").status_code == 200
    missing = bureau.post("/service/coverage/assign/", {"kind": "enterprise", "user": "zhang.wei"})
    assert missing.status_code == 400
    assert 'data-field-error="enterprise"' in missing.content.decode()
    unknown = bureau.post(
        "/service/coverage/assign/",
        {"kind": "enterprise", "user": "nobody", "enterprise": world.enterprise.pk},
    )
    assert unknown.status_code == 400 and 'data-field-error="user"' in unknown.content.decode()
    assert not Coverage.objects.exists()

    response = bureau.post(
        "/service/coverage/assign/",
        {"kind": "enterprise", "user": "zhang.wei", "enterprise": world.enterprise.pk},
    )
    assert response.status_code == 302
    coverage = Coverage.objects.get()
    assert (coverage.user, coverage.assigned_by) == (cadre, "bureau")

    listing = bureau.get("/service/coverage/?person=zhang.wei").content.decode()
    assert f'data-coverage="{coverage.pk}"' in listing and world.enterprise.name in listing
    assert (
        f'data-coverage="{coverage.pk}"'
        not in bureau.get("/service/coverage/?kind=area").content.decode()
    )
    rows = _sheet(bureau.get("/service/coverage/export.xlsx?person=zhang.wei").content)
    assert rows[1][1:3] == ("zhang.wei", world.enterprise.name)

    form = bureau.get(f"/service/coverage/{coverage.pk}/end/").content.decode()
    version = _version(form, "end-form")
    stale = bureau.post(f"/service/coverage/{coverage.pk}/end/", {"version": version + 1})
    assert stale.status_code == 409
    coverage.refresh_from_db()
    assert coverage.until is None
    ended = bureau.post(f"/service/coverage/{coverage.pk}/end/", {"version": version})
    assert ended.status_code == 302
    coverage.refresh_from_db()
    assert (coverage.until, coverage.ended_by) == (local_today(), "bureau")
    # Today was its last day: it stays in the history with who ended it, and ends no more.
    history = bureau.get("/service/coverage/?state=all").content.decode()
    row = history[history.index(f'data-coverage="{coverage.pk}"') :]
    row = row[: row.index("</tr>")]
    assert '>bureau</td><td class="d-none d-md-table-cell">bureau</td>' in row
    assert "/end/" not in row


def test_a_visit_is_planned_completed_with_problems_linked_and_one_raised(world: World) -> None:
    commissioner = world.client("commissioner")
    known = _file(world, "天然气供应不足")
    foreign = _file(world, "翠屏停电", foreign=True)
    response = commissioner.post(
        "/service/visits/plan/",
        {"enterprise": world.enterprise.pk, "planned_for": _tomorrow(), "purpose": "了解用气"},
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    planned = commissioner.get("/service/visits/?list=planned").content.decode()
    assert f'data-visit="{visit.pk}"' in planned
    assert (
        f'data-visit="{visit.pk}"'
        not in commissioner.get("/service/visits/?list=done").content.decode()
    )

    detail = commissioner.get(f"/service/visits/{visit.pk}/").content.decode()
    assert "天然气供应不足" in detail and "翠屏停电" not in detail
    version = _version(detail, "complete-form")
    base = {
        "action": "complete",
        "version": version,
        "visited_at": _an_hour_ago(),
        "findings": "用气缺口每日2000立方米",
    }
    # A problem of another enterprise is not on offer; a new problem needs its category.
    wrong = commissioner.post(f"/service/visits/{visit.pk}/", {**base, "problems": [foreign.pk]})
    assert wrong.status_code == 400 and 'data-field-error="problems"' in wrong.content.decode()
    half = commissioner.post(
        f"/service/visits/{visit.pk}/", {**base, "problems": [known.pk], "new_title": "物流受阻"}
    )
    assert half.status_code == 400 and 'data-field-error="new_category"' in half.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED and not visit.problems.exists()
    assert Problem.objects.count() == 2

    done = commissioner.post(
        f"/service/visits/{visit.pk}/",
        {
            **base,
            "problems": [known.pk],
            "new_category": "logistics",
            "new_urgency": "urgent",
            "new_title": "物流受阻",
        },
    )
    assert done.status_code == 302
    visit.refresh_from_db()
    raised = Problem.objects.get(title="物流受阻")
    assert raised.source == ProblemSource.ON_BEHALF and raised.urgency == "urgent"
    assert visit.status == VisitStatus.DONE
    assert set(visit.problems.all()) == {known, raised}
    shown = commissioner.get(f"/service/visits/{visit.pk}/").content.decode()
    linked = shown[shown.index('id="visit-problems"') :]
    assert f'href="/problems/{known.pk}/"' in linked and f'href="/problems/{raised.pk}/"' in linked
    assert 'data-status="submitted"' in linked
    assert 'id="complete-form"' not in shown and 'id="raise-form"' in shown

    again = commissioner.post(f"/service/visits/{visit.pk}/", {**base, "version": version})
    assert again.status_code == 409
    listed = commissioner.get("/service/visits/?list=done").content.decode()
    assert f'data-visit="{visit.pk}"' in listed
    rows = _sheet(commissioner.get("/service/visits/export.xlsx?list=done").content)
    assert rows[1][0] == visit.pk
    assert rows[1][10] == ", ".join(str(pk) for pk in sorted([known.pk, raised.pk]))

    # The liaison reads the done list of its enterprise and the visit, without the forms.
    liaison = world.client("liaison")
    assert 'id="tab-planned"' not in liaison.get("/service/visits/").content.decode()
    seen = liaison.get(f"/service/visits/{visit.pk}/").content.decode()
    assert "用气缺口每日2000立方米" in seen and 'id="raise-form"' not in seen


def test_a_planned_visit_is_cancelled_with_a_reason(world: World) -> None:
    district = world.client("district")
    district.post(
        "/service/visits/plan/",
        {"enterprise": world.enterprise.pk, "planned_for": _tomorrow(), "purpose": "走访"},
    )
    visit = Visit.objects.get()
    version = _version(district.get(f"/service/visits/{visit.pk}/").content.decode(), "cancel-form")
    blank = district.post(f"/service/visits/{visit.pk}/", {"action": "cancel", "version": version})
    assert blank.status_code == 400 and 'data-field-error="reason"' in blank.content.decode()
    response = district.post(
        f"/service/visits/{visit.pk}/",
        {"action": "cancel", "version": version, "reason": "企业封控"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.status, visit.cancel_reason) == (VisitStatus.CANCELLED, "企业封控")


def test_a_visit_made_is_recorded_with_the_problems_it_followed(world: World) -> None:
    park = world.client("park")
    known = _file(world, "天然气供应不足")
    data = {
        "enterprise": world.enterprise.pk,
        "visited_at": _an_hour_ago(),
        "findings": "已协调燃气公司",
        "problems": "999999",
    }
    bad = park.post("/service/visits/record/", data)
    assert bad.status_code == 400 and 'data-field-error="problems"' in bad.content.decode()
    assert not Visit.objects.exists()
    assert (
        park.post("/service/visits/record/", {**data, "problems": str(known.pk)}).status_code == 302
    )
    visit = Visit.objects.get()
    assert visit.status == VisitStatus.DONE and list(visit.problems.all()) == [known]


def test_working_groups_are_sent_changed_and_stood_down(world: World) -> None:
    bureau = world.client("bureau")
    base = {
        "authority": world.luzhou.code,
        "name": "市督导第一组",
        "leader": "leader",
        "members": "commissioner, district",
        "regions": [world.jiangyang.code],
        "starts_on": local_today().isoformat(),
    }
    bad = bureau.post("/service/groups/new/", {**base, "leader": "nobody"})
    assert bad.status_code == 400 and 'data-field-error="leader"' in bad.content.decode()
    response = bureau.post("/service/groups/new/", base)
    assert response.status_code == 302
    group = WorkingGroup.objects.get()
    assert {u.username for u in group.members.all()} == {"commissioner", "district"}
    detail = world.client("commissioner").get(f"/service/groups/{group.pk}/").content.decode()
    assert "市督导第一组" in detail and 'id="end-form"' not in detail

    edit = bureau.get(f"/service/groups/{group.pk}/edit/").content.decode()
    version = _version(edit, "group-form")
    changed = {**base, "members": "district", "version": version}
    changed.pop("authority")
    stale = bureau.post(f"/service/groups/{group.pk}/edit/", {**changed, "version": version + 1})
    assert stale.status_code == 409
    assert bureau.post(f"/service/groups/{group.pk}/edit/", changed).status_code == 302
    assert [u.username for u in group.members.all()] == ["district"]

    page = bureau.get(f"/service/groups/{group.pk}/").content.decode()
    ended = bureau.post(f"/service/groups/{group.pk}/end/", {"version": _version(page, "end-form")})
    assert ended.status_code == 302
    group.refresh_from_db()
    assert group.ends_on == local_today()
    assert "市督导第一组" in bureau.get("/service/groups/").content.decode()


def test_key_projects_are_created_and_listed_with_their_officers(world: World) -> None:
    district = world.client("district")
    data = {"enterprise": world.enterprise.pk, "name": "白酒技改项目"}
    assert district.post("/service/projects/new/", data).status_code == 302
    twice = district.post("/service/projects/new/", data)
    assert twice.status_code == 400 and 'data-field-error="name"' in twice.content.decode()
    project = KeyProject.objects.get()
    assign_coverage(
        actor=world.users["district"],
        kind="project",
        user=world.users["commissioner"],
        project=project,
    )
    listing = district.get("/service/projects/").content.decode()
    row = listing[listing.index(f'data-project="{project.pk}"') :]
    assert "白酒技改项目" in row and "commissioner" in row[: row.index("</tr>")]


def test_the_menu_opens_the_service_network_by_right(world: World) -> None:
    html = world.client("commissioner").get("/service/mine/").content.decode()
    for url in ("/service/mine/", "/service/coverage/", "/service/visits/", "/service/groups/"):
        assert f'href="{url}"' in html
    checkpoint = world.client("checkpoint").get("/service/mine/").content.decode()
    assert 'href="/service/coverage/"' not in checkpoint


def test_my_work_shows_each_enterprises_soonest_planned_and_latest_done_visit(world: World) -> None:
    admin, commissioner = world.users["admin"], world.users["commissioner"]
    assign_coverage(actor=admin, kind="enterprise", user=commissioner, enterprise=world.enterprise)
    today = local_today()
    later, soon = (
        plan_visit(
            actor=commissioner,
            enterprise=world.enterprise,
            planned_for=today + dt.timedelta(days=d),
            purpose="p",
        )
        for d in (5, 1)
    )
    old, recent = (
        record_visit(
            actor=commissioner,
            enterprise=world.enterprise,
            visited_at=timezone.now() - dt.timedelta(days=d),
            findings="f",
        )
        for d in (9, 2)
    )
    (work,) = my_work(commissioner).enterprises
    assert (work.next_visit, work.last_visit) == (soon, recent)
    assert later != soon and old != recent
