"""The demo's people and service network: the logins' colleagues, the holiday calendar, the
routing rules, who covers which enterprise, area and project, and the working groups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keepline.core import services as core_services
from keepline.core.models import Department, DepartmentKind, Role, User
from keepline.demo.common import person_name
from keepline.demo.problems.state import Base
from keepline.demo.problems.stories import (
    AREA_SINCE,
    COMMERCE,
    COMMISSIONERS,
    COVERED_SINCE,
    DEMO_COVERS,
    GL,
    GRID,
    GROUP_SIZE,
    HANDOVER,
    HOLIDAYS,
    JY,
    LARGE,
    LEADER_AREAS,
    MAKE_UP_DAYS,
    PROJECT_SINCE,
    STATIC,
    UNCOVERED_EVERY,
    XY,
)
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.problems.models import ProblemCategory
from keepline.problems.services import calendar as problem_calendar
from keepline.problems.services import routing as problem_routing
from keepline.service.models import CoverageKind
from keepline.service.services.coverage import assign_coverage
from keepline.service.services.groups import create_working_group
from keepline.service.services.projects import create_key_project


class Cast(Base):
    """The people and the network the problems are played among."""

    # -- people ------------------------------------------------------------------------------

    def load(self) -> None:
        users = {u.username: u for u in User.objects.all()}
        self.bureau = users["bureau"]
        self.district = users["district"]
        self.park_user = users["park"]
        self.demo_commissioner = users["commissioner"]
        self.liaison = users["liaison"]
        self.leader = users["leader"]
        membership = self.liaison.memberships.filter(role=Role.LIAISON).first()
        if membership is None or membership.enterprise is None:
            raise RuntimeError("The demo liaison login has no enterprise.")
        self.liaison_enterprise_id = membership.enterprise_id
        regions = Region.objects.filter(code__in=[*STATIC, XY, GL, "510000", "510500"])
        self.regions = {r.code: r for r in regions}
        self.parks = {p.code: p for p in Park.objects.all()}
        self.enterprises = list(
            Enterprise.objects.select_related("region", "park", "industry").order_by("uscc")
        )
        self.by_pk = {e.pk: e for e in self.enterprises}
        self.by_size = sorted(
            (e for e in self.enterprises if e.above_size), key=lambda e: (-e.annual_output, e.uscc)
        )

    def _user(self, username: str, office: str, role: str, target: Any) -> User:
        user = core_services.create_user(
            actor=self.actor,
            username=username,
            password=self.password,
            display_name=f"{person_name(self.rng)}（{office}）",
        )
        if role:
            core_services.add_membership(actor=self.actor, user=user, role=role, target=target)
        return user

    def people(self) -> None:
        city = self.regions["510500"]
        self.transport = Department.objects.filter(kind=DepartmentKind.TRANSPORT).order_by("pk")[0]
        self.grid = core_services.create_department(
            actor=self.actor, name=GRID[0], kind=GRID[1], region=city
        )
        self.commerce = core_services.create_department(
            actor=self.actor, name=COMMERCE[0], kind=COMMERCE[1], region=city
        )
        self.members = {
            self.transport.pk: User.objects.get(username="department"),
            self.grid.pk: self._user("grid01", GRID[0], Role.DEPARTMENT, self.grid),
        }
        self.commissioners = [self.demo_commissioner] + [
            self._user(f"commissioner{n:02d}", "驻企服务专员", "", None)
            for n in range(2, COMMISSIONERS + 2)
        ]
        self.leaders = [self.leader] + [
            self._user(f"leader{n:02d}", "市领导", Role.LEADER, city)
            for n in range(2, len(LEADER_AREAS) + 1)
        ]
        province = self.regions["510000"]
        self.group = [
            self._user(f"sc-wg{n:02d}", "省经济和信息化厅督导组", Role.LEADER, province)
            for n in range(1, GROUP_SIZE + 1)
        ]
        # The very objects that act, so that their memberships are fetched once.
        acting = [self.bureau, self.district, self.park_user, self.liaison, *self.commissioners]
        self.users = {u.pk: u for u in [*acting, *self.leaders, *self.members.values()]}

    # -- calendar and routing ----------------------------------------------------------------

    def calendar(self) -> int:
        days = 0
        for first, last, name in HOLIDAYS:
            day = first
            while day <= last:
                problem_calendar.set_calendar_day(
                    actor=self.actor, date=day, working=False, name=name
                )
                day += dt.timedelta(days=1)
                days += 1
        for day, name in MAKE_UP_DAYS:
            problem_calendar.set_calendar_day(actor=self.actor, date=day, working=True, name=name)
            days += 1
        return days

    def routing(self) -> None:
        """Logistics and passes to the transport bureau (passes of Jiangyang to the district's
        own desk), energy to the grid company, living supplies to commerce; the rest falls to
        the enterprise's commissioner, or waits at the district."""
        # The city's rules, which the city bureau may change; "anywhere" rules are the platform
        # administrator's and bind every city.
        city = self.regions["510500"]
        rules: list[tuple[str, Region | None, Department | None, User | None]] = [
            (ProblemCategory.LOGISTICS, city, self.transport, None),
            (ProblemCategory.PASSES, city, self.transport, None),
            (ProblemCategory.PASSES, self.regions[JY], None, self.district),
            (ProblemCategory.ENERGY, city, self.grid, None),
            (ProblemCategory.LIVING_SUPPLIES, city, self.commerce, None),
        ]
        for category, region, department, handler in rules:
            problem_routing.set_routing_rule(
                actor=self.actor,
                category=category,
                region=region,
                department=department,
                handler=handler,
            )

    # -- the service network -----------------------------------------------------------------

    def _cover(self, user: User, enterprise: Enterprise, since: dt.date, note: str = "") -> Any:
        coverage = assign_coverage(
            actor=self.actor,
            kind=CoverageKind.ENTERPRISE,
            user=user,
            enterprise=enterprise,
            since=since,
            note=note,
        )
        self.cover.setdefault(enterprise.pk, []).append((since, None, user))
        return coverage

    def network(self) -> None:
        large = self.by_size[:LARGE]
        demo_share = large[:DEMO_COVERS]
        rest = [
            e
            for n, e in enumerate(large[DEMO_COVERS:])
            if n % UNCOVERED_EVERY != UNCOVERED_EVERY - 1
        ]
        for enterprise in demo_share:
            self._cover(self.demo_commissioner, enterprise, COVERED_SINCE)
        others = self.commissioners[1:]
        for n, enterprise in enumerate(rest):
            user = others[n % len(others)]
            coverage = self._cover(user, enterprise, COVERED_SINCE)
            if self.handover is None and user is others[2]:
                # Played at its time (handover_step); known now so filings and visits follow it.
                self.handover = (coverage.pk, enterprise, user, others[3])
                self.cover[enterprise.pk] = [
                    (COVERED_SINCE, HANDOVER, user),
                    (HANDOVER + dt.timedelta(days=1), None, others[3]),
                ]
        for leader, codes in zip(self.leaders, LEADER_AREAS, strict=True):
            for code in codes:
                assign_coverage(
                    actor=self.actor,
                    kind=CoverageKind.AREA,
                    user=leader,
                    region=self.regions[code],
                    since=AREA_SINCE,
                    note="市领导包片联系",
                )
        chemical = next((e for e in self.by_size if e.industry.code == "26"), self.by_size[1])
        projects = (
            (self.by_size[0], "{name}酿酒技改扩能项目", self.demo_commissioner),
            (chemical, "{name}新材料一体化项目", self.commissioners[2]),
        )
        for enterprise, pattern, officer in projects:
            short = enterprise.name.removesuffix("集团股份有限公司").removesuffix("有限公司")
            project = create_key_project(
                actor=self.actor,
                enterprise=enterprise,
                name=pattern.format(name=short),
                description="市级重点项目，实行首席服务官全程跟踪服务。",
            )
            assign_coverage(
                actor=self.actor,
                kind=CoverageKind.PROJECT,
                user=officer,
                project=project,
                since=PROJECT_SINCE,
                note="首席服务官",
            )
        self.chemical = chemical

    def working_groups(self) -> int:
        leader, *members = self.group
        create_working_group(
            actor=self.actor,
            authority=self.regions["510000"],
            name="四川省经济和信息化厅稳产稳链督导组（泸州）",
            purpose="督导泸州市临时性静态管理区县工业企业闭环生产、稳链保供，协调解决跨市州堵点问题。",
            leader=leader,
            members=members,
            regions=[self.regions[c] for c in STATIC],
            starts_on=dt.date(2022, 9, 9),
            ends_on=dt.date(2022, 9, 30),
        )
        create_working_group(
            actor=self.actor,
            authority=self.regions["510500"],
            name="泸州市稳产稳链工作专班驻合江临港工业园区工作组",
            purpose="驻园区协调企业闭环生产、员工核酸采样和原料进出通道。",
            leader=self.bureau,
            members=self.commissioners[6:8],
            parks=[self.parks["HJ-PORT"]],
            starts_on=dt.date(2022, 9, 8),
            ends_on=dt.date(2022, 9, 26),
        )
        return 2

    def coverer(self, enterprise: Enterprise, day: dt.date) -> User | None:
        for since, until, user in self.cover.get(enterprise.pk, []):
            if since <= day and (until is None or day <= until):
                return user
        return None
