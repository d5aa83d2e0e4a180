"""The page frame: language, menu by role, API docs served locally."""

from __future__ import annotations

from django.test import Client

from tests.conftest import World


def test_chinese_by_default_english_by_choice(world: World) -> None:
    client = world.client("district")
    del client.cookies["django_language"]  # as a new browser comes: no choice made yet
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/")["Content-Language"] == "en"


def test_menu_shows_only_what_the_role_opens(world: World) -> None:
    def menu(role: str) -> set[str]:
        groups = world.client(role).get("/").context["menu"]
        return {str(item["url"]) for _group, items in groups for item in items}

    bubble = {"/bubble/modes/", "/bubble/plans/", "/bubble/requests/", "/bubble/switching/"}
    registry = {"/enterprises/", "/imports/enterprises/"}
    places = {"/places/regions/", "/places/parks/", "/places/measures/"}
    assert menu("admin") >= registry | places | bubble | {"/people/", "/audit/"}
    assert menu("liaison") >= {"/enterprises/", *bubble - {"/bubble/switching/"}}
    assert not {"/imports/enterprises/", "/bubble/switching/", "/people/"} & menu("liaison")
    assert menu("checkpoint") >= places
    assert not (registry | bubble | {"/people/", "/audit/"}) & menu("checkpoint")
    assert menu("bureau") == menu("admin") - {"/people/"}


def test_home_counts_what_the_user_can_see(world: World) -> None:
    cards = world.client("district").get("/").context["cards"]
    counts = {str(card["url"]): card["count"] for card in cards}
    assert counts["/enterprises/"] == 1 and counts["/places/measures/"] == 1


def test_api_docs_use_local_files_not_a_cdn(db: object) -> None:
    page = Client().get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn." not in page
    schema = Client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Keepline API"
