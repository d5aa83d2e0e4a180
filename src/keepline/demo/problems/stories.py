"""What the demo's problems are made of: the scenario's clock and places, the shares of each
story, and the words of the problems, replies, visits and findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from keepline.core.models import DepartmentKind
from keepline.core.scopes import SystemActor
from keepline.demo.common import TZ
from keepline.problems.models import ProblemCategory

STREAM = 73  # this module's draws: random.Random(seed * 1000 + STREAM)
# Notifications are stamped at the real time; anything later than this was stamped by the build.
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
