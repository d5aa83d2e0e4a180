"""Every declared list answers the same on its page and in the API: the same filters, the same
refusals of bad values (400 naming the field), the same rows for each filter and sort."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from keepline.core.lists import LISTINGS, Listing
from tests.conftest import World

# Who reads the lists: the widest official role of the small world, and a district.
READERS = ("bureau", "district")

# Values no filter accepts unless it takes free text: a code that names nothing, a date in no
# calendar, and a control character.
BAD_VALUES = ("no-such-code-\x01", "2022-13-45")


def _walked() -> list[Listing[Any]]:
    # The URL modules import every app's selectors, which declare the lists.
    import keepline.urls  # noqa: F401

    return [listing for listing in LISTINGS if listing.page and listing.api]


def _count(response: Any) -> int:
    return int(response.context["page"].paginator.count)


@pytest.fixture(params=[listing.filename for listing in _walked()])
def listing(request: Any) -> Listing[Any]:
    return next(lst for lst in _walked() if lst.filename == request.param)


def test_every_list_has_a_page_and_an_api() -> None:
    declared = {listing.filename for listing in _walked()}
    assert "enterprises" in declared


def test_the_api_documents_the_pages_filters(world: World, listing: Listing[Any]) -> None:
    spec = json.loads(world.client("bureau").get("/api/openapi.json").content)
    operation = spec["paths"][listing.api]["get"]
    documented = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
    assert set(listing.filterset.base_filters) | {"sort"} <= documented


@pytest.mark.parametrize("role", READERS)
def test_page_and_api_agree_filter_by_filter(
    world: World, listing: Listing[Any], role: str
) -> None:
    client = world.client(role)
    page_url = reverse(listing.page)
    unfiltered = client.get(page_url)
    if unfiltered.status_code == 403:
        assert client.get(listing.api).status_code == 403
        return
    assert unfiltered.status_code == 200
    api = client.get(listing.api)
    assert api.status_code == 200
    assert api.json()["count"] == _count(unfiltered)
    refused = set()
    for name in listing.filterset.base_filters:
        for value in BAD_VALUES:
            query = {name: value}
            page, answer = client.get(page_url, query), client.get(listing.api, query)
            assert page.status_code == answer.status_code, (name, value)
            if answer.status_code == 400:
                assert name in answer.json()["errors"], (name, answer.json())
                assert name in page.context["filters"].errors
                refused.add(name)
            else:
                assert answer.json()["count"] == _count(page), (name, value)
    # Every filter that is not free text refused a value that names nothing.
    free_text = {
        n for n, f in listing.filterset.base_filters.items() if type(f).__name__ == "CharFilter"
    }
    assert refused == set(listing.filterset.base_filters) - free_text
    for key in listing.sorts:
        for sort in (key, f"-{key}"):
            page, answer = (
                client.get(page_url, {"sort": sort}),
                client.get(listing.api, {"sort": sort}),
            )
            assert page.status_code == answer.status_code == 200, sort
            assert answer.json()["count"] == _count(page)


def test_a_huge_page_number_is_the_last_page(world: World, listing: Listing[Any]) -> None:
    client = world.client("bureau")
    response = client.get(reverse(listing.page), {"page": "9" * 40})
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        page = response.context["page"]
        assert page.number == page.paginator.num_pages


def test_the_export_holds_the_filtered_rows(world: World, listing: Listing[Any]) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    client = world.client("bureau")
    page = client.get(reverse(listing.page))
    if page.status_code == 403:
        return
    export_name = listing.page.rsplit(":", 1)[0] + ":export" if ":" in listing.page else ""
    export_url = page.context.get("export_url") or (export_name and reverse(export_name))
    response = client.get(export_url)
    assert response.status_code == 200
    sheet = load_workbook(
        BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == [str(c.label) for c in listing.export_columns()]
    assert sheet.max_row - 1 == _count(page)


def test_a_scoped_dropdown_is_read_once_per_page(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client("bureau")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/enterprises/").status_code == 200
    region_reads = [q for q in queries if 'FROM "places_region"' in q["sql"]]
    park_reads = [q for q in queries if 'FROM "places_park"' in q["sql"]]
    assert len(park_reads) == 1, [q["sql"] for q in park_reads]
    assert len(region_reads) <= 2  # the dropdown, and the visibility of the bureau's region
