"""Two people finishing the same visit or ending the same coverage at once: one wins, the other
is told (409). Row locks need PostgreSQL (`make test-pg`)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from keepline.service.models import CoverageKind, Visit, VisitStatus
from keepline.service.selectors.coverage import local_today
from keepline.service.services import coverage as coverage_services
from keepline.service.services import visits as visit_services
from keepline.service.services.coverage import assign_coverage, end_coverage
from keepline.service.services.visits import cancel_visit, complete_visit, plan_visit
from tests.conftest import World
from tests.race import POSTGRES_ROW_LOCKS, race
from tests.service.conftest import person

pytestmark = POSTGRES_ROW_LOCKS


def _slow(monkeypatch: Any, module: Any, name: str) -> None:
    """Hold each caller a moment after it has read the row, so that without the lock the second
    would read it too."""
    original = getattr(module, name)

    def slowed(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(module, name, slowed)


def test_finishing_and_cancelling_the_same_visit_at_once(
    world: World, transactional_db: Any, monkeypatch: Any
) -> None:
    visit = plan_visit(
        actor=world.users["commissioner"],
        enterprise=world.enterprise,
        planned_for=local_today() + dt.timedelta(days=1),
        purpose="走访",
    )
    _slow(monkeypatch, visit_services, "get_visit")

    def finish() -> None:
        complete_visit(
            actor=world.users["commissioner"],
            visit_id=visit.pk,
            visited_at=timezone.now(),
            findings="正常",
            version=1,
        )

    def cancel() -> None:
        cancel_visit(actor=world.users["district"], visit_id=visit.pk, reason="改期", version=1)

    assert race(finish, cancel) == ["409", "won"]
    visit = Visit.objects.get(pk=visit.pk)
    assert visit.version == 2
    assert visit.status in {VisitStatus.DONE, VisitStatus.CANCELLED}


def test_ending_the_same_coverage_twice_at_once(
    world: World, transactional_db: Any, monkeypatch: Any
) -> None:
    coverage = assign_coverage(
        actor=world.users["district"],
        kind=CoverageKind.ENTERPRISE,
        user=person("zhang"),
        enterprise=world.enterprise,
    )
    _slow(monkeypatch, coverage_services, "get_for")

    def end(role: str) -> Callable[[], Any]:
        return lambda: end_coverage(actor=world.users[role], coverage_id=coverage.pk)

    assert race(end("district"), end("bureau")) == ["409", "won"]
