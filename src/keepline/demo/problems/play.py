"""The demo's problems played on the 2022 clock: each step run through its service at its
scenario time (`now=`), the sweeps between them, the coordination letter and the handover."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from typing import Any

from keepline.core.models import Notification, User
from keepline.core.scopes import Actor
from keepline.demo.problems.plans import Plans
from keepline.demo.problems.state import Plan, ProblemState, Step, at, district_of
from keepline.demo.problems.stories import (
    CUTOFF,
    END,
    FIRST_DAY,
    HANDOVER,
    JY,
    SWEEP_EVERY,
    SWEEPER,
)
from keepline.enterprises.models import Enterprise
from keepline.problems.models import (
    OPEN_STATUSES,
    AddresseeLevel,
    CoordinationLetter,
    Problem,
    ProblemStatus,
)
from keepline.problems.services import letters as problem_letters
from keepline.problems.services import lifecycle as problem_lifecycle
from keepline.problems.services import sweep as problem_sweep
from keepline.service.models import CoverageKind
from keepline.service.services.coverage import assign_coverage, end_coverage


class Play(Plans):
    """The queue of steps in scenario time and what each step does."""

    # -- the queue ---------------------------------------------------------------------------

    def schedule(
        self, when: dt.datetime, run: Callable[[dt.datetime], bool], *, last: bool = False
    ) -> None:
        """Run `run(when)` at `when` of the scenario; sweeps (`last`) after the steps of the
        same minute."""
        self.seq += 1
        heapq.heappush(self.queue, (when, 1 if last else 0, self.seq, run))

    def play(self) -> None:
        while self.queue:
            when, _last, _seq, run = heapq.heappop(self.queue)
            if run(when):
                self._stamp_notifications(when)

    def _stamp_notifications(self, when: dt.datetime) -> None:
        # Demo-only: the notifications a step sent carry its scenario time, not the build's.
        Notification.objects.filter(pk__gt=self.first_notification, created__gt=CUTOFF).update(
            created=when
        )

    def _remember(self, problem: Problem) -> None:
        """Keep what the next step needs, and the deadlines the handler side still owes (as
        `selectors.unmet_deadlines` counts them), so that a sweep runs only when one passes."""
        self.states[problem.pk] = ProblemState(
            problem.pk,
            problem.version,
            problem.handler_id,
            problem.department_id,
            self.by_pk[problem.enterprise_id],
        )
        owed = self.owed.setdefault(problem.pk, {})
        for name, due, met in (
            ("acknowledge_due", problem.acknowledge_due, problem.accepted_at),
            ("interim_due", problem.interim_due, problem.interim_replied_at),
            ("close_due", problem.close_due, problem.replied_at),
        ):
            if met is None:
                owed[name] = due
            else:
                owed.pop(name, None)

    def sweeps(self) -> None:
        def sweep(when: dt.datetime) -> bool:
            # A sweep finds something only when a deadline still owed has passed since the
            # last one that ran; the others are skipped, which changes nothing but the time.
            passed = any(
                self.last_sweep < due <= when
                for owed in self.owed.values()
                for due in owed.values()
            )
            if not passed:
                return False
            self.last_sweep = when
            result = problem_sweep.sweep_deadlines(actor=SWEEPER, now=when)
            for pk in [*result.escalated, *result.overdue]:
                self.states.pop(pk, None)  # its version moved on
            return bool(result.escalated or result.overdue)

        when = at(FIRST_DAY, 0)
        while when < END:
            self.schedule(when, sweep, last=True)
            when += SWEEP_EVERY
        self.schedule(END, sweep, last=True)

    # -- problems ----------------------------------------------------------------------------

    def official(self, enterprise: Enterprise) -> User:
        """Who takes up what no one is assigned: the district, the park, or the city."""
        if district_of(enterprise) == JY:
            return self.district
        if enterprise.park is not None and enterprise.park.code == "LZ-HIGHTECH":
            return self.park_user
        return self.bureau

    def handler_of(self, problem: ProblemState) -> Actor:
        if problem.handler_id is not None:
            return self.user(problem.handler_id)
        if problem.department_id is not None and problem.department_id in self.members:
            return self.members[problem.department_id]
        return self.official(problem.enterprise)

    def confirmer(self, problem: ProblemState) -> Actor:
        # Only the demo enterprise has a liaison login; the demo confirms for the others.
        return self.liaison if problem.enterprise.pk == self.liaison_enterprise_id else self.actor

    def user(self, pk: int) -> User:
        if pk not in self.users:
            self.users[pk] = User.objects.get(pk=pk)
        return self.users[pk]

    def _load(self, key: int) -> ProblemState:
        pk = self.ids[key]
        if pk not in self.states:
            row = Problem.objects.filter(pk=pk).values_list(
                "version", "handler_id", "department_id", "enterprise_id"
            )[0]
            version, handler_id, department_id, enterprise_id = row
            self.states[pk] = ProblemState(
                pk, version, handler_id, department_id, self.by_pk[enterprise_id]
            )
        return self.states[pk]

    def file(self, plan: Plan) -> None:
        def run(when: dt.datetime) -> bool:
            enterprise = plan.enterprise
            filer: Actor
            if plan.filer == "liaison":
                filer = self.liaison
            elif plan.filer == "commissioner":
                filer = self.coverer(enterprise, when.date()) or self.official(enterprise)
            else:
                filer = self.official(enterprise)
            if plan.report is not None:
                problem = problem_lifecycle.file_from_report(
                    actor=filer, report=plan.report, now=when
                )
            else:
                assert plan.template is not None
                problem = problem_lifecycle.file_problem(
                    actor=filer,
                    enterprise_id=enterprise.pk,
                    category=plan.category,
                    title=plan.fill(plan.template.title),
                    description=plan.fill(plan.template.description),
                    urgency=plan.urgency,
                    now=when,
                )
            self.ids[plan.key] = problem.pk
            self._remember(problem)
            return True

        self.schedule(plan.filed_at, run)
        for step in plan.steps:
            self.schedule(step.at, self._step(plan.key, step))

    def _step(self, key: int, step: Step) -> Callable[[dt.datetime], bool]:
        def run(when: dt.datetime) -> bool:
            problem = self._load(key)
            # Each step names the problem at the version it was read at.
            versioned: dict[str, Any] = {
                "problem_id": problem.pk,
                "version": problem.version,
                "now": when,
            }
            done: Problem
            if step.kind == "accept":
                done = problem_lifecycle.accept_problem(actor=self.handler_of(problem), **versioned)
            elif step.kind == "start":
                done = problem_lifecycle.start_problem(
                    actor=self.handler_of(problem), note=step.text, **versioned
                )
            elif step.kind in ("interim", "reply"):
                done = problem_lifecycle.reply_problem(
                    actor=self.handler_of(problem),
                    text=step.text,
                    final=step.kind == "reply",
                    **versioned,
                )
            elif step.kind == "reopen":
                done = problem_lifecycle.reopen_problem(
                    actor=self.confirmer(problem), reason=step.text, **versioned
                )
            elif step.kind == "confirm":
                done = problem_lifecycle.confirm_problem(
                    actor=self.confirmer(problem),
                    rating=step.rating,
                    comment=step.text,
                    **versioned,
                )
            elif step.kind == "reassign":
                done = problem_lifecycle.reassign_problem(
                    actor=self.bureau, reason=step.text, handler=self.bureau, **versioned
                )
            else:
                raise ValueError(step.kind)
            self._remember(done)
            return True

        return run

    def letter(self) -> None:
        """The city task force writes to Yibin's about the material held there, before the
        problem goes up to the province; Yibin answers within its five working days."""
        plan = self.province_plan
        if plan is None:
            return
        enterprise, context = plan.enterprise, plan.context
        letter_id = 0

        def draft(when: dt.datetime) -> bool:
            nonlocal letter_id
            letter = problem_letters.draft_letter(
                actor=self.bureau,
                problem_id=self.ids[plan.key],
                addressee="宜宾市新冠肺炎疫情防控指挥部（稳产稳链工作专班）",
                addressee_level=AddresseeLevel.OTHER_CITY,
                subject=f"关于协调放行{enterprise.name}滞留{context['material']}运输车辆的函",
                body=(
                    f"我市重点产业链供应链白名单企业{enterprise.name}从贵市采购的"
                    f"{context['material']}共{context['trucks']}车，滞留在宜宾物流园，当地暂停车辆"
                    f"出园。该企业{context['material']}库存仅够{context['days']}天，断供将导致停产。"
                    "恳请贵市协调物流园对上述车辆予以放行。车辆司机均持48小时核酸阴性证明，"
                    "按“点对点”线路运输，全程闭环，不在途中停留。"
                ),
                contact=f"{self.bureau.display_name.split('（')[0]} 0830-3190000",
                now=when,
            )
            letter_id = letter.pk
            return True

        def send(when: dt.datetime) -> bool:
            letter = CoordinationLetter.objects.get(pk=letter_id)
            problem_letters.send_letter(
                actor=self.bureau, letter_id=letter_id, version=letter.version, now=when
            )
            return True

        def answer(when: dt.datetime) -> bool:
            letter = CoordinationLetter.objects.get(pk=letter_id)
            problem_letters.record_letter_reply(
                actor=self.bureau,
                letter_id=letter_id,
                version=letter.version,
                text=(
                    "经核查，宜宾物流园所在区域仍处于临时性静态管理，园区货物暂缓出园；"
                    "待管控措施调整后，优先安排贵市企业车辆出园，预计10月上旬。"
                ),
                now=when,
            )
            return True

        day = dt.date(2022, 9, 14)
        self.schedule(at(day, 10, 0), draft)
        self.schedule(at(day, 15, 0), send)
        self.schedule(at(dt.date(2022, 9, 20), 16, 0), answer)

    def handover_step(self) -> None:
        """Mid-September a commissioner hands an enterprise over: the coverage ends, the next
        one starts the day after, and what the first one still held is passed on."""
        if self.handover is None:
            return
        coverage_id, enterprise, old, new = self.handover

        def run(when: dt.datetime) -> bool:
            end_coverage(actor=self.actor, coverage_id=coverage_id, until=HANDOVER)
            assign_coverage(
                actor=self.actor,
                kind=CoverageKind.ENTERPRISE,
                user=new,
                enterprise=enterprise,
                since=HANDOVER + dt.timedelta(days=1),
                note="工作调整，接替包联",
            )
            held = Problem.objects.filter(
                enterprise=enterprise,
                handler=old,
                status__in=[*OPEN_STATUSES, ProblemStatus.REPLIED],
            ).order_by("pk")
            for problem in held:
                done = problem_lifecycle.reassign_problem(
                    actor=self.bureau,
                    problem_id=problem.pk,
                    version=problem.version,
                    reason="包联专员工作调整，转接任专员办理。",
                    handler=new,
                    now=when,
                )
                self._remember(done)
            return True

        self.schedule(at(HANDOVER, 18), run)
