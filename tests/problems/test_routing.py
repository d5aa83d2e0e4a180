"""Routing rules: the most specific rule wins; no rule → the commissioner; none → unassigned."""

from __future__ import annotations

import pytest

from keepline.core.errors import Forbidden, InvalidInput
from keepline.core.models import AuditEvent, Department, DepartmentKind
from keepline.problems.models import ProblemEventKind, RoutingRule, Tier
from keepline.problems.services import lifecycle, routing
from tests.conftest import World
from tests.factories import UserFactory
from tests.problems.conftest import file


def _department(world: World, name: str, region: object = None) -> Department:
    return Department.objects.create(
        name=name, kind=DepartmentKind.OTHER, region=region or world.luzhou
    )


def test_no_rule_goes_to_the_enterprises_commissioner(world: World) -> None:
    problem = file(world)
    assert problem.handler == world.users["commissioner"]
    assert problem.department is None
    assert problem.tier == Tier.LOCAL


def test_no_rule_and_no_commissioner_waits_unassigned_at_the_district(world: World) -> None:
    problem = file(world, "admin", enterprise_id=world.foreign_enterprise.pk)
    assert problem.handler is None
    assert problem.department is None
    assert problem.tier == Tier.LOCAL


def test_the_deepest_region_wins_then_the_category(world: World) -> None:
    admin = world.users["admin"]
    city_any = _department(world, "泸州市经信局")
    anywhere_logistics = _department(world, "省交通厅")
    district_any = _department(world, "江阳区经信局", world.jiangyang)
    handler = UserFactory(username="energy")
    routing.set_routing_rule(actor=admin, region=world.luzhou, department=city_any)
    routing.set_routing_rule(
        actor=admin, category="logistics", region=world.luzhou, department=world.department
    )
    routing.set_routing_rule(actor=admin, category="logistics", department=anywhere_logistics)
    routing.set_routing_rule(
        actor=admin, category="energy", region=world.jiangyang, handler=handler
    )

    assert file(world, category="logistics").department == world.department
    energy = file(world, category="energy")
    assert (energy.handler, energy.department) == (handler, None)
    assert file(world, category="labour").department == city_any
    # Outside Luzhou only the rule for anywhere applies.
    foreign = file(world, "admin", enterprise_id=world.foreign_enterprise.pk)
    assert foreign.department == anywhere_logistics

    # A rule for the enterprise's own district beats the city's rule for the category.
    routing.set_routing_rule(actor=admin, region=world.jiangyang, department=district_any)
    assert file(world, category="logistics").department == district_any


def test_a_rule_is_replaced_not_duplicated_and_the_filing_names_it(world: World) -> None:
    bureau = world.users["bureau"]
    other = _department(world, "泸州市商务局")
    routing.set_routing_rule(
        actor=bureau, category="logistics", region=world.luzhou, department=other
    )
    rule = routing.set_routing_rule(
        actor=bureau, category="logistics", region=world.luzhou, department=world.department
    )
    problem = file(world)
    assert problem.department == world.department
    filed = problem.events.get(kind=ProblemEventKind.FILED)
    assert filed.note == str(rule)
    assert AuditEvent.objects.filter(action="set_routing_rule").count() == 2
    routing.remove_routing_rule(actor=bureau, rule_id=rule.pk)
    assert file(world).handler == world.users["commissioner"]


def test_the_bureau_sets_rules_only_within_its_region(world: World) -> None:
    bureau = world.users["bureau"]
    with pytest.raises(Forbidden):
        routing.set_routing_rule(actor=bureau, region=world.yibin, department=world.department)
    with pytest.raises(Forbidden):
        routing.set_routing_rule(actor=bureau, department=world.department)
    for role in ["district", "liaison", "department"]:
        with pytest.raises(Forbidden):
            routing.set_routing_rule(
                actor=world.users[role], region=world.jiangyang, department=world.department
            )


def test_a_rule_names_one_target(world: World) -> None:
    with pytest.raises(InvalidInput) as both:
        routing.set_routing_rule(
            actor=world.users["admin"],
            region=world.luzhou,
            department=world.department,
            handler=world.users["district"],
        )
    assert "department" in both.value.errors
    with pytest.raises(InvalidInput) as bad:
        routing.set_routing_rule(
            actor=world.users["admin"], category="weather", department=world.department
        )
    assert "category" in bad.value.errors


def test_a_rule_names_only_departments_and_handlers_within_reach(world: World) -> None:
    """The API takes ids: the service, not the form, refuses another city's department or
    official, and nothing is written."""
    bureau = world.users["bureau"]
    yibin_transport = Department.objects.create(
        name="宜宾市交通运输局", kind="transport", region=world.yibin
    )
    with pytest.raises(InvalidInput) as refused:
        routing.set_routing_rule(
            actor=bureau, category="logistics", region=world.luzhou, department=yibin_transport
        )
    assert "department" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        routing.set_routing_rule(
            actor=bureau, category="logistics", region=world.luzhou, handler=world.other_user
        )
    assert "handler" in refused.value.errors
    assert not RoutingRule.objects.exists()
    rule = routing.set_routing_rule(
        actor=bureau, category="logistics", region=world.luzhou, handler=world.users["district"]
    )
    assert rule.handler == world.users["district"]


def test_a_problem_is_reassigned_only_to_a_department_serving_its_region(world: World) -> None:
    """The page offers the departments of the enterprise's region and above; the service
    refuses another city's (the API takes ids), and the problem stays where it was."""
    problem = file(world)
    yibin_transport = Department.objects.create(
        name="宜宾市交通运输局", kind="transport", region=world.yibin
    )
    with pytest.raises(InvalidInput) as refused:
        lifecycle.reassign_problem(
            actor=world.users["bureau"],
            problem_id=problem.pk,
            version=problem.version,
            reason="转办",
            department=yibin_transport,
        )
    assert "department" in refused.value.errors
    problem.refresh_from_db()
    assert (problem.department, problem.version) == (None, 1)
    moved = lifecycle.reassign_problem(
        actor=world.users["bureau"],
        problem_id=problem.pk,
        version=1,
        reason="转办",
        department=world.department,
    )
    assert moved.department == world.department
