"""The role matrix: every registered page and API operation × every role × own and foreign object.

Each app lists its endpoints in `tests/<app>/matrix.py` (or `matrix_<part>.py`); adding a URL or
an API operation without an entry there fails `test_every_endpoint_is_in_the_matrix`. The rules:
a foreign object answers 404, a visible one the user may not change answers 403, a capability
outside the role answers 403. A page is walked with every method it takes (a form page with GET
and POST), and a refused call writes nothing.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from keepline.api import api
from keepline.core.models import ApiToken, AuditEvent, Upload
from tests.conftest import ROLES, World
from tests.matrix import Case, Static

PAGES: dict[str, list[Case]] = {}
API: dict[str, list[Case]] = {}
PUBLIC: set[str] = set()
for path in sorted(Path(__file__).resolve().parent.parent.glob("*/matrix*.py")):
    module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
    PAGES |= module.PAGES
    API |= module.API
    PUBLIC |= getattr(module, "PUBLIC", set())


def registered_pages() -> dict[str, Callable[..., Any]]:
    """Every named page with its view."""
    views: dict[str, Callable[..., Any]] = {}

    def walk(patterns: list[Any], namespace: str = "") -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "api":
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                views[namespace + p.name] = p.callback

    walk(get_resolver().url_patterns)
    return views


def _allowed_methods(view: Callable[..., Any]) -> set[str] | None:
    """The methods a `require_http_methods` (or `require_POST`) around the view lets through;
    None if nothing restricts them."""
    f: Any = view
    while f is not None:
        for cell in f.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list | tuple) and value and all(m in METHODS for m in value):
                return set(value)
        f = getattr(f, "__wrapped__", None)
    return None


METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
_READS_A_POST = re.compile(r"request\.(POST|FILES)\b|\"POST\"")


def _reads_a_post(view: Callable[..., Any], depth: int = 0) -> bool:
    """Whether the view (or a helper of its module it hands the request to) handles a POST."""
    f = inspect.unwrap(view)
    source = inspect.getsource(f)
    if _READS_A_POST.search(source):
        return True
    for name in set(re.findall(r"\b(\w+)\(\s*request\b", source)) if depth < 2 else ():
        helper = f.__globals__.get(name)
        if inspect.isfunction(helper) and helper is not f and _reads_a_post(helper, depth + 1):
            return True
    return False


def accepted_methods(view: Callable[..., Any]) -> set[str]:
    allowed = _allowed_methods(view)
    if allowed is not None:
        return allowed - {"HEAD"}
    return {"GET", "POST"} if _reads_a_post(view) else {"GET"}


def registered_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_endpoint_is_in_the_matrix() -> None:
    assert set(registered_pages()) == set(PAGES) | PUBLIC
    assert registered_operations() == set(API)


def test_every_method_a_page_takes_is_walked() -> None:
    unwalked = {
        name: sorted(accepted_methods(view) - {case.method.upper() for case in PAGES[name]})
        for name, view in registered_pages().items()
        if name in PAGES
    }
    assert {name: methods for name, methods in unwalked.items() if methods} == {}


def _call(client: Client, case: Case, w: World, which: str, url: str | None = None) -> Any:
    url = case.url(w, which) if url is None else url
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


def _sides(case: Case) -> tuple[str, ...]:
    """Both sides, unless nothing tells them apart: no object, no list, no posted data."""
    alike = case.foreign is None and case.shows is None and case.data is None
    return ("own",) if alike and isinstance(case.url, Static) else ("own", "foreign")


def _run(case: Case, w: World, key: str) -> list[str]:
    failures = []
    walk = transaction.savepoint()
    if case.made_once:
        for which in ("own", "foreign"):
            case.url(w, which)
    for role in ROLES:
        for which in _sides(case):
            expected = (case.own if which == "own" or case.foreign is None else case.foreign)[role]
            sid = transaction.savepoint()
            _own_objects(w, role, which)
            w.current = w.users[role]  # type: ignore[attr-defined]
            client = w.client(role)
            url = case.url(w, which)  # making the object may be audited
            audited = AuditEvent.objects.count()
            response = _call(client, case, w, which, url)
            got = response.status_code
            if got != expected:
                failures.append(
                    f"{key} {case.method.upper()} {role}/{which}: expected {expected}, got {got}"
                )
            elif got >= 400 and AuditEvent.objects.count() != audited:
                failures.append(f"{key} {case.method.upper()} {role}/{which}: {got}, yet written")
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
    transaction.savepoint_rollback(walk)
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
