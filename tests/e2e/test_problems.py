"""Enterprise problems in a real browser: the liaison files a problem from a phone; the routing
rule sends it to the transport department; two handlers open it and both press "accept" — one
wins, the other is told it changed under them (409); the department replies; the liaison rates
it and it is closed (销号). An overdue problem escalates to the city task force on the sweep.

Assertions use element ids, data attributes and data rather than interface wording, so they hold
in either language.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from keepline.core.scopes import SystemActor
from keepline.problems.models import Problem, ProblemEventKind, ProblemStatus, Tier
from keepline.problems.services import lifecycle, routing
from tests.conftest import World
from tests.e2e.conftest import PHONE, PageFactory, shot, sign_in

SYSTEM = SystemActor("e2e")


@pytest.mark.e2e
def test_a_problem_is_filed_routed_accepted_once_replied_rated_and_closed(
    e2e_world: World, new_page: PageFactory
) -> None:
    world = e2e_world
    routing.set_routing_rule(
        actor=SYSTEM, category="logistics", region=world.luzhou, department=world.department
    )

    # The liaison files from a phone.
    liaison = new_page(PHONE)
    sign_in(liaison, "liaison")
    liaison.goto("/problems/file/")
    liaison.locator("#id_category").select_option("logistics")
    liaison.locator("#id_urgency").select_option("urgent")
    liaison.locator("#id_title").fill("原料车被拦在泸县卡口")
    liaison.locator("#id_description").fill("两车玻璃瓶坯料，9时起滞留，下午停线")
    liaison.locator("#file-form button[type=submit]").click()
    expect(liaison).to_have_url(re.compile(r"/problems/\d+/$"))
    problem = Problem.objects.get(title="原料车被拦在泸县卡口")
    assert problem.department == world.department
    expect(liaison.locator("#problem-status")).to_have_attribute("data-status", "submitted")
    shot(liaison, "problem-filed-phone")

    # Two handlers open it; the department accepts first, the commissioner's click is refused.
    department = new_page()
    sign_in(department, "department")
    department.goto(f"/problems/{problem.pk}/")
    commissioner = new_page()
    sign_in(commissioner, "commissioner")
    commissioner.goto(f"/problems/{problem.pk}/")
    expect(department.locator("#accept-form")).to_be_visible()
    expect(commissioner.locator("#accept-form")).to_be_visible()
    department.locator("#accept-form button[type=submit]").click()
    expect(department.locator("#problem-status")).to_have_attribute("data-status", "accepted")
    commissioner.locator("#accept-form button[type=submit]").click()
    expect(commissioner.locator(".alert-danger")).to_be_visible()
    expect(commissioner.locator("#problem-status")).to_have_attribute("data-status", "accepted")
    assert problem.events.filter(kind=ProblemEventKind.ACCEPTED).count() == 1
    shot(commissioner, "problem-accept-conflict")

    # The department replies as final.
    department.locator("#reply-form textarea[name=text]").fill("已协调交通专班放行，车辆10时通过")
    department.locator("#reply-form input[name=final]").check()
    department.locator("#reply-form button[type=submit]").click()
    expect(department.locator("#problem-status")).to_have_attribute("data-status", "replied")

    # The liaison rates it and it is closed.
    liaison.reload()
    expect(liaison.locator("#problem-reply")).to_contain_text("放行")
    liaison.locator("#confirm-form input[name=rating]").fill("5")
    liaison.locator("#confirm-form textarea[name=comment]").fill("响应很快")
    liaison.locator("#confirm-form button[type=submit]").click()
    expect(liaison.locator("#problem-status")).to_have_attribute("data-status", "closed")
    expect(liaison.locator("#problem-rating")).to_contain_text("5")
    kinds = list(
        liaison.locator("#timeline li").evaluate_all("els => els.map(e => e.dataset.kind)")
    )
    assert kinds == ["filed", "accepted", "replied", "confirmed"]
    problem.refresh_from_db()
    assert (problem.status, problem.rating) == (ProblemStatus.CLOSED, 5)
    shot(liaison, "problem-closed-phone")


@pytest.mark.e2e
def test_an_overdue_problem_escalates_to_the_city_on_the_sweep(
    e2e_world: World, new_page: PageFactory
) -> None:
    world = e2e_world
    problem = lifecycle.file_problem(
        actor=SYSTEM, enterprise_id=world.enterprise.pk, category="labour", title="员工无法返岗"
    )
    # Filed two days ago and never acknowledged: its one-hour deadline has long passed.
    past = timezone.now() - dt.timedelta(days=2)
    Problem.objects.filter(pk=problem.pk).update(
        filed_at=past, acknowledge_due=past + dt.timedelta(hours=1)
    )
    call_command("sweep-problems", "--now")

    bureau = new_page()
    sign_in(bureau, "bureau")
    bureau.goto("/problems/?tier=city")
    row = bureau.locator(f"#results tr[data-problem='{problem.pk}']")
    expect(row).to_be_visible()
    row.locator("a").first.click()
    problem.refresh_from_db()
    assert problem.tier == Tier.CITY
    expect(bureau.locator("#timeline li[data-kind='escalated']")).to_be_visible()
    shot(bureau, "problem-escalated")
