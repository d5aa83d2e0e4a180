"""The done visits: the one list the auto-walk (tests/core/test_lists.py) does not take, since
the page and the API name it with `list=done`. Its page and its API accept the same filters,
refuse the same values and give the same rows in the same order."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from keepline.service.selectors.visits import DONE_VISITS
from keepline.service.services.visits import record_visit
from tests.conftest import World


def _page_ids(response: Any) -> list[int]:
    return [v.pk for v in response.context["page"]]


def test_done_visits_agree_on_page_and_api(world: World) -> None:
    admin = world.users["admin"]
    for days in (3, 1):
        record_visit(
            actor=admin,
            enterprise=world.enterprise,
            visited_at=timezone.now() - dt.timedelta(days=days),
            findings="f",
        )
    client = world.client("bureau")
    queries: list[dict[str, str]] = [
        {},
        {"q": world.enterprise.name[:2]},
        {"visitor": "admin"},
        {"visitor": "nobody"},
        {"date_from": timezone.localdate().isoformat()},
        {"date_to": timezone.localdate().isoformat()},
        {"enterprise": str(world.enterprise.pk)},
    ]
    queries += [{"sort": s} for key in DONE_VISITS.sorts for s in (key, f"-{key}")]
    for query in queries:
        page = client.get("/service/visits/", {"list": "done", **query})
        api = client.get("/api/service/visits", {"list": "done", **query})
        assert page.status_code == api.status_code == 200, query
        assert _page_ids(page) == [v["id"] for v in api.json()["items"]], query
    # The default order is the latest first.
    latest = client.get("/api/service/visits", {"list": "done"}).json()["items"]
    assert latest[0]["visited_at"] > latest[1]["visited_at"]
    for name, value in (("date_from", "2022-13-45"), ("enterprise", "x")):
        page = client.get("/service/visits/", {"list": "done", name: value})
        api = client.get("/api/service/visits", {"list": "done", name: value})
        assert page.status_code == api.status_code == 400
        assert name in api.json()["errors"] and name in page.context["filters"].errors
    foreign = str(world.foreign_enterprise.pk)
    assert client.get("/api/service/visits", {"enterprise": foreign}).status_code == 404
