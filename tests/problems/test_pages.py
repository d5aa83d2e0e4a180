"""The problem pages as their users use them: the liaison files, the commissioner it was routed
to accepts and replies, the liaison rates and it is closed; errors shown by field; a stale step
answered with the current state; the list's filters and the ledger export."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.utils import timezone
from openpyxl import load_workbook

from keepline.problems.models import Problem, ProblemStatus
from keepline.problems.services import lifecycle
from tests.conftest import World
from tests.problems.conftest import file


def _version(html: str, form_id: str) -> int:
    form = html[html.index(f'id="{form_id}"') :]
    found = re.search(r'name="version" value="(\d+)"', form)
    assert found, form_id
    return int(found.group(1))


def test_liaison_files_it_is_routed_accepted_replied_rated_and_closed(world: World) -> None:
    liaison, commissioner = world.client("liaison"), world.client("commissioner")
    page = liaison.get("/problems/file/")
    assert page.status_code == 200
    response = liaison.post(
        "/problems/file/",
        {
            "enterprise": world.enterprise.pk,
            "category": "logistics",
            "urgency": "urgent",
            "title": "原料车辆无法进入园区",
            "description": "两辆车被拦在高速出口",
        },
    )
    assert response.status_code == 302
    problem = Problem.objects.get()
    assert response["Location"] == f"/problems/{problem.pk}/"
    # No routing rule: it goes to the enterprise's service commissioner.
    shown = liaison.get(response["Location"]).content.decode()
    assert "原料车辆无法进入园区" in shown
    assert world.users["commissioner"].username in shown.split('id="problem-assigned"')[1][:200]
    assert 'id="accept-form"' not in shown  # the liaison does not accept its own problem

    detail = commissioner.get(f"/problems/{problem.pk}/").content.decode()
    version = _version(detail, "accept-form")
    assert (
        commissioner.post(
            f"/problems/{problem.pk}/", {"action": "accept", "version": version}
        ).status_code
        == 302
    )
    detail = commissioner.get(f"/problems/{problem.pk}/").content.decode()
    assert 'data-status="accepted"' in detail
    response = commissioner.post(
        f"/problems/{problem.pk}/",
        {
            "action": "reply",
            "version": _version(detail, "reply-form"),
            "text": "已协调交通局放行",
            "final": "on",
        },
    )
    assert response.status_code == 302

    detail = liaison.get(f"/problems/{problem.pk}/").content.decode()
    assert 'data-status="replied"' in detail and "已协调交通局放行" in detail
    response = liaison.post(
        f"/problems/{problem.pk}/",
        {
            "action": "confirm",
            "version": _version(detail, "confirm-form"),
            "rating": "5",
            "comment": "处理及时",
        },
    )
    assert response.status_code == 302
    detail = liaison.get(f"/problems/{problem.pk}/").content.decode()
    assert 'data-status="closed"' in detail
    assert "5 / 5" in detail and "处理及时" in detail
    kinds = re.findall(r'<li class="mb-1" data-kind="(\w+)"', detail)
    assert kinds == ["filed", "accepted", "replied", "confirmed"]
    problem.refresh_from_db()
    assert (problem.status, problem.rating) == (ProblemStatus.CLOSED, 5)


def test_a_rating_out_of_range_is_shown_on_its_field(world: World) -> None:
    commissioner = world.users["commissioner"]
    p = file(world)
    p = lifecycle.accept_problem(actor=commissioner, problem_id=p.pk, version=p.version)
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="已解决", final=True
    )
    response = world.client("liaison").post(
        f"/problems/{p.pk}/", {"action": "confirm", "version": p.version, "rating": "7"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'data-field-error="rating">Give a rating from 1 to 5\.<', html)
    p.refresh_from_db()
    assert p.status == ProblemStatus.REPLIED and p.rating is None


def test_a_blank_title_is_shown_on_its_field_and_nothing_is_filed(world: World) -> None:
    response = world.client("liaison").post(
        "/problems/file/",
        {"enterprise": world.enterprise.pk, "category": "energy", "urgency": "normal", "title": ""},
    )
    assert response.status_code == 400
    assert 'data-field-error="title"' in response.content.decode()
    assert not Problem.objects.exists()


def test_a_stale_step_answers_409_with_the_current_state(world: World) -> None:
    p = file(world)
    client = world.client("commissioner")
    assert client.post(f"/problems/{p.pk}/", {"action": "accept", "version": 1}).status_code == 302
    response = client.post(f"/problems/{p.pk}/", {"action": "accept", "version": 1})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone changed this problem in the meantime" in html
    assert "Now: Accepted (version 2)." in html
    # The forms now carry the current version, so the next step can be taken from here.
    assert _version(html, "reply-form") == 2


def test_the_list_filters_and_flags_overdue_problems(world: World) -> None:
    late = file(world, title="逾期的问题")
    fresh = file(world, title="新问题", category="energy")
    Problem.objects.filter(pk=late.pk).update(
        acknowledge_due=timezone.now() - dt.timedelta(minutes=5)
    )
    client = world.client("district")
    html = client.get("/problems/").content.decode()
    assert "逾期的问题" in html and "新问题" in html
    html = client.get("/problems/?deadline=overdue").content.decode()
    assert "逾期的问题" in html and "新问题" not in html
    assert f'data-problem="{late.pk}"' in html and 'data-flag="overdue"' in html
    html = client.get("/problems/?category=energy").content.decode()
    assert "新问题" in html and "逾期的问题" not in html
    html = client.get("/problems/?status=closed").content.decode()
    assert f'data-problem="{fresh.pk}"' not in html
    assert world.client("health").get("/problems/file/").status_code == 403


def test_the_ledger_export_has_a_row_per_problem(world: World) -> None:
    commissioner = world.users["commissioner"]
    p = file(world)
    p = lifecycle.accept_problem(actor=commissioner, problem_id=p.pk, version=p.version)
    p = lifecycle.reply_problem(
        actor=commissioner, problem_id=p.pk, version=p.version, text="已放行", final=True
    )
    lifecycle.confirm_problem(
        actor=world.users["liaison"], problem_id=p.pk, version=p.version, rating=4
    )
    file(world, "admin", enterprise_id=world.foreign_enterprise.pk)
    response = world.client("district").get("/problems/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    data = [r for r in rows[1:] if r[0] == p.pk]
    assert len(data) == 1 and len(rows) == 2  # the foreign problem is not in the district's
    row = dict(zip(header, data[0], strict=True))
    assert row["Enterprise"] == world.enterprise.name
    assert row["Status"] == "Closed" and row["Rating"] == 4
    assert row["Replies"] == "已放行"
    assert row["Assigned to"] == commissioner.username
