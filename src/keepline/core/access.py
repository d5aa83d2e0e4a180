"""How a model is reached by memberships: the declaration each model makes for `visible()`."""

from __future__ import annotations

from dataclasses import dataclass, field

Lookups = tuple[str, ...]


@dataclass(frozen=True)
class Access:
    """Which roles may do what to a model, and the lookups from the model to each kind of scope.

    A lookup is a Django field path from the model to a Region, Park, Enterprise, Department or
    User; "" names the object itself. An object is within a membership when any lookup of the
    membership's kind reaches the membership's object (for regions: anywhere in its subtree).
    `area_region`/`area_park` name the area an object covers (a control measure): for viewing,
    it is also within a region membership when it covers a region above the member's region.
    `owner_actions` are what a user may always do to objects reached through `user`.
    `unscoped` models (reference data) are wholly visible to every role in `rights`.
    `department_only` models are reached by a department membership through `department` alone:
    such a membership also carries its department's region (for the registry a department
    reads), which must not open every object of the region (problems routed elsewhere).
    """

    rights: dict[str, frozenset[str]] = field(default_factory=dict)
    region: Lookups = ()
    park: Lookups = ()
    enterprise: Lookups = ()
    department: Lookups = ()
    user: Lookups = ()
    area_region: Lookups = ()
    area_park: Lookups = ()
    owner_actions: frozenset[str] = frozenset()
    unscoped: bool = False
    department_only: bool = False

    def roles_for(self, action: str) -> frozenset[str]:
        return self.rights.get(action, frozenset())


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)
