"""The demo's visits: done ones in September (commissioners, leaders, the province's group),
following up the problems of the days before, and planned ones ahead of the build's day."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from keepline.core.models import User
from keepline.core.scopes import Actor
from keepline.demo.problems.play import Play
from keepline.demo.problems.state import at, district_of
from keepline.demo.problems.stories import (
    FINDINGS,
    FOLLOW_UP,
    ISSUES,
    JY,
    LEADER_AREAS,
    LMT,
    NX,
    PLANNED_PURPOSES,
    VISIT_PURPOSES,
)
from keepline.enterprises.models import Enterprise
from keepline.problems.models import Problem
from keepline.service.models import Visit
from keepline.service.services.visits import cancel_visit, plan_visit, record_visit


class Visits(Play):
    """Visits done in the scenario and planned after it."""

    # -- visits ------------------------------------------------------------------------------

    def _findings(self, enterprise: Enterprise) -> str:
        rng = self.rng
        staff = max(enterprise.employees, 20)
        return rng.choice(FINDINGS).format(
            n=round(staff * rng.uniform(0.5, 0.9)),
            m=round(staff * rng.uniform(0.2, 0.4)),
            days=rng.randint(5, 20),
            r=rng.randint(2, 8),
            p=rng.randint(55, 95),
            issue=rng.choice(ISSUES),
        )

    def _visit(
        self,
        visitor: User,
        enterprise: Enterprise,
        visited_at: dt.datetime,
        *,
        actor: Actor | None = None,
        companions: str = "",
    ) -> None:
        purpose = self.rng.choice(VISIT_PURPOSES)
        findings = self._findings(enterprise)

        def run(when: dt.datetime) -> bool:
            # The visit follows up the enterprise's problems of the last ten days.
            recent = list(
                Problem.objects.filter(
                    enterprise=enterprise,
                    filed_at__lt=visited_at,
                    filed_at__gte=visited_at - FOLLOW_UP,
                )
                .order_by("-filed_at", "-pk")
                .values_list("pk", "title")[:2]
            )
            followed = "".join(f"跟进诉求“{title}”办理情况。" for _pk, title in recent)
            visit = record_visit(
                actor=actor or visitor,
                visitor=visitor,
                enterprise=enterprise,
                visited_at=visited_at,
                findings=followed + findings,
                purpose=purpose,
                companions=companions,
                problem_ids=[pk for pk, _title in recent],
            )
            # Demo-only: recorded the evening of the visit, not at the build.
            Visit.objects.filter(pk=visit.pk).update(created_at=when)
            self.visits_done += 1
            self.linked_visits += bool(recent)
            return False

        self.schedule(visited_at + dt.timedelta(hours=2), run)

    def _visit_time(self, first: dt.date, last: dt.date) -> dt.datetime:
        days = (last - first).days
        day = first + dt.timedelta(days=self.rng.randint(0, max(days, 0)))
        return at(day, 9) + dt.timedelta(minutes=self.rng.randrange(0, 7 * 60, 10))

    def visits(self) -> None:
        """Done visits in September: commissioners to the enterprises they covered that day
        (a day before a handover at the latest), leaders in their districts, and the province's
        group."""
        first, last = dt.date(2022, 9, 2), dt.date(2022, 9, 29)
        by_pk = {e.pk: e for e in self.enterprises}
        for user in self.commissioners:
            spans = [
                (by_pk[pk], max(first, since), min(last, until - dt.timedelta(days=1)))
                if until is not None
                else (by_pk[pk], max(first, since), last)
                for pk, rows in sorted(self.cover.items())
                for since, until, who in rows
                if who is user
            ]
            spans = [span for span in spans if span[1] <= span[2]]
            count = 5 if user is self.demo_commissioner else 3
            for _ in range(count if spans else 0):
                enterprise, since, until = self.rng.choice(spans)
                self._visit(user, enterprise, self._visit_time(since, until))
        for leader, codes in zip(self.leaders, LEADER_AREAS, strict=True):
            theirs = [e for e in self.by_size[:200] if district_of(e) in codes]
            for enterprise in self.rng.sample(theirs, min(2, len(theirs))):
                self._visit(
                    leader,
                    enterprise,
                    self._visit_time(dt.date(2022, 9, 9), dt.date(2022, 9, 25)),
                    companions="区县经信局、属地乡镇（街道）负责同志",
                )
        head, *members = self.group
        companions = "、".join(m.display_name.split("（")[0] for m in members[:3])
        static = [e for e in self.by_size[:40] if district_of(e) in (JY, LMT, NX)]
        for n, enterprise in enumerate(static[:3]):
            # The group's members hold no visiting role of their own: the demo records for them.
            self._visit(
                head,
                enterprise,
                at(dt.date(2022, 9, 14 + n), 10),
                actor=self.actor,
                companions=companions,
            )

    def planned_visits(self) -> int:
        """Visits ahead of the day the demo is built (see the module docstring); every fifth
        is called off."""
        today = timezone.localdate()
        by_pk = {e.pk: e for e in self.enterprises}
        planned: list[Visit] = []
        for user in self.commissioners:
            theirs = sorted(
                pk
                for pk, rows in self.cover.items()
                for _since, until, who in rows
                if who is user and until is None
            )
            count = 3 if user is self.demo_commissioner else 1
            for pk in self.rng.sample(theirs, min(count, len(theirs))):
                planned.append(
                    plan_visit(
                        actor=user,
                        enterprise=by_pk[pk],
                        planned_for=today + dt.timedelta(days=self.rng.randint(1, 21)),
                        purpose=self.rng.choice(PLANNED_PURPOSES),
                    )
                )
        jiangyang = [e for e in self.by_size if district_of(e) == JY]
        if jiangyang:
            planned.append(
                plan_visit(
                    actor=self.leader,
                    enterprise=jiangyang[0],
                    planned_for=today + dt.timedelta(days=7),
                    purpose="调研企业四季度生产和重点项目推进情况",
                )
            )
        cancelled = planned[3::5]
        for visit in cancelled:
            cancel_visit(actor=visit.visitor, visit_id=visit.pk, reason="企业设备检修，改期走访。")
        return len(planned) - len(cancelled)
