"""The demo logins: one per role, each with the memberships that give it its scope."""

from __future__ import annotations

import random
from typing import Any

from keepline.core import services as core_services
from keepline.core.models import DepartmentKind, Role, User
from keepline.core.scopes import SystemActor
from keepline.demo.city.places import HJ, JY, Places
from keepline.demo.common import person_name
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park

DEMO_PASSWORD = "keepline-demo-2022"

# The demo logins in the order they are printed: username, role, office (for the display name).
PEOPLE = (
    ("admin", Role.ADMIN, "平台管理员"),
    ("bureau", Role.BUREAU, "市经信局工作专班"),
    ("district", Role.DISTRICT, "江阳区经信局"),
    ("park", Role.PARK, "泸州高新区管委会"),
    ("commissioner", Role.COMMISSIONER, "驻企服务专员"),
    ("department", Role.DEPARTMENT, "市交通运输局"),
    ("liaison", Role.LIAISON, "企业联络员"),
    ("checkpoint", Role.CHECKPOINT, "合江县防疫卡口"),
    ("health", Role.HEALTH, "市卫生健康委"),
    ("leader", Role.LEADER, "市领导"),
)
COMMISSIONER_ENTERPRISES = 5
DEPARTMENT = ("泸州市交通运输局", DepartmentKind.TRANSPORT)


def build_people(
    rng: random.Random,
    actor: SystemActor,
    places: Places,
    parks: dict[str, Park],
    enterprises: list[Enterprise],
) -> int:
    """One login per role, with the memberships that give it its scope."""
    by_size = sorted(enterprises, key=lambda e: (-e.annual_output, e.uscc))
    jiangyang = places.districts[JY].path
    name, kind = DEPARTMENT
    department = core_services.create_department(
        actor=actor, name=name, kind=kind, region=places.city
    )
    targets: dict[str, list[Any]] = {
        "admin": [None],
        "bureau": [places.city],
        "district": [places.districts[JY]],
        "park": [parks["LZ-HIGHTECH"]],
        "commissioner": by_size[:COMMISSIONER_ENTERPRISES],
        "department": [department],
        "liaison": [
            next(
                e
                for e in by_size
                if e.industry.code == "15" and e.region.path.startswith(jiangyang)
            )
        ],
        "checkpoint": [places.districts[HJ]],
        "health": [places.city],
        "leader": [places.city],
    }
    for username, role, office in PEOPLE:
        user = core_services.create_user(
            actor=actor,
            username=username,
            password=DEMO_PASSWORD,
            display_name=f"{person_name(rng)}（{office}）",
        )
        for target in targets[username]:
            core_services.add_membership(actor=actor, user=user, role=role, target=target)
    return len(PEOPLE)


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, scope) of the demo logins present in the database, in PEOPLE order."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[p[0] for p in PEOPLE]).prefetch_related(
            "memberships__region",
            "memberships__park",
            "memberships__enterprise",
            "memberships__department",
        )
    }
    logins = []
    for username, role, _office in PEOPLE:
        user = users.get(username)
        if user is None:
            continue
        held = [m for m in user.memberships.all() if m.role == role]
        # A department membership also names the department's region: the department is the scope.
        targets = [str(m.department or m.enterprise or m.park or m.region or "") for m in held]
        targets = [t for t in targets if t] or ["—"]
        scope = targets[0] + (f" (+{len(targets) - 1})" if len(targets) > 1 else "")
        logins.append((username, str(role.label), scope))
    return logins
