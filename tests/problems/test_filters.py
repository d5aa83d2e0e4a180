"""The problem list's filters (page, Excel ledger, API): whole days in Asia/Shanghai, the
assigned department or handler, "open" as one status, acknowledged and on time, rated; bad
values named at their field; the less common filters folded away on a phone."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from keepline.problems.models import Problem
from tests.conftest import TZ, World
from tests.problems.support import make


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2022, 9, day, hour, minute, tzinfo=TZ)


def _listed(client: Client, query: str) -> set[int]:
    page = client.get(f"/problems/?{query}")
    assert page.status_code == 200, (query, page.status_code)
    return {p.pk for p, _state in page.context["rows"]}


def _api(client: Client, query: str) -> set[int]:
    body = client.get(f"/api/problems?{query}").json()
    return {p["id"] for p in body["items"]}


def _ledger(client: Client, query: str) -> list[dict[str, Any]]:
    response = client.get(f"/problems/export.xlsx?{query}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture
def ledger(world: World) -> dict[str, Problem]:
    e = world.enterprise
    return {
        # Filed late on 15 Sep in Shanghai (15:30 UTC); accepted in time, replied in time,
        # closed on 16 Sep just after midnight, rated 5; the department's.
        "late15": make(
            e,
            "logistics",
            at(15, 23, 30),
            accepted_at=at(15, 23, 40),
            replied_at=at(15, 23, 50),
            closed_at=at(16, 0, 10),
            rating=5,
            department=world.department,
        ),
        # Filed just after midnight on 16 Sep (still 15 Sep in UTC); accepted two hours
        # late, final reply after the close deadline, rated 3; a named handler.
        "early16": make(
            e,
            "energy",
            at(16, 0, 10),
            accepted_at=at(16, 3, 10),
            replied_at=at(24, 9),
            close_due=at(23, 0, 10),
            closed_at=at(25, 9),
            rating=3,
            handler=world.users["commissioner"],
        ),
        # Accepted, no department, no handler.
        "accepted": make(e, "labour", at(17, 9), accepted_at=at(17, 9, 30)),
        # Submitted, never acknowledged.
        "submitted": make(e, "labour", at(18, 9)),
        # Replied in time, waiting for the enterprise.
        "replied": make(e, "other", at(18, 10), accepted_at=at(18, 10, 5), replied_at=at(19, 9)),
    }


def test_dates_are_whole_days_in_shanghai(world: World, ledger: dict[str, Problem]) -> None:
    ids = {k: p.pk for k, p in ledger.items()}
    client = world.client("district")
    assert _listed(client, "filed_from=2022-09-15&filed_to=2022-09-15") == {ids["late15"]}
    assert _listed(client, "filed_from=2022-09-16&filed_to=2022-09-16") == {ids["early16"]}
    assert _listed(client, "filed_to=2022-09-17") == {
        ids["late15"],
        ids["early16"],
        ids["accepted"],
    }
    assert _listed(client, "accepted_from=2022-09-16&accepted_to=2022-09-17") == {
        ids["early16"],
        ids["accepted"],
    }
    assert _listed(client, "closed_from=2022-09-16&closed_to=2022-09-16") == {ids["late15"]}
    assert _listed(client, "closed_from=2022-09-17") == {ids["early16"]}
    # The API takes the same.
    assert _api(client, "filed_from=2022-09-16&filed_to=2022-09-16") == {ids["early16"]}
    assert _api(client, "closed_to=2022-09-16") == {ids["late15"]}


def test_assignment_open_and_the_figures_flags(world: World, ledger: dict[str, Problem]) -> None:
    ids = {k: p.pk for k, p in ledger.items()}
    client = world.client("district")
    cases = {
        f"department={world.department.pk}": {"late15"},
        "department=handler": {"early16"},
        "department=unassigned": {"accepted", "submitted", "replied"},
        "status=open": {"accepted", "submitted"},
        "status=accepted": {"accepted"},
        "acknowledged=yes": {"late15", "early16", "accepted", "replied"},
        "acknowledged_on_time=yes": {"late15", "accepted", "replied"},
        "on_time=yes": {"late15", "replied"},
        "on_time=yes&status=closed": {"late15"},
        "rating=any": {"late15", "early16"},
        "rating=4-5": {"late15"},
        "status=open&department=unassigned&acknowledged=yes": {"accepted"},
    }
    for query, expected in cases.items():
        want = {ids[k] for k in expected}
        assert _listed(client, query) == want, query
        assert _api(client, query) == want, query


def test_the_ledger_follows_the_filters(world: World, ledger: dict[str, Problem]) -> None:
    client = world.client("district")
    rows = _ledger(client, "department=handler")
    assert [r["No."] for r in rows] == [ledger["early16"].pk]
    assert rows[0]["Assigned to"] == "commissioner"
    rows = _ledger(client, "status=open&sort=filed")
    assert [r["No."] for r in rows] == [ledger["accepted"].pk, ledger["submitted"].pk]
    assert len(_ledger(client, "")) == 5


BAD = [
    ("status", "pending"),
    ("department", "transport"),
    ("department", "999999"),
    # isdigit() passes it, int() does not.
    ("department", "²"),
    ("filed_from", "2022-13-01"),
    ("closed_to", "yesterday"),
    ("accepted_from", "2022-09-31"),
    ("on_time", "no"),
    ("acknowledged", "1"),
    ("acknowledged_on_time", "true"),
    ("rating", "5"),
]


@pytest.mark.parametrize(("field", "value"), BAD)
def test_a_bad_value_is_named_at_its_field(
    world: World, ledger: dict[str, Problem], field: str, value: str
) -> None:
    client = world.client("district")
    page = client.get(f"/problems/?{field}={value}")
    assert page.status_code == 400
    assert f'data-field-error="{field}"' in page.content.decode()
    # The page ignores the bad filter and lists the rest; the ledger and the API refuse rather
    # than answer with more problems than asked for.
    assert len(page.context["rows"]) == 5
    api = client.get(f"/api/problems?{field}={value}")
    assert api.status_code == 400
    assert field in api.json()["errors"]
    assert client.get(f"/problems/export.xlsx?{field}={value}").status_code == 400


def test_a_period_whose_first_day_is_after_its_last_is_refused(world: World) -> None:
    client = world.client("district")
    page = client.get("/problems/?closed_from=2022-09-20&closed_to=2022-09-10")
    assert page.status_code == 400
    assert 'data-field-error="closed_from"' in page.content.decode()
    body = client.get("/api/problems?filed_from=2022-09-20&filed_to=2022-09-10").json()
    assert body["errors"] == {"filed_from": ["The first day is after the last."]}


def test_a_department_id_is_offered_only_where_the_user_has_its_problems(
    world: World, ledger: dict[str, Problem]
) -> None:
    html = world.client("district").get("/problems/").content.decode()
    assert f'<option value="{world.department.pk}">' in html
    # Yibin's district sees none of these problems, so not the department; asked for it by a
    # link, it gets an empty list, not an error.
    other = Client()
    assert world.other_user is not None
    other.force_login(world.other_user)
    other.cookies["django_language"] = "en"
    page = other.get("/problems/")
    assert f'<option value="{world.department.pk}">' not in page.content.decode()
    asked = other.get(f"/problems/?department={world.department.pk}")
    assert asked.status_code == 200 and len(asked.context["rows"]) == 0
    # Nor does the id in the query string put the foreign department's name in the select.
    assert world.department.name not in asked.content.decode()


def test_the_less_common_filters_fold_away(world: World, ledger: dict[str, Problem]) -> None:
    client = world.client("district")
    html = client.get("/problems/").content.decode()
    bar, more = html.split('id="more-filters"', 1)
    for name in ("status", "category", "deadline", "region"):
        assert f'name="{name}"' in bar
    for name in ("park", "tier", "whitelisted", "department", "filed_from", "closed_to", "rating"):
        assert f'name="{name}"' in more and f'name="{name}"' not in bar
    assert '<details id="more-filters">' in html  # folded
    html = client.get("/problems/?rating=any&filed_from=2022-09-01").content.decode()
    assert '<details id="more-filters" open>' in html and "More filters (2)" in html


def test_a_filter_changed_in_place_moves_the_export_link(world: World) -> None:
    client = world.client("district")
    page = client.get("/problems/?status=open&department=unassigned", HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="export-link" hx-swap-oob="true"' in html
    assert "/problems/export.xlsx?status=open&amp;department=unassigned" in html
    bad = client.get("/problems/?rating=5", HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert 'id="filter-error-rating" class="small text-danger" hx-swap-oob="true"' in (
        bad.content.decode()
    )


def test_one_enterprises_problems_from_its_page(world: World, ledger: dict[str, Problem]) -> None:
    """The enterprise page links to /problems/?enterprise=<id>: only its problems, with a label
    to remove the filter; an enterprise out of sight answers 404, on the page and the API."""
    foreign = make(world.foreign_enterprise, "labour", at(18, 9))
    admin = Client()
    admin.force_login(world.users["admin"])
    own = f"enterprise={world.enterprise.pk}"
    assert _listed(admin, own) == {p.pk for p in ledger.values()}
    assert _listed(admin, f"enterprise={world.foreign_enterprise.pk}") == {foreign.pk}
    assert _api(admin, own) == {p.pk for p in ledger.values()}
    page = admin.get(f"/problems/?{own}&status=submitted")
    assert world.enterprise.name in page.content.decode()
    assert page.context["unfiltered"] == "status=submitted"
    district = Client()
    district.force_login(world.users["district"])
    assert _listed(district, own) == {p.pk for p in ledger.values()}
    assert district.get(f"/problems/?enterprise={world.foreign_enterprise.pk}").status_code == 404
    assert (
        district.get(f"/api/problems?enterprise={world.foreign_enterprise.pk}").status_code == 404
    )
    assert district.get("/problems/export.xlsx?enterprise=x").status_code == 400
