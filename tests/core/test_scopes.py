"""The one visibility function's lookup of a single object by its key."""

from __future__ import annotations

import pytest

from keepline.core.errors import NotFound
from keepline.core.scopes import get_for
from keepline.enterprises.models import Enterprise
from tests.conftest import World


@pytest.mark.parametrize("key", ["abc", None, 0, -1, 10**20, "99999999999999999999"])
def test_a_key_that_names_no_row_is_not_found(world: World, key: object) -> None:
    with pytest.raises(NotFound):
        get_for(Enterprise.objects.all(), world.users["admin"], key)


def test_a_key_past_the_largest_one_is_not_found_on_a_page(world: World) -> None:
    # The database would refuse the number itself (SQLite: OverflowError; PostgreSQL: out of
    # range): the page answers 404 instead of failing.
    response = world.client("admin").get("/chains/scenarios/99999999999999999999/")
    assert response.status_code == 404


def test_the_key_in_text_finds_the_row(world: World) -> None:
    found = get_for(Enterprise.objects.all(), world.users["admin"], str(world.enterprise.pk))
    assert found == world.enterprise


def test_a_filter_naming_a_key_past_the_largest_one_is_refused_not_failed(world: World) -> None:
    response = world.client("bureau").get("/chains/links/?enterprise=99999999999999999999")
    assert response.status_code in (200, 400)
