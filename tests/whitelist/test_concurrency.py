"""Two officials at once, for real: two threads, two database connections, the same step. One
wins; the other is told (409). Row locks need PostgreSQL (`make test-pg`); SQLite's test
database is one shared in-memory file without them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from keepline.core.scopes import SystemActor
from keepline.whitelist.models import CertificateSequence, WhitelistListing, WhitelistReview
from keepline.whitelist.services import listings as listing_services
from keepline.whitelist.services import reviews
from tests.conftest import World
from tests.race import POSTGRES_ROW_LOCKS, race
from tests.whitelist.conftest import submit

pytestmark = POSTGRES_ROW_LOCKS


def _slow(monkeypatch: Any, module: Any, name: str) -> None:
    """Hold the first caller inside its transaction for a moment after it has read the row, so
    the second reads it too unless the row is locked."""
    original = getattr(module, name)

    def slowed(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(module, name, slowed)


def test_two_officials_deciding_the_same_step_one_wins(
    world: World, transactional_db: Any, monkeypatch: Any
) -> None:
    app = submit(world)
    _slow(monkeypatch, reviews, "deciding_steps")

    def decide(role: str, decision: str, reasons: str = "") -> Callable[[], Any]:
        return lambda: reviews.decide_application(
            actor=world.users[role],
            application_id=app.pk,
            decision=decision,
            reasons=reasons,
            version=1,
        )

    assert race(decide("park", "approve"), decide("admin", "reject", "不符合条件")) == [
        "409",
        "won",
    ]
    app.refresh_from_db()
    assert app.version == 2
    assert WhitelistReview.objects.filter(application=app, step="inspection").count() == 1


def test_two_listings_at_once_take_different_numbers(
    world: World, transactional_db: Any, monkeypatch: Any
) -> None:
    actor = SystemActor("test")
    # The year's sequence exists already, as it does after the first listing of a year.
    CertificateSequence.objects.create(prefix="LZ", year=timezone.localdate().year)
    _slow(monkeypatch, listing_services, "active_listings")

    def list_(subject: Any) -> Callable[[], Any]:
        return lambda: listing_services.list_directly(
            actor=actor,
            subject=subject,
            level="city",
            category="key_industries",
            chain="白酒",
            reason="第一批",
        )

    assert race(list_(world.enterprise), list_(world.park)) == ["won", "won"]
    numbers = sorted(WhitelistListing.objects.values_list("number", flat=True))
    assert [n[-4:] for n in numbers] == ["0001", "0002"]
