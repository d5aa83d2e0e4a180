"""Two people at once, for real: each call in its own thread and database connection, released
together. Row locks need PostgreSQL (`make test-pg`); SQLite's test database is one shared
in-memory file without them, so these tests are skipped there."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from keepline.core.errors import Conflict

POSTGRES_ROW_LOCKS = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (make test-pg)"
    ),
]


def race(*calls: Callable[[], Any]) -> list[str]:
    """Run the calls at the same moment in their own threads; what each got ("won" or "409")."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = []

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
            results.append("won")
        except Conflict:
            results.append("409")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)
