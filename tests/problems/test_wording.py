"""Words that mean something else elsewhere carry a translation context, so the Chinese can
differ: an urgency "Normal" (一般) is not the production mode (正常生产), a problem "Closed"
(办结) and its close deadline are not an alert closed (关闭), a letter's "To" is not a date."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from keepline.problems.models import ProblemStatus, Urgency
from keepline.problems.tasks import DEADLINE_LABELS
from tests.conftest import World
from tests.problems.conftest import file
from tests.problems.support import draft


@pytest.mark.parametrize(
    ("label", "plain"),
    [
        (lambda: Urgency.NORMAL.label, "Normal"),
        (lambda: ProblemStatus.CLOSED.label, "Closed"),
        (lambda: DEADLINE_LABELS["close"], "Close"),
    ],
)
def test_in_chinese_they_are_not_the_other_apps_words(label: Any, plain: str) -> None:
    with translation.override("zh-hans"):
        other = gettext(plain)
        assert other != plain  # translated elsewhere: 正常生产, 已关闭, 关闭
        assert str(label()) != other


def test_the_pages_use_the_contexts(world: World) -> None:
    problem = file(world)
    draft(world, problem.pk)
    client = world.client("bureau")
    client.cookies["django_language"] = "zh-hans"
    detail = client.get(f"/problems/{problem.pk}/").content.decode()
    # The letter's addressee line does not start with 截止日期 (the date range's "To").
    assert gettext_zh("To") not in detail
    filing = world.client("liaison")
    filing.cookies["django_language"] = "zh-hans"
    form = filing.get("/problems/file/").content.decode()
    assert f">{gettext_zh('File')}<" not in form  # the button files; it is not a file (文件)


def gettext_zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)
