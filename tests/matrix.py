"""Shared parts of the role matrix: role sets, the Case of one endpoint, and URL helpers.

Each app lists its endpoints in `tests/<app>/matrix.py` (PAGES by URL name, API by operation);
`tests/core/test_matrix.py` collects them and fails on any endpoint left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from tests.conftest import ROLES, World

ALL = set(ROLES)
OFFICIALS = {"admin", "bureau", "district", "park", "department", "health", "leader"}
REGISTRY = {
    "admin",
    "bureau",
    "district",
    "park",
    "commissioner",
    "department",
    "liaison",
    "health",
    "leader",
}
REGISTRY_CHANGE = {"admin", "bureau", "district", "park", "liaison"}
REGISTRY_CREATE = REGISTRY_CHANGE - {"liaison"}  # a liaison's scope is one enterprise
PERSONAL = {"admin", "bureau", "district", "park", "commissioner", "liaison"}
PLACE_VIEW = OFFICIALS | {"checkpoint"}
PARK_VIEW = PLACE_VIEW | {"commissioner"}
PARK_CHANGE = {"admin", "bureau", "district", "park"}
MEASURE_CHANGE = {"admin", "bureau", "district"}
AUDIT = {"admin", "bureau"}


def statuses(ok: int, allowed: set[str], denied: int = 403) -> dict[str, int]:
    return {role: ok if role in allowed else denied for role in ROLES}


def object_statuses(ok: int, view: set[str], change: set[str] | None = None) -> dict[str, int]:
    """For an object the role's scope holds: ok if it may act, 403 if it only sees it, else 404."""
    change = view if change is None else change
    return {r: ok if r in change else 403 if r in view else 404 for r in ROLES}


@dataclass
class Case:
    """One endpoint: how to call it for an own or a foreign object, and what each role gets."""

    method: str
    url: Callable[[World, str], str]
    own: dict[str, int]
    foreign: dict[str, int] | None = None  # None: the endpoint has no object (same as own)
    data: Callable[[World, str], Any] | None = None
    # List endpoints: a 200 must show the own object (for these roles) and never a foreign one.
    shows: Callable[[World, str], str] | None = None
    shows_own_for: set[str] = field(default_factory=set)
    json: bool = False
    # `url` finds the objects it made before: they are made once for the walk, before the first
    # call (each call is still rolled back), rather than again for every role.
    made_once: bool = False


def obj(kind: str, attr: str = "pk") -> Callable[[World, str], Any]:
    return lambda w, which: getattr(getattr(w, kind if which == "own" else f"foreign_{kind}"), attr)


def url(template: str, kind: str, attr: str = "pk") -> Callable[[World, str], str]:
    get = obj(kind, attr)
    return lambda w, which: template.format(get(w, which))


@dataclass(frozen=True)
class Static:
    """A URL without an object: the same for the own and the foreign side."""

    url: str

    def __call__(self, w: World, which: str) -> str:
        return self.url


def static(url: str) -> Static:
    return Static(url)


def foreign(ok: int) -> dict[str, int]:
    return {r: ok if r == "admin" else 404 for r in ROLES}


def form_page(get: Case, posted: int = 200) -> list[Case]:
    """A page that shows a form (GET) and takes it back (POST). Posted empty, it answers each
    role as GET did, except that whoever GET showed the form gets it back with the errors
    (`posted`); the matrix checks that nothing is written."""

    def post(statuses: dict[str, int]) -> dict[str, int]:
        return {role: posted if got == 200 else got for role, got in statuses.items()}

    return [
        get,
        replace(
            get,
            method="post",
            own=post(get.own),
            foreign=None if get.foreign is None else post(get.foreign),
            data=None,
        ),
    ]
