"""The Excel import of problems: every bad row reported as "row N, column: message", nothing
written unless all rows are good; routed and given deadlines like a filed problem."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from keepline.core.menu import items, opens
from keepline.core.models import AuditEvent
from keepline.problems import importing
from keepline.problems.calendar import add_working_days
from keepline.problems.models import Problem, Urgency
from tests.conftest import World
from tests.problems.support import workbook

ZH = ["统一社会信用代码", "类别", "紧急程度", "问题", "详细情况", "提出时间"]
EN = ["Unified social credit code", "Category", "Urgency", "Problem", "Details", "Filed at"]


def _upload(data: bytes, name: str = "problems.xlsx") -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_good_rows_are_filed_routed_and_given_deadlines_from_their_time(world: World) -> None:
    filed = dt.datetime(2022, 9, 13, 9, 30)  # a Tuesday, Asia/Shanghai
    data = workbook(
        [
            EN,
            [world.enterprise.uscc, "logistics", "urgent", "原料车被拦", "两辆车", filed],
            [world.enterprise.uscc, "Energy", "", "天然气不足", None, "2022-09-14"],
        ]
    )
    response = world.client("district").post("/problems/import/", {"file": _upload(data)})
    assert response.status_code == 302
    first, second = Problem.objects.order_by("id")
    assert (first.source, first.category, first.urgency) == ("import", "logistics", "urgent")
    assert (second.category, second.urgency) == ("energy", "normal")
    assert first.filed_at == timezone.make_aware(filed)
    assert first.close_due == add_working_days(first.filed_at, 5)
    assert first.handler == world.users["commissioner"]  # no rule: the commissioner
    assert first.filed_by_name == "district"
    assert AuditEvent.objects.filter(action="problems.problem_filed").count() == 2


def test_check_only_writes_nothing(world: World) -> None:
    data = workbook([EN, [world.enterprise.uscc, "energy", "", "停电", "", ""]])
    response = world.client("district").post(
        "/problems/import/", {"file": _upload(data), "check_only": "on"}
    )
    assert response.status_code == 200
    assert 'id="import-ready"' in response.content.decode()
    assert not Problem.objects.exists()


def test_every_bad_row_is_reported_and_nothing_is_written(world: World) -> None:
    future = timezone.localtime() + dt.timedelta(days=2)
    data = workbook(
        [
            EN,
            [world.enterprise.uscc, "energy", "", "停电", "", ""],
            ["91510500MA00000000", "energy", "", "停电", "", ""],
            [world.foreign_enterprise.uscc, "energy", "", "停电", "", ""],
            [world.enterprise.uscc, "weather", "", "下雨", "", ""],
            [world.enterprise.uscc, "energy", "", "", "", ""],
            [world.enterprise.uscc, "energy", "", "明天", "", future.replace(tzinfo=None)],
            [world.enterprise.uscc, "energy", "soon", "停电", "", "yesterday"],
        ]
    )
    check = importing.check_file(actor=world.users["district"], filename="p.xlsx", data=data)
    found = {(e.row, e.column) for e in check.errors}
    assert found == {
        (3, "uscc"),
        (4, "uscc"),
        (5, "category"),
        (6, "title"),
        (7, "filed_at"),
        (8, "urgency"),
        (8, "filed_at"),
        (8, "title"),  # the same problem as row 2
    }
    messages = [str(e) for e in check.errors]
    assert "row 4, Unified social credit code: This enterprise is outside your area." in messages
    assert "row 5, Category: Unknown category: weather." in messages
    assert "row 7, Filed at: The filing time is in the future." in messages
    response = world.client("district").post("/problems/import/", {"file": _upload(data)})
    assert response.status_code == 400
    assert response.content.decode().count("data-row=") == len(check.errors)
    assert not Problem.objects.exists()


def test_chinese_headers_and_the_template_read_back(world: World) -> None:
    data = workbook([ZH, [world.enterprise.uscc, "logistics", "critical", "原料车被拦", "", ""]])
    check = importing.check_file(actor=world.users["bureau"], filename="p.xlsx", data=data)
    assert check.ok and check.rows[0]["urgency"] == "critical"
    template = world.client("district").get("/problems/import/template.xlsx")
    assert template.status_code == 200
    check = importing.check_file(
        actor=world.users["district"], filename="t.xlsx", data=template.content
    )
    # The example's code belongs to no enterprise here; every column was recognised.
    assert [(e.row, e.column) for e in check.errors] == [(2, "uscc")]
    missing = workbook([["Problem"], ["停电"]])
    with pytest.raises(Exception, match="Columns missing"):
        importing.check_file(actor=world.users["district"], filename="m.xlsx", data=missing)


def test_the_api_checks_and_imports(world: World) -> None:
    api = world.client("bureau")
    good = workbook([EN, [world.enterprise.uscc, "energy", "", "停电", "", ""]])
    checked = api.post("/api/problems/import", {"file": _upload(good), "check": "true"})
    assert checked.status_code == 200, checked.content
    assert checked.json() == {"checked": 1, "imported": []}
    assert not Problem.objects.exists()
    done = api.post("/api/problems/import", {"file": _upload(good)})
    assert done.status_code == 200
    assert done.json()["imported"] == [Problem.objects.get().pk]
    bad = workbook([EN, [world.enterprise.uscc, "weather", "", "停电", "", ""]])
    refused = api.post("/api/problems/import", {"file": _upload(bad)})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"row 2, Category": ["Unknown category: weather."]}
    assert Problem.objects.count() == 1
    assert (
        world.client("liaison").post("/api/problems/import", {"file": _upload(good)}).status_code
        == 403
    )


def test_the_command_checks_and_imports(world: World, tmp_path: Path) -> None:
    path = tmp_path / "problems.xlsx"
    path.write_bytes(workbook([EN, [world.enterprise.uscc, "energy", "", "停电", "", ""]]))
    out = io.StringIO()
    call_command("import-problems", str(path), "--check", stdout=out)
    assert "1 rows are good" in out.getvalue()
    assert not Problem.objects.exists()
    call_command("import-problems", str(path), stdout=out)
    assert Problem.objects.get().filed_by_name == "command:import-problems"
    path.write_bytes(workbook([EN, ["nonsense", "energy", "", "停电", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-problems", str(path), stderr=err)
    assert "row 2, Unified social credit code" in err.getvalue()
    assert Problem.objects.count() == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_urgency_is_read_in_the_ledgers_words_and_codes(world: World, language: str) -> None:
    words = {
        "一般": "normal",
        "普通": "normal",
        "紧急": "urgent",
        "特急": "critical",
        "normal": "normal",
        "Urgent": "urgent",
        "CRITICAL": "critical",
        "": "normal",
    }
    rows = [
        (
            n,
            {
                "uscc": world.enterprise.uscc,
                "category": "energy",
                "urgency": w,
                "title": f"停电{n}",
            },
        )
        for n, w in enumerate(words, start=2)
    ]
    with translation.override(language):
        # The interface's own label of each urgency, whatever the translation says.
        labels = {str(u.label): u.value for u in Urgency}
        check = importing.check_import(actor=world.users["district"], rows=rows)
        for label, code in labels.items():
            one = importing.check_import(
                actor=world.users["district"],
                rows=[
                    (
                        2,
                        {
                            "uscc": world.enterprise.uscc,
                            "category": "energy",
                            "urgency": label,
                            "title": "x",
                        },
                    )
                ],
            )
            assert one.ok and one.rows[0]["urgency"] == code, label
        # 正常生产 is the production mode "Normal", not an urgency.
        mode = importing.check_import(
            actor=world.users["district"],
            rows=[
                (
                    2,
                    {
                        "uscc": world.enterprise.uscc,
                        "category": "energy",
                        "urgency": "正常生产",
                        "title": "x",
                    },
                )
            ],
        )
    assert check.ok, check.errors
    assert [r["urgency"] for r in check.rows] == list(words.values())
    assert [(e.row, e.column) for e in mode.errors] == [(2, "urgency")]


def test_the_import_is_in_the_menu_of_those_who_file_over_an_area(world: World) -> None:
    """A creating menu item names the right it needs: filing over an area. A liaison or a
    commissioner files for single enterprises and is not offered the import."""
    item = next(i for i in items() if i.url_name == "problems:import")
    offered = {role for role, user in world.users.items() if opens(user, item)}
    assert offered == {"admin", "bureau", "district", "park"}
