"""Who sees which problems: the liaison its own enterprise's, a department what is routed to it,
officials their area, the handler what is assigned to them."""

from __future__ import annotations

import pytest

from keepline.core.errors import Forbidden, NotFound
from keepline.core.menu import items, opens
from keepline.core.scopes import holds
from keepline.problems import selectors
from keepline.problems.models import Problem
from keepline.problems.services import lifecycle
from tests.conftest import World
from tests.factories import UserFactory
from tests.problems.conftest import file


def test_a_liaison_never_sees_another_enterprises_problems(world: World) -> None:
    own = file(world)
    foreign = file(world, "admin", enterprise_id=world.foreign_enterprise.pk)
    liaison = world.users["liaison"]
    assert list(selectors.problems(liaison)) == [own]
    with pytest.raises(NotFound):
        selectors.problem(liaison, foreign.pk)
    with pytest.raises(NotFound):
        selectors.timeline(liaison, foreign.pk)
    with pytest.raises(NotFound):
        lifecycle.reopen_problem(actor=liaison, problem_id=foreign.pk, version=1, reason="x")


def test_a_department_sees_only_what_is_routed_to_it(world: World) -> None:
    department = world.users["department"]
    first = file(world)
    second = file(world)
    assert list(selectors.problems(department)) == []
    with pytest.raises(NotFound):
        lifecycle.accept_problem(actor=department, problem_id=first.pk, version=1)
    lifecycle.reassign_problem(
        actor=world.users["district"],
        problem_id=second.pk,
        version=1,
        reason="交通问题",
        department=world.department,
    )
    assert list(selectors.problems(department)) == [second]
    with pytest.raises(NotFound):
        selectors.problem(department, first.pk)
    # Visible but the enterprise's to confirm: 403, not 404.
    with pytest.raises(Forbidden):
        lifecycle.confirm_problem(actor=department, problem_id=second.pk, version=2, rating=5)


def test_officials_see_their_area(world: World) -> None:
    own = file(world)
    foreign = file(world, "admin", enterprise_id=world.foreign_enterprise.pk)
    for role in ["bureau", "district", "park", "commissioner", "leader"]:
        assert list(selectors.problems(world.users[role])) == [own], role
    assert list(selectors.problems(world.other_user)) == [foreign]  # type: ignore[arg-type]
    assert set(selectors.problems(world.users["admin"])) == {own, foreign}
    assert list(selectors.problems(world.users["checkpoint"])) == []
    assert list(selectors.problems(world.users["bureau"], region="510502")) == [own]
    assert list(selectors.problems(world.users["bureau"], region="510503")) == []


def test_a_named_handler_sees_and_handles_what_is_assigned_to_them(world: World) -> None:
    helper = UserFactory(username="helper")
    own = file(world)
    other = file(world)
    assert list(selectors.problems(helper)) == []
    lifecycle.reassign_problem(
        actor=world.users["bureau"], problem_id=own.pk, version=1, reason="专人", handler=helper
    )
    assert list(selectors.problems(helper)) == [own]
    accepted = lifecycle.accept_problem(actor=helper, problem_id=own.pk, version=2)
    assert accepted.status == "accepted"
    with pytest.raises(NotFound):
        lifecycle.accept_problem(actor=helper, problem_id=other.pk, version=1)


def test_a_department_membership_does_not_open_its_region_but_opens_the_menu(
    world: World,
) -> None:
    """A department membership carries the department's region (for the registry); problems
    are reached by it only through the department they are routed to. It still holds the right
    to view problems, so the menu offers the list, and may pass a routed problem on."""
    department = world.users["department"]
    routed = file(world)
    lifecycle.reassign_problem(
        actor=world.users["bureau"],
        problem_id=routed.pk,
        version=1,
        reason="交通问题",
        department=world.department,
    )
    file(world)  # same region, not routed to it
    assert list(selectors.problems(department)) == [routed]
    assert holds(department, Problem)
    assert "problems:list" in [i.url_name for i in items() if opens(department, i)]
    passed = lifecycle.reassign_problem(
        actor=department,
        problem_id=routed.pk,
        version=2,
        reason="属能源问题",
        handler=world.users["commissioner"],
    )
    assert passed.department is None
    assert list(selectors.problems(department)) == []
