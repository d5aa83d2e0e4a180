"""Shared parts of the role matrix: role sets, the Case of one endpoint, and URL helpers.

Each app lists its endpoints in `tests/<app>/matrix.py` (PAGES by URL name, API by operation);
`tests/core/test_matrix.py` collects them and fails on any endpoint left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


def obj(kind: str, attr: str = "pk") -> Callable[[World, str], Any]:
    return lambda w, which: getattr(getattr(w, kind if which == "own" else f"foreign_{kind}"), attr)


def url(template: str, kind: str, attr: str = "pk") -> Callable[[World, str], str]:
    get = obj(kind, attr)
    return lambda w, which: template.format(get(w, which))


def static(url: str) -> Callable[[World, str], str]:
    return lambda w, which: url


def foreign(ok: int) -> dict[str, int]:
    return {r: ok if r == "admin" else 404 for r in ROLES}
