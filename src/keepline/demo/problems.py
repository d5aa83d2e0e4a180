"""The demo city's problems (诉求) and service network, played through the services on the
2022 clock: the holiday calendar, routing rules, who covers whom (包片, 包联, 首席服务官),
about a hundred problems across the September emergency in every state, visits on both lists
and the working groups.

The clock. The problem services stamp the real time (only `sweep_deadlines` takes `now`), so each
step is run through its service in the order it happened in 2022 and its timestamps (the step's
time field, the deadlines counted from it, its timeline event and the notifications it sent) are
then set to the scenario's time by `_Run._stamp`, a demo-only update. The audit trail keeps the
real time of the build, as for the rest of the demo. The escalation sweep runs every two hours of
the scenario, so what is escalated is what missed a deadline in 2022.

The demo's "now". Pages judge deadlines at the real time, so an open 2022 problem shows overdue.
The scenario ends at `END` (30 September 2022, 18:00, the eve of National Day) and is built so
that the list tells the truth then and now: every problem still open at the end had missed a
deadline and been escalated by that evening's sweep (the build checks this), the replied ones wait
on the enterprise and carry no deadline, and the rest are closed. A planned visit, by contrast,
lies ahead: `plan_visit` accepts no past date, so the planned list holds visits a few days after
the day the demo is built (the only dates here not fixed to 2022).

Deterministic for a seed: the draws come from a stream of their own, so the city's other draws
stay as they were, and every query that feeds a choice is ordered.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Max
from django.utils import timezone, translation

from keepline.core import services as core_services
from keepline.core.models import Department, DepartmentKind, Notification, Role, User
from keepline.core.scopes import Actor, SystemActor
from keepline.enterprises.models import Enterprise
from keepline.places.models import Park, Region
from keepline.problems import selectors as problem_selectors
from keepline.problems.calendar import add_working_days
from keepline.problems.models import (
    OPEN_STATUSES,
    AddresseeLevel,
    CoordinationLetter,
    Problem,
    ProblemCategory,
    ProblemEvent,
    ProblemStatus,
    Tier,
    Urgency,
)
from keepline.problems.services import calendar as problem_calendar
from keepline.problems.services import letters as problem_letters
from keepline.problems.services import lifecycle as problem_lifecycle
from keepline.problems.services import routing as problem_routing
from keepline.problems.services import sweep as problem_sweep
from keepline.reports.models import DailyReport
from keepline.service import services as service_services
from keepline.service.models import Coverage, CoverageKind, Visit

TZ = ZoneInfo("Asia/Shanghai")
STREAM = 73  # this module's draws: random.Random(seed * 1000 + STREAM)
# A service stamps the real time; anything later than this was stamped by the build itself.
CUTOFF = dt.datetime(2023, 1, 1, tzinfo=TZ)
FIRST_DAY = dt.date(2022, 9, 1)
END = dt.datetime(2022, 9, 30, 18, tzinfo=TZ)
SWEEP_EVERY = dt.timedelta(hours=4)
SWEEPER = SystemActor("task:problem-sweep")
# Notifications older than this before the end count as read: the inbox shows the last day's.
READ_BEFORE = dt.timedelta(days=1)
FOLLOW_UP = dt.timedelta(days=10)  # a visit follows up the problems filed this long before it

JY, NX, LMT, LX, HJ, XY, GL = "510502", "510503", "510504", "510521", "510522", "510524", "510525"
STATIC = (JY, LMT, LX, HJ, NX)  # the five districts under static management in September

# The State Council's 2022 holidays (first, last, name) and make-up workdays (调休).
HOLIDAYS = (
    (dt.date(2022, 1, 1), dt.date(2022, 1, 3), "元旦"),
    (dt.date(2022, 1, 31), dt.date(2022, 2, 6), "春节"),
    (dt.date(2022, 4, 3), dt.date(2022, 4, 5), "清明节"),
    (dt.date(2022, 4, 30), dt.date(2022, 5, 4), "劳动节"),
    (dt.date(2022, 6, 3), dt.date(2022, 6, 5), "端午节"),
    (dt.date(2022, 9, 10), dt.date(2022, 9, 12), "中秋节"),
    (dt.date(2022, 10, 1), dt.date(2022, 10, 7), "国庆节"),
)
MAKE_UP_DAYS = (
    (dt.date(2022, 1, 29), "春节调休上班"),
    (dt.date(2022, 1, 30), "春节调休上班"),
    (dt.date(2022, 4, 2), "清明节调休上班"),
    (dt.date(2022, 4, 24), "劳动节调休上班"),
    (dt.date(2022, 5, 7), "劳动节调休上班"),
    (dt.date(2022, 10, 8), "国庆节调休上班"),
    (dt.date(2022, 10, 9), "国庆节调休上班"),
)

GRID = ("国网四川省电力公司泸州供电公司", DepartmentKind.GRID)
COMMERCE = ("泸州市商务局", DepartmentKind.COMMERCE)

# The service network: the largest enterprises by output, most of them covered (包联).
LARGE = 60
UNCOVERED_EVERY = 8  # every eighth of them after the demo commissioner's has no commissioner yet
DEMO_COVERS = 5  # the demo commissioner login: the five enterprises it holds by hand
COMMISSIONERS = 8  # besides the demo login
COVERED_SINCE = dt.date(2022, 4, 25)  # commissioners sent after the city's April whitelist
AREA_SINCE = dt.date(2022, 3, 1)
PROJECT_SINCE = dt.date(2022, 6, 1)
HANDOVER = dt.date(2022, 9, 15)  # the last day the first commissioner covers it
# Leaders covering districts (包片): the demo leader login first.
LEADER_AREAS = ((JY,), (LMT, LX), (HJ, NX), (XY, GL))
GROUP_SIZE = 9  # the province's supervision group: a leader and eight members

TOTAL_PROBLEMS = 100
FROM_REPORTS = 10
# Stories of the problems drawn at random (the showcase and the reports add their own).
RANDOM_STORIES = {
    "submitted": 2,
    "accepted": 3,
    "in_progress": 3,
    "replied": 6,
    "closed_late": 6,
}
REPORT_STORIES = ("closed",) * 9 + ("closed_late",)
CATEGORY_WEIGHTS = {
    ProblemCategory.LOGISTICS: 25,
    ProblemCategory.RAW_MATERIALS: 22,
    ProblemCategory.LABOUR: 16,
    ProblemCategory.PASSES: 14,
    ProblemCategory.ENERGY: 8,
    ProblemCategory.LIVING_SUPPLIES: 6,
    ProblemCategory.PROTECTIVE_SUPPLIES: 4,
    ProblemCategory.CAPITAL: 3,
    ProblemCategory.POLICY: 2,
}
# Filing days of the emergency: few before static management, most in its first fortnight.
DAY_WEIGHTS = {
    **{dt.date(2022, 9, d): 1 for d in range(1, 8)},
    **{dt.date(2022, 9, d): 5 for d in range(8, 21)},
    **{dt.date(2022, 9, d): 2 for d in range(21, 30)},
}

ORIGINS = ("宜宾", "重庆", "自贡", "内江", "成都", "遵义", "乐山", "贵阳")
CHECKPOINTS = (
    "G93成渝环线高速泸州北收费站卡口",
    "G76厦蓉高速纳溪收费站卡口",
    "隆纳高速泸县收费站卡口",
    "合江县九支镇防疫卡口",
    "龙马潭区石洞卡点",
    "江阳区黄舣镇卡点",
    "泸州港进港卡口",
)
MATERIALS = {
    "15": ("高粱", "小麦", "玻璃酒瓶", "瓦楞纸箱", "酒盒"),
    "26": ("液氨", "硫酸", "甲醇", "包装桶"),
    "44": ("燃煤", "尿素", "备品备件"),
    "25": ("洗精煤", "焦煤"),
    "34": ("钢材", "铸件", "轴承", "液压件"),
    "35": ("钢材", "铸件", "电机"),
    "37": ("铝合金型材", "复合材料", "紧固件"),
    "38": ("铜杆", "电缆料", "绝缘材料"),
    "39": ("芯片", "电子元器件", "PCB板"),
    "27": ("原料药", "药用辅料", "玻璃安瓿瓶"),
    "13": ("大豆", "玉米", "包装膜"),
    "14": ("食用油", "白砂糖", "包装膜"),
    "30": ("石英砂", "纯碱", "耐火材料"),
    "22": ("原纸", "油墨"),
    "23": ("原纸", "油墨", "印版"),
    "29": ("PE粒料", "PP粒料"),
    "33": ("钢材", "锌锭"),
    "17": ("棉纱", "染料"),
}
PRODUCTS = {
    "15": "白酒",
    "26": "化工产品",
    "27": "药品",
    "13": "粮油产品",
    "14": "食品",
    "30": "玻璃制品",
    "22": "纸箱",
    "38": "电缆",
}


DEFAULT_INTERIM = "已受理，正在与相关部门对接，将尽快答复。"


@dataclass(frozen=True)
class Template:
    """One kind of problem: its title and description, the interim and the final reply."""

    title: str
    description: str
    reply: str
    interim: str = DEFAULT_INTERIM


TEMPLATES: dict[str, tuple[Template, ...]] = {
    ProblemCategory.LOGISTICS: (
        Template(
            "原料车被拦在{checkpoint}，无法进厂",
            "我司从{origin}采购的{material}共{trucks}车，被拦在{checkpoint}。司机持48小时核酸"
            "阴性证明，卡口仍要求原路返回。厂内{material}库存仅剩{days}天，请协调放行。",
            "已协调{checkpoint}：车辆凭重点物资运输车辆通行证和司机48小时核酸阴性证明“点对点”"
            "通行，{trucks}车{material}已进厂卸货。",
            "已与卡口所在区县防控指挥部对接，正在核实车辆和司机信息。",
        ),
        Template(
            "成品{product}无法外运，物流车辆出不了城",
            "受临时性静态管理影响，合作物流公司车辆停运，仓库成品{product}积压，已达{days}天产量，"
            "按合同本周须发往{origin}。",
            "已对接市交通运输局，协调两家重点物流企业闭环运输，成品车辆办理通行证后按核定线路出城。",
        ),
        Template(
            "{origin}方向干线物流停运，{material}到不了厂",
            "{origin}方向的零担专线暂停收货，我司{material}在途滞留，预计{days}天后断料，"
            "请协调替代运输渠道。",
            "已协调本地运输企业组建临时车队，司机闭环管理，{material}分两批运抵。",
        ),
        Template(
            "泸州港集装箱提货受阻，{material}滞留码头",
            "我司{material}{trucks}个集装箱已到泸州港，因集卡司机不足无法提箱，每日产生滞箱费，"
            "请协调。",
            "已协调泸州港务部门优先安排提箱，闭环集卡车队已完成转运。",
        ),
        Template(
            "货车司机返泸须隔离，运输车队无人可派",
            "我司自有车队{n}名司机外出送货后返泸，按要求须集中隔离，目前无司机可派，原料和成品"
            "运输中断。",
            "经与卫健部门会商，司机实行“闭环运输、落地检测”，核酸采样且抗原阴性后返回厂区闭环"
            "住宿，不再集中隔离。",
        ),
    ),
    ProblemCategory.RAW_MATERIALS: (
        Template(
            "{material}库存仅够{days}天，供应商停产断供",
            "我司主要{material}供应商在{origin}，受疫情影响停产，厂内库存仅够{days}天，断料后"
            "生产线将停产，请协助对接替代货源。",
            "已对接本地及{origin}工作专班，推荐替代供应商两家，首批{material}已发货，可保障两周"
            "生产。",
            "已在全市供应链企业中排查{material}替代供应商，正在对接。",
        ),
        Template(
            "上游配套企业封控停产，{material}断供",
            "为我司配套{material}的{district}企业所在区域实施静态管理，配套企业未纳入白名单，"
            "无法生产，请协调其闭环复产。",
            "已指导配套企业制定“一企一策”闭环生产方案，经区县审核后恢复生产，{material}恢复供应。",
        ),
        Template(
            "{material}在{origin}物流园滞留，无法调运",
            "已付款的{material}{trucks}车滞留在{origin}物流园，当地暂停车辆出园，请协调跨市调运。",
            "已请{origin}工作专班协调出园，车辆持通行证当日发出，已到厂。",
        ),
        Template(
            "{material}到货周期拉长，影响订单交付",
            "疫情期间{material}到货周期由3天延长到{days}天以上，价格上涨约15%，请协调保供渠道。",
            "已将企业纳入重点保供企业名单，协调供应商签订保供协议，按原周期供货。",
        ),
    ),
    ProblemCategory.LABOUR: (
        Template(
            "员工无法返岗，{n}人被封控在小区",
            "我司{n}名一线员工居住在{district}封控小区，无法返岗，闭环生产人手缺口较大，请协调"
            "符合条件的员工“点对点”返岗。",
            "已协调属地街道，对核酸阴性、非封控楼栋员工实行“两点一线”点对点接送，首批{n2}人"
            "已返岗。",
            "已将员工名单推送属地街道核查，符合条件的将安排点对点接送。",
        ),
        Template(
            "闭环生产人手不足，缺一线操作工约{n}人",
            "闭环生产后在厂员工仅为平时的六成，包装、装卸岗位缺口约{n}人，请协助招募志愿者或"
            "临时用工。",
            "已协调人社部门和团市委，组织志愿者{n2}人进厂支援，实行闭环管理。",
        ),
        Template(
            "外地技术人员无法来泸调试设备",
            "新购设备需厂家技术人员从{origin}来泸安装调试，目前无法入泸，设备无法投产。",
            "已协调技术人员持48小时核酸阴性证明闭环入厂，单人单间，调试完成后闭环返回。",
        ),
        Template(
            "住厂员工闭环{days}天，部分员工要求离厂",
            "闭环已{days}天，部分住厂员工家中老人小孩无人照顾，要求离厂，请协调属地帮助解决员工"
            "家庭困难。",
            "已请属地社区对员工家庭逐户走访，安排网格员代购送药，员工情绪稳定。",
        ),
    ),
    ProblemCategory.PASSES: (
        Template(
            "申请重点物资运输车辆通行证{trucks}张",
            "我司{material}和成品运输车辆共{trucks}辆，需办理重点物资运输车辆通行证，线路：{district}"
            "—{origin}。",
            "{trucks}张通行证已办结并推送企业，请司机按核定线路通行，随车携带核酸阴性证明。",
        ),
        Template(
            "员工通勤车通行证办理",
            "实行半封闭管理后员工“两点一线”通勤，需为{trucks}辆通勤大巴办理通行证，线路经{checkpoint}。",
            "通勤车通行证已办结，已告知{checkpoint}，按“点对点”接送路线通行。",
        ),
        Template(
            "通行证到期需续办，线路有变更",
            "我司{trucks}张通行证即将到期，部分车辆需改由{origin}方向进货，请办理续期和线路变更。",
            "已办理续期和线路变更，新证有效期一个月。",
        ),
        Template(
            "半挂车按牵引车办证，卡口以挂车号牌不符拦车",
            "我司半挂车通行证按牵引车号牌办理，{checkpoint}以挂车号牌不一致为由拦截，请明确办证口径。",
            "已明确：半挂车按牵引车号牌办证，已通知各卡口统一执行。",
        ),
    ),
    ProblemCategory.ENERGY: (
        Template(
            "天然气限供，锅炉无法满负荷运行",
            "燃气公司通知{district}工业用户天然气限供，我司日用气量被压减约三成，锅炉无法满负荷"
            "运行，请协调保供。",
            "已会同市发展改革委协调燃气公司，优先保障白名单企业用气，日供气量恢复至合同量。",
        ),
        Template(
            "所在线路计划检修，请求保障连续供电",
            "供电公司计划对我司所在10千伏线路检修停电，我司为连续生产企业，停电将导致生产线停车，"
            "请协调调整检修时间。",
            "已调整检修计划，改为带电作业，未对企业停电。",
        ),
        Template(
            "有序用电结束，申请恢复用电负荷",
            "8月有序用电期间我司负荷压减至五成，目前仍未恢复，请协调恢复正常用电。",
            "已按全省有序用电解除通知恢复企业用电负荷。",
        ),
        Template(
            "闭环生产期间申请保障双回路供电",
            "我司闭环生产，住厂员工{n}人，请求对厂区供电线路全接线、全保护运行。",
            "已安排对企业供电线路全接线、全保护运行，并派驻抢修队伍。",
        ),
    ),
    ProblemCategory.LIVING_SUPPLIES: (
        Template(
            "住厂员工{n}人生活物资紧缺，请求代购",
            "闭环生产住厂员工{n}人，食堂蔬菜、肉类仅够{days}天，周边超市停业，请协助“点单+代购”。",
            "已安排代购员对接超市，按企业点单配送蔬菜、肉类，已送达厂区。",
        ),
        Template(
            "闭环员工饮用水、洗漱用品供应不足",
            "住厂员工{n}人，饮用水和洗漱用品仅够{days}天，请协调保供企业配送。",
            "已协调保供企业配送，物资当天送达。",
        ),
        Template(
            "新增住厂员工{n}人，缺少床铺和被褥",
            "闭环后新增住厂员工{n}人，宿舍床铺和被褥不足，请协助解决。",
            "已协调爱心企业捐赠折叠床和被褥{n}套。",
        ),
    ),
    ProblemCategory.PROTECTIVE_SUPPLIES: (
        Template(
            "防护服、口罩、消杀物资短缺",
            "闭环生产消耗大，口罩和消杀用品仅够{days}天，请协调采购渠道。",
            "已协调本地防护物资生产企业供应，已配送到厂。",
        ),
        Template(
            "抗原检测试剂不足，无法按要求自测",
            "按要求住厂员工每日抗原自测，试剂仅够{days}天，请协调调配。",
            "已协调卫健部门调配抗原试剂{n}人份。",
        ),
    ),
    ProblemCategory.CAPITAL: (
        Template(
            "停产期间流动资金紧张，申请纾困贷款",
            "受停产和物流影响，应收账款回款困难，流动资金缺口较大，请协调金融机构纾困贷款。",
            "已推送合作银行对接专项再贷款，授信已审批。",
        ),
        Template(
            "申请缓缴社会保险费",
            "疫情期间生产经营困难，申请缓缴三个月社会保险费。",
            "已告知缓缴政策和办理流程，企业已提交申请。",
        ),
    ),
    ProblemCategory.POLICY: (
        Template(
            "咨询闭环生产企业纳入白名单的条件",
            "我司具备闭环生产条件，咨询纳入重点产业链供应链白名单的条件和流程。",
            "已解释白名单申请条件和流程，企业已通过属地乡镇（街道）提交申请。",
        ),
        Template(
            "咨询疫情期间稳岗补贴政策",
            "咨询疫情期间稳岗返还和留工培训补助的申报条件。",
            "已告知稳岗返还和一次性留工培训补助政策及申报方式。",
        ),
    ),
}
REPORT_REPLY = "已核实：原料运输车辆需办理通行证，已协调交通部门办结通行证{trucks}张，原料已进厂。"
START_NOTES = ("已联系企业核实情况。", "已电话联系企业负责人，了解具体需求。", "已到企业现场核实。")
COMMENTS = {
    5: ("响应迅速，问题当天解决，感谢专班！", "服务专员全程跟进，非常满意。", "解决及时，点赞。"),
    4: ("问题已解决，希望审批再快一些。", "总体满意，协调效率较高。"),
    3: ("问题基本解决，但协调时间较长。", "已解决，过程中沟通不够及时。"),
}
REOPEN_REASON = "车辆仍被拦在{checkpoint}，问题未解决，请继续协调。"

VISIT_PURPOSES = (
    "走访了解闭环生产情况",
    "现场协调原料运输问题",
    "督导疫情防控和安全生产",
    "回访诉求办理情况",
    "了解员工返岗和住厂保障情况",
)
FINDINGS = (
    "企业闭环生产运行正常，在厂员工{n}人，住厂{m}人；原料库存约{days}天。企业反映{issue}，"
    "已现场登记并交办。",
    "检查“防疫泡泡”闭环管理落实情况：边界封闭、食宿保障到位，隔离观察室{r}间。未发现新问题。",
    "了解复工复产进度，产能利用率约{p}%。企业反映{issue}，已协调相关部门办理。",
    "督导核酸检测和人员进出管理，要求严格落实“两点一线”，住厂员工{m}人情绪稳定。",
    "回访已办结诉求，企业对办理结果满意；提醒企业提前做好国庆期间原料储备。",
)
ISSUES = ("物流运输困难", "原料库存偏紧", "一线员工返岗难", "通行证办理慢", "天然气限供")
PLANNED_PURPOSES = (
    "回访诉求办理情况",
    "了解企业四季度生产计划和用工需求",
    "宣讲稳增长政策措施",
    "检查安全生产和应急预案",
)


# ---- plans ----------------------------------------------------------------------------------


@dataclass
class _Step:
    """One thing done to a problem at a time of the scenario."""

    at: dt.datetime
    kind: str  # accept, start, interim, reply, reopen, confirm, reassign
    text: str = ""
    rating: int = 0


@dataclass
class _Plan:
    """A problem to file and what happens to it."""

    key: int
    enterprise: Enterprise
    category: str
    urgency: str
    template: Template | None
    context: dict[str, Any]
    filed_at: dt.datetime
    filer: str  # liaison, commissioner, official
    story: str
    report: DailyReport | None = None
    steps: list[_Step] = field(default_factory=list)

    def fill(self, text: str) -> str:
        return text.format(**self.context)


@dataclass(frozen=True)
class _State:
    """What a step needs of a problem as it stands: who handles it, at which version."""

    pk: int
    version: int
    handler_id: int | None
    department_id: int | None
    enterprise: Enterprise


@dataclass
class DemoProblems:
    """What the demo's problems and service network came to."""

    problems: int
    by_status: dict[str, int]
    escalated: int
    at_province: int
    coverage: int
    visits_done: int
    visits_planned: int
    working_groups: int
    letters: int
    linked_visits: int

    def summary(self) -> str:
        states = ", ".join(f"{n} {s}" for s, n in self.by_status.items())
        extra = f", {self.letters} coordination letter(s)" if self.letters else ""
        return (
            f"problems: {self.problems} ({states}); {self.escalated} escalated, "
            f"{self.at_province} at the province{extra}; coverage: {self.coverage} assignments; "
            f"visits: {self.visits_done} done, {self.visits_planned} planned; working groups: "
            f"{self.working_groups}"
        )


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), TZ)


def _district(enterprise: Enterprise) -> str:
    return enterprise.region.code[:6]


class _Run:
    """One build: the people, the network, the queue of steps in scenario time."""

    def __init__(
        self,
        actor: SystemActor,
        seed: int,
        password: str,
        name: Callable[[random.Random], str],
    ):
        self.actor = actor
        self.rng = random.Random(seed * 1000 + STREAM)
        self.password = password
        self.name = name
        self.queue: list[tuple[dt.datetime, int, int, Callable[[dt.datetime], bool]]] = []
        self.seq = 0
        self.keys = 0
        self.ids: dict[int, int] = {}  # plan key -> problem id
        self.first_notification = Notification.objects.aggregate(top=Max("pk"))["top"] or 0
        self.visits_done = 0
        self.linked_visits = 0
        # enterprise id -> (since, until, commissioner), the handover included from the start
        self.cover: dict[int, list[tuple[dt.date, dt.date | None, User]]] = {}
        self.handover: tuple[int, Enterprise, User, User] | None = None
        self.province_plan: _Plan | None = None
        self.users: dict[int, User] = {}
        self.states: dict[int, _State] = {}  # problem id -> as it stands
        self.owed: dict[int, dict[str, dt.datetime]] = {}  # problem id -> deadlines owed
        self.last_sweep = _at(FIRST_DAY, 0) - SWEEP_EVERY
        self.limits: dict[tuple[str, str], problem_selectors.Limits] = {}

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
            display_name=f"{self.name(self.rng)}（{office}）",
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
        coverage = service_services.assign_coverage(
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
                service_services.assign_coverage(
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
            project = service_services.create_key_project(
                actor=self.actor,
                enterprise=enterprise,
                name=pattern.format(name=short),
                description="市级重点项目，实行首席服务官全程跟踪服务。",
            )
            service_services.assign_coverage(
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
        service_services.create_working_group(
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
        service_services.create_working_group(
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

    def _stamp(self, problem: Problem, when: dt.datetime, *, filed: bool = False) -> None:
        """Demo-only: put the times the service just stamped (and the deadlines counted from
        them) on the scenario's clock, with the timeline events of the step."""
        changes: dict[str, Any] = {
            name: when
            for name in (
                "filed_at",
                "accepted_at",
                "started_at",
                "interim_replied_at",
                "replied_at",
                "reopened_at",
                "closed_at",
            )
            if (value := getattr(problem, name)) is not None and value > CUTOFF
        }
        kind = (problem.category, problem.urgency)
        if kind not in self.limits:
            self.limits[kind] = problem_selectors.limits_for(*kind)
        limits = self.limits[kind]
        if filed:
            changes["acknowledge_due"] = when + dt.timedelta(hours=limits.acknowledge_hours)
            changes["interim_due"] = add_working_days(when, limits.interim_days)
        if filed or "reopened_at" in changes:
            changes["close_due"] = add_working_days(when, limits.close_days)
        if changes:
            Problem.objects.filter(pk=problem.pk).update(**changes)
        ProblemEvent.objects.filter(problem_id=problem.pk, at__gt=CUTOFF).update(at=when)
        self._remember(problem, changes)

    def _remember(self, problem: Problem, changes: dict[str, Any]) -> None:
        """Keep what the next step needs, and the deadlines the handler side still owes (as
        `selectors.unmet_deadlines` counts them), so that a sweep runs only when one passes."""
        self.states[problem.pk] = _State(
            problem.pk,
            problem.version,
            problem.handler_id,
            problem.department_id,
            self.by_pk[problem.enterprise_id],
        )
        owed = self.owed.setdefault(problem.pk, {})
        for name in ("acknowledge_due", "interim_due", "close_due"):
            if name in changes:
                owed[name] = changes[name]
        for name, met in (
            ("acknowledge_due", problem.accepted_at),
            ("interim_due", problem.interim_replied_at),
            ("close_due", problem.replied_at),
        ):
            if met is not None:
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

        when = _at(FIRST_DAY, 0)
        while when < END:
            self.schedule(when, sweep, last=True)
            when += SWEEP_EVERY
        self.schedule(END, sweep, last=True)

    # -- problems ----------------------------------------------------------------------------

    def official(self, enterprise: Enterprise) -> User:
        """Who takes up what no one is assigned: the district, the park, or the city."""
        if _district(enterprise) == JY:
            return self.district
        if enterprise.park is not None and enterprise.park.code == "LZ-HIGHTECH":
            return self.park_user
        return self.bureau

    def handler_of(self, problem: _State) -> Actor:
        if problem.handler_id is not None:
            return self.user(problem.handler_id)
        if problem.department_id is not None and problem.department_id in self.members:
            return self.members[problem.department_id]
        return self.official(problem.enterprise)

    def confirmer(self, problem: _State) -> Actor:
        # Only the demo enterprise has a liaison login; the demo confirms for the others.
        return self.liaison if problem.enterprise.pk == self.liaison_enterprise_id else self.actor

    def user(self, pk: int) -> User:
        if pk not in self.users:
            self.users[pk] = User.objects.get(pk=pk)
        return self.users[pk]

    def _load(self, key: int) -> _State:
        pk = self.ids[key]
        if pk not in self.states:
            row = Problem.objects.filter(pk=pk).values_list(
                "version", "handler_id", "department_id", "enterprise_id"
            )[0]
            version, handler_id, department_id, enterprise_id = row
            self.states[pk] = _State(
                pk, version, handler_id, department_id, self.by_pk[enterprise_id]
            )
        return self.states[pk]

    def file(self, plan: _Plan) -> None:
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
                problem = problem_lifecycle.file_from_report(actor=filer, report=plan.report)
            else:
                assert plan.template is not None
                problem = problem_lifecycle.file_problem(
                    actor=filer,
                    enterprise_id=enterprise.pk,
                    category=plan.category,
                    title=plan.fill(plan.template.title),
                    description=plan.fill(plan.template.description),
                    urgency=plan.urgency,
                )
            self.ids[plan.key] = problem.pk
            self._stamp(problem, when, filed=True)
            return True

        self.schedule(plan.filed_at, run)
        for step in plan.steps:
            self.schedule(step.at, self._step(plan.key, step))

    def _step(self, key: int, step: _Step) -> Callable[[dt.datetime], bool]:
        def run(when: dt.datetime) -> bool:
            problem = self._load(key)
            pk, version = problem.pk, problem.version
            done: Problem
            if step.kind == "accept":
                done = problem_lifecycle.accept_problem(
                    actor=self.handler_of(problem), problem_id=pk, version=version
                )
            elif step.kind == "start":
                done = problem_lifecycle.start_problem(
                    actor=self.handler_of(problem), problem_id=pk, version=version, note=step.text
                )
            elif step.kind in ("interim", "reply"):
                done = problem_lifecycle.reply_problem(
                    actor=self.handler_of(problem),
                    problem_id=pk,
                    version=version,
                    text=step.text,
                    final=step.kind == "reply",
                )
            elif step.kind == "reopen":
                done = problem_lifecycle.reopen_problem(
                    actor=self.confirmer(problem), problem_id=pk, version=version, reason=step.text
                )
            elif step.kind == "confirm":
                done = problem_lifecycle.confirm_problem(
                    actor=self.confirmer(problem),
                    problem_id=pk,
                    version=version,
                    rating=step.rating,
                    comment=step.text,
                )
            elif step.kind == "reassign":
                done = problem_lifecycle.reassign_problem(
                    actor=self.bureau,
                    problem_id=pk,
                    version=version,
                    reason=step.text,
                    handler=self.bureau,
                )
            else:
                raise ValueError(step.kind)
            self._stamp(done, when)
            return True

        return run

    def _context(self, enterprise: Enterprise) -> dict[str, Any]:
        rng = self.rng
        industry = enterprise.industry.code
        n = rng.randint(8, 60)
        district = self.regions.get(_district(enterprise))
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
    ) -> _Plan:
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
        plan = _Plan(
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

    def _reply_text(self, plan: _Plan) -> str:
        if plan.template is None:
            return plan.fill(REPORT_REPLY)
        return plan.fill(plan.template.reply)

    def _rating(self, whitelisted: bool, late: bool) -> int:
        if late:
            return self.rng.choice((3, 4))
        weights = (8, 32, 60) if whitelisted else (15, 40, 45)
        return self.rng.choices((3, 4, 5), weights=weights)[0]

    def _steps(self, plan: _Plan, whitelisted: bool) -> list[_Step]:
        """The steps of a story, each within the deadlines it is meant to meet (working days
        are never fewer than calendar days, so two calendar days meet three working days)."""
        rng, f = self.rng, plan.filed_at
        minutes = dt.timedelta(minutes=1)
        hours = dt.timedelta(hours=1)
        steps: list[_Step] = []
        story = plan.story
        if story == "submitted":
            return steps
        late = story == "closed_late"
        # Late: past the hour allowed and past the next sweep; on time: within the hour.
        late_by = SWEEP_EVERY + rng.uniform(1, 6) * hours
        accepted = f + (late_by if late else rng.uniform(10, 50) * minutes)
        steps.append(_Step(accepted, "accept"))
        if story == "accepted":
            return steps
        t = accepted
        if story == "in_progress" or rng.random() < 0.3:
            t += rng.uniform(10, 120) * minutes
            steps.append(_Step(t, "start", rng.choice(START_NOTES)))
        if story == "in_progress" or rng.random() < 0.2:
            t += rng.uniform(1, 6) * hours
            interim = plan.template.interim if plan.template else DEFAULT_INTERIM
            steps.append(_Step(t, "interim", plan.fill(interim)))
        if story == "in_progress":
            return steps
        low, high = (3, 20) if whitelisted else (5, 40)
        replied = max(accepted + rng.uniform(low, high) * hours, t + hours)
        replied = min(replied, END - 2 * hours)
        steps.append(_Step(replied, "reply", self._reply_text(plan)))
        if story == "replied":
            return steps
        confirmed = replied + rng.uniform(1, 30) * hours
        if confirmed <= END:
            rating = self._rating(whitelisted, late)
            steps.append(_Step(confirmed, "confirm", rng.choice(COMMENTS[rating]), rating))
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
        return _at(day, 0) + dt.timedelta(minutes=round(rng.uniform(first, last) * 60))

    def _weights(self, candidates: list[Enterprise], prefer_listed: float) -> list[float]:
        """How likely each enterprise is to have a problem: mostly those in the districts under
        static management, more often one with a commissioner, listed ones as asked."""
        return [
            (prefer_listed if e.whitelist_level else 1)
            * (2 if e.pk in self.cover else 1)
            * (1 if _district(e) in STATIC else 0.15)
            for e in candidates
        ]

    def showcase(self) -> list[_Plan]:
        """The problems the demo logins are shown: the liaison's enterprise, the commissioner's,
        the transport bureau's, the one that went up to the province."""
        liaison_enterprise = next(e for e in self.enterprises if e.pk == self.liaison_enterprise_id)
        mine = [e for e in self.by_size[:DEMO_COVERS] if e.pk != liaison_enterprise.pk]
        jiangyang = next(
            (
                e
                for e in self.by_size
                if _district(e) == JY and e.pk != liaison_enterprise.pk and e.whitelist_level
            ),
            mine[0],
        )
        heavy = next(
            (e for e in self.by_size if e.industry.code in ("30", "26") and _district(e) in STATIC),
            mine[1],
        )
        day = dt.date
        plans = [
            self.plan(
                liaison_enterprise,
                "closed",
                _at(day(2022, 9, 9), 10, 20),
                category=ProblemCategory.RAW_MATERIALS,
                template=0,
                filer="liaison",
            ),
            self.plan(
                liaison_enterprise,
                "replied",
                _at(day(2022, 9, 28), 9, 40),
                category=ProblemCategory.LABOUR,
                template=0,
                filer="liaison",
            ),
            self.plan(
                liaison_enterprise,
                "in_progress",
                _at(day(2022, 9, 22), 10, 15),
                category=ProblemCategory.LOGISTICS,
                template=1,
                filer="commissioner",
            ),
            self.plan(
                mine[0],
                "submitted",
                _at(day(2022, 9, 30), 9, 10),
                category=ProblemCategory.RAW_MATERIALS,
                template=0,
                filer="commissioner",
                urgency=Urgency.URGENT,
            ),
            self.plan(
                mine[1],
                "accepted",
                _at(day(2022, 9, 26), 14, 20),
                category=ProblemCategory.LABOUR,
                template=1,
                filer="commissioner",
            ),
            self.plan(
                jiangyang,
                "closed",
                _at(day(2022, 9, 10), 11, 0),
                category=ProblemCategory.PASSES,
                template=0,
                filer="official",
            ),
            self.plan(
                heavy,
                "closed",
                _at(day(2022, 9, 16), 15, 30),
                category=ProblemCategory.ENERGY,
                template=0,
                filer="commissioner",
            ),
        ]
        reopened = self.plan(
            jiangyang,
            "reopened",
            _at(day(2022, 9, 14), 10, 0),
            category=ProblemCategory.LOGISTICS,
            template=0,
            filer="official",
            urgency=Urgency.URGENT,
        )
        reopened.steps = [
            _Step(_at(day(2022, 9, 14), 10, 25), "accept"),
            _Step(
                _at(day(2022, 9, 14), 17, 40),
                "reply",
                reopened.fill(TEMPLATES[ProblemCategory.LOGISTICS][0].reply),
            ),
            _Step(_at(day(2022, 9, 15), 9, 10), "reopen", reopened.fill(REOPEN_REASON)),
            _Step(
                _at(day(2022, 9, 15), 16, 30),
                "reply",
                "已与卡口所在区县防控指挥部再次会商，卡口已将企业车辆纳入白名单车辆库，凭证直接放行。",
            ),
            _Step(_at(day(2022, 9, 16), 10, 0), "confirm", "第二次协调到位，车辆已正常通行。", 4),
        ]
        plans.append(reopened)
        plans.append(self._province())
        return plans

    def _province(self) -> _Plan:
        """A raw material held in Yibin: the commissioner is late, the city task force takes
        it over, misses its interim reply and it goes up to the province."""
        enterprise = self.chemical
        plan = self.plan(
            enterprise,
            "province",
            _at(dt.date(2022, 9, 13), 9, 30),
            category=ProblemCategory.RAW_MATERIALS,
            template=2,
            filer="commissioner",
            urgency=Urgency.URGENT,
        )
        plan.context["origin"] = "宜宾"
        plan.context["material"] = MATERIALS.get(enterprise.industry.code, ("原辅材料",))[0]
        day = dt.date
        plan.steps = [
            _Step(_at(day(2022, 9, 13), 14, 0), "accept"),
            _Step(
                _at(day(2022, 9, 13), 14, 30),
                "reassign",
                "原料滞留在宜宾，需跨市协调，转市工作专班办理。",
            ),
            _Step(_at(day(2022, 9, 13), 15, 0), "start", "已联系宜宾市工作专班。"),
            _Step(
                _at(day(2022, 9, 19), 10, 30),
                "interim",
                "已于9月14日致函宜宾市疫情防控指挥部请求协助放行，正在等待对方复函。",
            ),
            _Step(
                _at(day(2022, 9, 20), 17, 0),
                "interim",
                plan.fill(
                    "宜宾市复函：物流园所在区域仍在静态管理，货物暂缓出园，管控调整后优先安排。"
                    "已协调本地供应商应急供应部分{material}。"
                ),
            ),
        ]
        self.province_plan = plan
        return plan

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
            )
            letter_id = letter.pk
            self._stamp_letter(letter, when)
            return True

        def send(when: dt.datetime) -> bool:
            letter = CoordinationLetter.objects.get(pk=letter_id)
            self._stamp_letter(
                problem_letters.send_letter(
                    actor=self.bureau, letter_id=letter_id, version=letter.version
                ),
                when,
            )
            return True

        def answer(when: dt.datetime) -> bool:
            letter = CoordinationLetter.objects.get(pk=letter_id)
            self._stamp_letter(
                problem_letters.record_letter_reply(
                    actor=self.bureau,
                    letter_id=letter_id,
                    version=letter.version,
                    text=(
                        "经核查，宜宾物流园所在区域仍处于临时性静态管理，园区货物暂缓出园；"
                        "待管控措施调整后，优先安排贵市企业车辆出园，预计10月上旬。"
                    ),
                ),
                when,
            )
            return True

        day = dt.date(2022, 9, 14)
        self.schedule(_at(day, 10, 0), draft)
        self.schedule(_at(day, 15, 0), send)
        self.schedule(_at(dt.date(2022, 9, 20), 16, 0), answer)

    def _stamp_letter(self, letter: CoordinationLetter, when: dt.datetime) -> None:
        """Demo-only: the letter's times on the scenario's clock; sent, it takes its number in
        the 2022 register rather than the year of the build, on the timeline too."""
        changes: dict[str, Any] = {
            name: when
            for name in ("drafted_at", "sent_at", "replied_at", "withdrawn_at")
            if (value := getattr(letter, name)) is not None and value > CUTOFF
        }
        if "sent_at" in changes:
            year = when.year
            taken = CoordinationLetter.objects.filter(
                issuer_region=letter.issuer_region_id, year=year
            ).aggregate(top=Max("serial"))["top"]
            serial = (taken or 0) + 1
            number = problem_selectors.NUMBER_FORMAT.format(
                abbreviation=problem_selectors.abbreviation(letter.issuer_region),
                year=year,
                serial=serial,
            )
            changes |= {
                "year": year,
                "serial": serial,
                "number": number,
                "reply_due": add_working_days(when, letter.reply_days),
            }
            events = ProblemEvent.objects.filter(problem_id=letter.problem_id, at__gt=CUTOFF)
            for event in events.filter(note__contains=letter.number):
                ProblemEvent.objects.filter(pk=event.pk).update(
                    note=event.note.replace(letter.number, number)
                )
        CoordinationLetter.objects.filter(pk=letter.pk).update(**changes)
        ProblemEvent.objects.filter(problem_id=letter.problem_id, at__gt=CUTOFF).update(at=when)

    def from_reports(self) -> list[_Plan]:
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
            filed = _at(report.date, 17) + dt.timedelta(minutes=self.rng.randrange(150))
            plans.append(
                self.plan(report.enterprise, story, filed, report=report, filer="commissioner")
            )
        return plans

    def random_plans(self, count: int) -> list[_Plan]:
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

    def handover_step(self) -> None:
        """Mid-September a commissioner hands an enterprise over: the coverage ends, the next
        one starts the day after, and what the first one still held is passed on."""
        if self.handover is None:
            return
        coverage_id, enterprise, old, new = self.handover

        def run(when: dt.datetime) -> bool:
            service_services.end_coverage(actor=self.actor, coverage_id=coverage_id, until=HANDOVER)
            service_services.assign_coverage(
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
                )
                self._stamp(done, when)
            return True

        self.schedule(_at(HANDOVER, 18), run)

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
            visit = service_services.record_visit(
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
        return _at(day, 9) + dt.timedelta(minutes=self.rng.randrange(0, 7 * 60, 10))

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
            theirs = [e for e in self.by_size[:200] if _district(e) in codes]
            for enterprise in self.rng.sample(theirs, min(2, len(theirs))):
                self._visit(
                    leader,
                    enterprise,
                    self._visit_time(dt.date(2022, 9, 9), dt.date(2022, 9, 25)),
                    companions="区县经信局、属地乡镇（街道）负责同志",
                )
        head, *members = self.group
        companions = "、".join(m.display_name.split("（")[0] for m in members[:3])
        static = [e for e in self.by_size[:40] if _district(e) in (JY, LMT, NX)]
        for n, enterprise in enumerate(static[:3]):
            # The group's members hold no visiting role of their own: the demo records for them.
            self._visit(
                head,
                enterprise,
                _at(dt.date(2022, 9, 14 + n), 10),
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
                    service_services.plan_visit(
                        actor=user,
                        enterprise=by_pk[pk],
                        planned_for=today + dt.timedelta(days=self.rng.randint(1, 21)),
                        purpose=self.rng.choice(PLANNED_PURPOSES),
                    )
                )
        jiangyang = [e for e in self.by_size if _district(e) == JY]
        if jiangyang:
            planned.append(
                service_services.plan_visit(
                    actor=self.leader,
                    enterprise=jiangyang[0],
                    planned_for=today + dt.timedelta(days=7),
                    purpose="调研企业四季度生产和重点项目推进情况",
                )
            )
        cancelled = planned[3::5]
        for visit in cancelled:
            service_services.cancel_visit(
                actor=visit.visitor, visit_id=visit.pk, reason="企业设备检修，改期走访。"
            )
        return len(planned) - len(cancelled)

    # -- the end -----------------------------------------------------------------------------

    def check(self) -> None:
        """The list page flags deadlines at the real time: a problem still open at the end must
        already have been overdue (and escalated) in 2022, or it would look late only today."""
        stray = Problem.objects.filter(status__in=OPEN_STATUSES, overdue_since__isnull=True)
        if stray.exists():
            raise RuntimeError(f"Open demo problems that were on time at the end: {list(stray)}")
        # Demo-only: what arrived before the last day has been read by now.
        Notification.objects.filter(
            pk__gt=self.first_notification, created__lt=END - READ_BEFORE
        ).update(read_at=F("created") + dt.timedelta(hours=1))


def build_problems(actor: SystemActor, *, seed: int, password: str) -> DemoProblems:
    """The calendar, routing, service network, problems and visits of the demo city; the new
    people sign in with `password` like the demo logins."""
    # The city imports this module; its name generator is loaded by the time this runs.
    from keepline.demo.city import person_name

    with translation.override(settings.LANGUAGE_CODE):
        run = _Run(actor, seed, password, person_name)
        run.load()
        run.calendar()
        run.people()
        run.routing()
        run.network()
        groups = run.working_groups()
        plans = run.showcase()
        plans += run.from_reports()
        plans += run.random_plans(TOTAL_PROBLEMS - len(plans))
        for plan in sorted(plans, key=lambda p: (p.filed_at, p.key)):
            run.file(plan)
        run.handover_step()
        run.letter()
        run.visits()
        run.sweeps()
        run.play()
        planned = run.planned_visits()
        run.check()
    problems = Problem.objects.all()
    by_status = Counter(problems.values_list("status", flat=True))
    return DemoProblems(
        problems=problems.count(),
        by_status={s.value: by_status.get(s.value, 0) for s in ProblemStatus},
        escalated=problems.exclude(tier=Tier.LOCAL).count(),
        at_province=problems.filter(tier=Tier.PROVINCE).count(),
        coverage=Coverage.objects.count(),
        visits_done=run.visits_done,
        visits_planned=planned,
        working_groups=groups,
        letters=CoordinationLetter.objects.count(),
        linked_visits=run.linked_visits,
    )
