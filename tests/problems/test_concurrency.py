"""Two handlers accepting the same problem at once, for real: two threads, two connections. One
wins; the other is told (409). Row locks need PostgreSQL (`make test-pg`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from keepline.problems.models import ProblemEvent
from keepline.problems.services import lifecycle
from tests.conftest import World
from tests.problems.conftest import file
from tests.race import POSTGRES_ROW_LOCKS, race

pytestmark = POSTGRES_ROW_LOCKS


def test_two_handlers_accepting_at_once_one_wins(
    world: World, transactional_db: Any, monkeypatch: Any
) -> None:
    problem = file(world)
    original = lifecycle._lock

    def slowed(*args: Any, **kwargs: Any) -> Any:
        # Hold the first caller after its read, so the second reads too unless the row is locked.
        found = original(*args, **kwargs)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(lifecycle, "_lock", slowed)

    def accept(role: str) -> Callable[[], Any]:
        return lambda: lifecycle.accept_problem(
            actor=world.users[role], problem_id=problem.pk, version=1
        )

    assert race(accept("commissioner"), accept("district")) == ["409", "won"]
    problem.refresh_from_db()
    assert (problem.status, problem.version) == ("accepted", 2)
    assert ProblemEvent.objects.filter(problem=problem, kind="accepted").count() == 1
