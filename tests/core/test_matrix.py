"""The role matrix: every registered page and API operation × every role × own and foreign object.

Each app lists its endpoints in `tests/<app>/matrix.py` (or `matrix_<part>.py`); adding a URL or
an API operation without an entry there fails `test_every_endpoint_is_in_the_matrix`. The rules:
a foreign object answers 404, a visible one the user may not change answers 403, a capability
outside the role answers 403.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from keepline.api import api
from keepline.core.models import ApiToken, Upload
from tests.conftest import ROLES, World
from tests.matrix import Case

PAGES: dict[str, list[Case]] = {}
API: dict[str, list[Case]] = {}
PUBLIC: set[str] = set()
for path in sorted(Path(__file__).resolve().parent.parent.glob("*/matrix*.py")):
    module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
    PAGES |= module.PAGES
    API |= module.API
    PUBLIC |= getattr(module, "PUBLIC", set())


def registered_pages() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api":
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns)
    return names


def registered_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_endpoint_is_in_the_matrix() -> None:
    assert registered_pages() == set(PAGES) | PUBLIC
    assert registered_operations() == set(API)


def _call(client: Client, case: Case, w: World, which: str) -> Any:
    url = case.url(w, which)
    data = case.data(w, which) if case.data else None
    if case.json:
        kwargs: dict[str, Any] = {"content_type": "application/json"}
        if data is not None:
            kwargs["data"] = data
        return getattr(client, case.method)(url, **kwargs)
    return getattr(client, case.method)(url, data or {})


def _own_objects(w: World, role: str, which: str) -> None:
    """A token and an upload owned by the role's user (own) or by someone else (foreign)."""
    owner = w.users[role] if which == "own" else w.other_user
    token = ApiToken.objects.create(
        user=owner, name="t", key_prefix="kl_x", key_hash=f"{role}{which}"
    )
    upload = Upload.objects.create(
        user=owner, purpose="enterprises", filename="x.csv", content=b"uscc\n"
    )
    w.token_ids = {which: token.pk}  # type: ignore[attr-defined]
    w.upload_ids = {which: upload.pk}  # type: ignore[attr-defined]


def _run(case: Case, w: World, key: str) -> list[str]:
    failures = []
    for role in ROLES:
        for which in ("own", "foreign"):
            expected = (case.own if which == "own" or case.foreign is None else case.foreign)[role]
            sid = transaction.savepoint()
            _own_objects(w, role, which)
            w.current = w.users[role]  # type: ignore[attr-defined]
            client = w.client(role)
            response = _call(client, case, w, which)
            got = response.status_code
            if got != expected:
                failures.append(
                    f"{key} {case.method.upper()} {role}/{which}: expected {expected}, got {got}"
                )
            elif case.shows and got == 200:
                body = (
                    json.dumps(response.json(), ensure_ascii=False)
                    if case.json
                    else response.content.decode()
                )
                if (
                    which == "own"
                    and role in case.shows_own_for
                    and case.shows(w, "own") not in body
                ):
                    failures.append(f"{key} {role}: own object missing from the list")
                if which == "foreign" and role != "admin" and case.shows(w, "foreign") in body:
                    failures.append(f"{key} {role}: foreign object shown in the list")
            transaction.savepoint_rollback(sid)
    return failures


@pytest.mark.parametrize("key", sorted(PAGES))
def test_page_matrix(world: World, key: str) -> None:
    failures = [f for case in PAGES[key] for f in _run(case, world, key)]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("key", sorted(API))
def test_api_matrix(world: World, key: str) -> None:
    failures = [f for case in API[key] for f in _run(case, world, key)]
    assert not failures, "\n".join(failures)


def test_anonymous_is_sent_to_login_or_refused(world: World) -> None:
    _own_objects(world, "admin", "own")
    world.current = world.users["admin"]  # type: ignore[attr-defined]
    client = Client()
    for key, cases in PAGES.items():
        for case in cases:
            response = _call(client, case, world, "own")
            assert response.status_code in (302, 405), key
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"], key
    for key, cases in API.items():
        for case in cases:
            assert _call(client, case, world, "own").status_code == 401, key
