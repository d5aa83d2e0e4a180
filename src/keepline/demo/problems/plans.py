"""What happens to each demo problem, drawn before anything is played: the showcase problems
the demo logins are shown, those taken from daily reports, and the random rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keepline.demo.problems.cast import Cast
from keepline.demo.problems.state import Plan, Step, at, district_of
from keepline.demo.problems.stories import (
    CATEGORY_WEIGHTS,
    CHECKPOINTS,
    COMMENTS,
    DAY_WEIGHTS,
    DEFAULT_INTERIM,
    DEMO_COVERS,
    END,
    FROM_REPORTS,
    JY,
    MATERIALS,
    ORIGINS,
    PRODUCTS,
    RANDOM_STORIES,
    REOPEN_REASON,
    REPORT_REPLY,
    REPORT_STORIES,
    START_NOTES,
    STATIC,
    SWEEP_EVERY,
    TEMPLATES,
)
from keepline.enterprises.models import Enterprise
from keepline.problems.models import ProblemCategory, Urgency
from keepline.reports.models import DailyReport

# The problems the demo logins are shown, in the order they are drawn: (whose, story, filed on
# September (day, hour, minute), category, template, filer, urgent or its urgency drawn).
SHOWCASE = (
    ("liaison", "closed", (9, 10, 20), ProblemCategory.RAW_MATERIALS, 0, "liaison", False),
    ("liaison", "replied", (28, 9, 40), ProblemCategory.LABOUR, 0, "liaison", False),
    ("liaison", "in_progress", (22, 10, 15), ProblemCategory.LOGISTICS, 1, "commissioner", False),
    ("mine", "submitted", (30, 9, 10), ProblemCategory.RAW_MATERIALS, 0, "commissioner", True),
    ("mine 2", "accepted", (26, 14, 20), ProblemCategory.LABOUR, 1, "commissioner", False),
    ("jiangyang", "closed", (10, 11, 0), ProblemCategory.PASSES, 0, "official", False),
    ("heavy", "closed", (16, 15, 30), ProblemCategory.ENERGY, 0, "commissioner", False),
    ("jiangyang", "reopened", (14, 10, 0), ProblemCategory.LOGISTICS, 0, "official", True),
)


class Plans(Cast):
    """The draws: each problem's enterprise, category, urgency, words and steps."""

    def _context(self, enterprise: Enterprise) -> dict[str, Any]:
        rng = self.rng
        industry = enterprise.industry.code
        n = rng.randint(8, 60)
        district = self.regions.get(district_of(enterprise))
        return {
            "material": rng.choice(MATERIALS.get(industry, ("原辅材料",))),
            "product": PRODUCTS.get(industry, "产品"),
            "checkpoint": rng.choice(CHECKPOINTS),
            "origin": rng.choice(ORIGINS),
            "n": n,
            "n2": max(3, round(n * rng.uniform(0.5, 0.9))),
            "days": rng.randint(2, 6),
            "trucks": rng.randint(2, 12),
            "district": district.name_zh if district else "泸州市",
        }

    def plan(
        self,
        enterprise: Enterprise,
        story: str,
        filed_at: dt.datetime,
        *,
        category: str | None = None,
        template: int | None = None,
        filer: str = "",
        report: DailyReport | None = None,
        urgency: str | None = None,
    ) -> Plan:
        rng = self.rng
        if report is not None:
            category = ProblemCategory.OTHER
        elif category is None:
            weights = list(CATEGORY_WEIGHTS.values())
            category = rng.choices(list(CATEGORY_WEIGHTS), weights=weights)[0]
        whitelisted = bool(enterprise.whitelist_level)
        if urgency is None:
            draw = rng.random()
            urgent, critical = (0.35, 0.1) if whitelisted else (0.15, 0.03)
            urgency = (
                Urgency.CRITICAL
                if draw < critical
                else Urgency.URGENT
                if draw < critical + urgent
                else Urgency.NORMAL
            )
        chosen = None
        if report is None:
            options = TEMPLATES[category]
            chosen = options[template if template is not None else rng.randrange(len(options))]
        if not filer:
            covered = self.coverer(enterprise, filed_at.date()) is not None
            filer = "commissioner" if covered and rng.random() < 0.7 else "official"
            if enterprise.pk == self.liaison_enterprise_id and rng.random() < 0.5:
                filer = "liaison"
        plan = Plan(
            key=self.keys,
            enterprise=enterprise,
            category=category,
            urgency=urgency,
            template=chosen,
            context=self._context(enterprise),
            filed_at=filed_at,
            filer=filer,
            story=story,
            report=report,
        )
        plan.steps = self._steps(plan, whitelisted)
        self.keys += 1
        return plan

    def _reply_text(self, plan: Plan) -> str:
        if plan.template is None:
            return plan.fill(REPORT_REPLY)
        return plan.fill(plan.template.reply)

    def _rating(self, whitelisted: bool, late: bool) -> int:
        if late:
            return self.rng.choice((3, 4))
        weights = (8, 32, 60) if whitelisted else (15, 40, 45)
        return self.rng.choices((3, 4, 5), weights=weights)[0]

    def _steps(self, plan: Plan, whitelisted: bool) -> list[Step]:
        """The steps of a story, each within the deadlines it is meant to meet (working days
        are never fewer than calendar days, so two calendar days meet three working days)."""
        rng, f = self.rng, plan.filed_at
        minutes = dt.timedelta(minutes=1)
        hours = dt.timedelta(hours=1)
        steps: list[Step] = []
        story = plan.story
        if story == "submitted":
            return steps
        late = story == "closed_late"
        # Late: past the hour allowed and past the next sweep; on time: within the hour.
        late_by = SWEEP_EVERY + rng.uniform(1, 6) * hours
        accepted = f + (late_by if late else rng.uniform(10, 50) * minutes)
        steps.append(Step(accepted, "accept"))
        if story == "accepted":
            return steps
        t = accepted
        if story == "in_progress" or rng.random() < 0.3:
            t += rng.uniform(10, 120) * minutes
            steps.append(Step(t, "start", rng.choice(START_NOTES)))
        if story == "in_progress" or rng.random() < 0.2:
            t += rng.uniform(1, 6) * hours
            interim = plan.template.interim if plan.template else DEFAULT_INTERIM
            steps.append(Step(t, "interim", plan.fill(interim)))
        if story == "in_progress":
            return steps
        low, high = (3, 20) if whitelisted else (5, 40)
        replied = max(accepted + rng.uniform(low, high) * hours, t + hours)
        replied = min(replied, END - 2 * hours)
        steps.append(Step(replied, "reply", self._reply_text(plan)))
        if story == "replied":
            return steps
        confirmed = replied + rng.uniform(1, 30) * hours
        if confirmed <= END:
            rating = self._rating(whitelisted, late)
            steps.append(Step(confirmed, "confirm", rng.choice(COMMENTS[rating]), rating))
        return steps

    def _filing_time(self, story: str) -> dt.datetime:
        rng = self.rng
        if story == "submitted":
            day, first, last = dt.date(2022, 9, 30), 8.5, 15.5
        elif story == "accepted":
            day, first, last = rng.choice((dt.date(2022, 9, 26), dt.date(2022, 9, 27))), 9, 15.5
        elif story == "in_progress":
            day, first, last = rng.choice((dt.date(2022, 9, 21), dt.date(2022, 9, 22))), 9, 16
        elif story == "replied":
            day = rng.choice((dt.date(2022, 9, 27), dt.date(2022, 9, 28), dt.date(2022, 9, 29)))
            first, last = 9, 12 if day.day == 29 else 17
        else:
            days = [d for d in DAY_WEIGHTS if story != "closed_late" or d.day <= 26]
            day = rng.choices(days, weights=[DAY_WEIGHTS[d] for d in days])[0]
            first, last = (8, 21) if day.day < 29 else (8, 10)
        return at(day, 0) + dt.timedelta(minutes=round(rng.uniform(first, last) * 60))

    def _weights(self, candidates: list[Enterprise], prefer_listed: float) -> list[float]:
        """How likely each enterprise is to have a problem: mostly those in the districts under
        static management, more often one with a commissioner, listed ones as asked."""
        return [
            (prefer_listed if e.whitelist_level else 1)
            * (2 if e.pk in self.cover else 1)
            * (1 if district_of(e) in STATIC else 0.15)
            for e in candidates
        ]

    def showcase(self) -> list[Plan]:
        """The problems the demo logins are shown: the liaison's enterprise, the commissioner's,
        the transport bureau's, the one that went up to the province."""
        liaison_enterprise = next(e for e in self.enterprises if e.pk == self.liaison_enterprise_id)
        mine = [e for e in self.by_size[:DEMO_COVERS] if e.pk != liaison_enterprise.pk]
        jiangyang = next(
            (
                e
                for e in self.by_size
                if district_of(e) == JY and e.pk != liaison_enterprise.pk and e.whitelist_level
            ),
            mine[0],
        )
        heavy = next(
            (
                e
                for e in self.by_size
                if e.industry.code in ("30", "26") and district_of(e) in STATIC
            ),
            mine[1],
        )
        whose = {
            "liaison": liaison_enterprise,
            "mine": mine[0],
            "mine 2": mine[1],
            "jiangyang": jiangyang,
            "heavy": heavy,
        }
        plans = [
            self.plan(
                whose[who],
                story,
                at(dt.date(2022, 9, day), hour, minute),
                category=category,
                template=template,
                filer=filer,
                urgency=Urgency.URGENT if urgent else None,
            )
            for who, story, (day, hour, minute), category, template, filer, urgent in SHOWCASE
        ]
        # The last one is reopened: its steps are written out.
        reopened = plans[-1]
        day = dt.date
        reopened.steps = [
            Step(at(day(2022, 9, 14), 10, 25), "accept"),
            Step(
                at(day(2022, 9, 14), 17, 40),
                "reply",
                reopened.fill(TEMPLATES[ProblemCategory.LOGISTICS][0].reply),
            ),
            Step(at(day(2022, 9, 15), 9, 10), "reopen", reopened.fill(REOPEN_REASON)),
            Step(
                at(day(2022, 9, 15), 16, 30),
                "reply",
                "已与卡口所在区县防控指挥部再次会商，卡口已将企业车辆纳入白名单车辆库，凭证直接放行。",
            ),
            Step(at(day(2022, 9, 16), 10, 0), "confirm", "第二次协调到位，车辆已正常通行。", 4),
        ]
        plans.append(self._province())
        return plans

    def _province(self) -> Plan:
        """A raw material held in Yibin: the commissioner is late, the city task force takes
        it over, misses its interim reply and it goes up to the province."""
        enterprise = self.chemical
        plan = self.plan(
            enterprise,
            "province",
            at(dt.date(2022, 9, 13), 9, 30),
            category=ProblemCategory.RAW_MATERIALS,
            template=2,
            filer="commissioner",
            urgency=Urgency.URGENT,
        )
        plan.context["origin"] = "宜宾"
        plan.context["material"] = MATERIALS.get(enterprise.industry.code, ("原辅材料",))[0]
        day = dt.date
        plan.steps = [
            Step(at(day(2022, 9, 13), 14, 0), "accept"),
            Step(
                at(day(2022, 9, 13), 14, 30),
                "reassign",
                "原料滞留在宜宾，需跨市协调，转市工作专班办理。",
            ),
            Step(at(day(2022, 9, 13), 15, 0), "start", "已联系宜宾市工作专班。"),
            Step(
                at(day(2022, 9, 19), 10, 30),
                "interim",
                "已于9月14日致函宜宾市疫情防控指挥部请求协助放行，正在等待对方复函。",
            ),
            Step(
                at(day(2022, 9, 20), 17, 0),
                "interim",
                plan.fill(
                    "宜宾市复函：物流园所在区域仍在静态管理，货物暂缓出园，管控调整后优先安排。"
                    "已协调本地供应商应急供应部分{material}。"
                ),
            ),
        ]
        self.province_plan = plan
        return plan

    def from_reports(self) -> list[Plan]:
        reports = list(
            DailyReport.objects.exclude(problems="")
            .select_related("enterprise__region", "enterprise__park", "enterprise__industry")
            .order_by("date", "enterprise__uscc")
        )
        seen: set[int] = set()
        distinct = []
        for report in reports:
            if report.enterprise_id not in seen:
                seen.add(report.enterprise_id)
                distinct.append(report)
        chosen = self.rng.sample(distinct, min(FROM_REPORTS, len(distinct)))
        chosen.sort(key=lambda r: (r.date, r.enterprise.uscc))
        plans = []
        for report, story in zip(chosen, REPORT_STORIES, strict=False):
            # Taken up the evening the report came in.
            filed = at(report.date, 17) + dt.timedelta(minutes=self.rng.randrange(150))
            plans.append(
                self.plan(report.enterprise, story, filed, report=report, filer="commissioner")
            )
        return plans

    def random_plans(self, count: int) -> list[Plan]:
        stories = [s for s, n in RANDOM_STORIES.items() for _ in range(n)]
        stories += ["closed"] * max(0, count - len(stories))
        candidates = [e for e in self.by_size if e.pk != self.liaison_enterprise_id]
        # Listed enterprises are served first: they mostly have their problems solved.
        solved = self._weights(candidates, 5.0)
        waiting = self._weights(candidates, 0.3)
        plans = []
        for story in stories[:count]:
            weights = solved if story in ("closed", "replied", "closed_late") else waiting
            enterprise = self.rng.choices(candidates, weights=weights)[0]
            plans.append(self.plan(enterprise, story, self._filing_time(story)))
        return plans
