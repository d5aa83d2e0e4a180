"""What the demo's generators share: the city's time zone and its people's names."""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江"
    "史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文"
    "辉力鹏飞斌宇浩凯琳晨欣雪梅林波丹宁峰健亮俊松海燕"
)


def person_name(rng: random.Random) -> str:
    """A plausible Chinese personal name: one surname and one or two given characters."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given
