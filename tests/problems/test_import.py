"""The Excel import of problems (the shared import page, command and API, kind "problems"):
every bad row reported as "row N, column: message", nothing written unless all rows are good;
routed and given deadlines like a filed problem."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from openpyxl import load_workbook

from keepline.core.imports import ImportCheck
from keepline.core.menu import items, opens
from keepline.core.models import AuditEvent
from keepline.core.scopes import Actor
from keepline.enterprises.models import Enterprise
from keepline.problems.calendar import add_working_days
from keepline.problems.importers import PROBLEM_COLUMNS, PROBLEM_IMPORTER
from keepline.problems.models import Problem, Urgency
from tests.conftest import ROLES, World
from tests.problems.matrix_letters import IMPORTERS, _import_file
from tests.problems.support import workbook

ZH = ["统一社会信用代码", "类别", "紧急程度", "问题", "详细情况", "提出时间"]
EN = ["Unified social credit code", "Category", "Urgency", "Problem", "Details", "Filed at"]


def check_file(*, actor: Actor, filename: str, data: bytes) -> ImportCheck[dict[str, Any]]:
    return PROBLEM_IMPORTER.check(actor, filename, data)


def check_import(*, actor: Actor, rows: list[tuple[int, dict[str, Any]]]) -> ImportCheck[Any]:
    return PROBLEM_IMPORTER.check_rows(actor, iter(rows))


def _confirm(client: Any, data: bytes, name: str = "problems.xlsx") -> Any:
    """Upload and check, then confirm: the shared page's two steps."""
    checked = client.post("/imports/problems/", {"file": _upload(data, name)})
    assert checked.status_code == 200, checked.content
    upload = checked.context["upload"]
    return client.post(f"/imports/problems/{upload.pk}/confirm/")


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
    response = _confirm(world.client("district"), data)
    assert response.status_code == 302
    assert response["Location"] == "/problems/?sort=-filed"
    first, second = Problem.objects.order_by("id")
    assert (first.source, first.category, first.urgency) == ("import", "logistics", "urgent")
    assert (second.category, second.urgency) == ("energy", "normal")
    assert first.filed_at == timezone.make_aware(filed)
    assert first.close_due == add_working_days(first.filed_at, 5)
    assert first.handler == world.users["commissioner"]  # no rule: the commissioner
    assert first.filed_by_name == "district"
    assert AuditEvent.objects.filter(action="file_problem").count() == 2


def test_check_only_writes_nothing(world: World) -> None:
    data = workbook([EN, [world.enterprise.uscc, "energy", "", "停电", "", ""]])
    response = world.client("district").post("/imports/problems/", {"file": _upload(data)})
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
    check = check_file(actor=world.users["district"], filename="p.xlsx", data=data)
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
    response = world.client("district").post("/imports/problems/", {"file": _upload(data)})
    assert response.status_code == 400
    assert len(response.context["check"].errors) == len(check.errors)
    html = response.content.decode()
    table = html[html.index('id="row-errors"') :]
    assert table[: table.index("</table>")].count("<tr><td>") == len(check.errors)
    assert not Problem.objects.exists()


def test_chinese_headers_and_the_template_read_back(world: World) -> None:
    data = workbook([ZH, [world.enterprise.uscc, "logistics", "critical", "原料车被拦", "", ""]])
    check = check_file(actor=world.users["bureau"], filename="p.xlsx", data=data)
    assert check.ok and check.rows[0]["urgency"] == "critical"
    template = world.client("district").get("/imports/problems/template.xlsx")
    assert template.status_code == 200
    check = check_file(actor=world.users["district"], filename="t.xlsx", data=template.content)
    # The example's code belongs to no enterprise here; every column was recognised.
    assert [(e.row, e.column) for e in check.errors] == [(2, "uscc")]
    missing = workbook([["Problem"], ["停电"]])
    with pytest.raises(Exception, match="Columns missing"):
        check_file(actor=world.users["district"], filename="m.xlsx", data=missing)


def test_the_api_checks_and_imports(world: World) -> None:
    api = world.client("bureau")
    good = workbook([EN, [world.enterprise.uscc, "energy", "", "停电", "", ""]])
    checked = api.post("/api/imports/problems", {"file": _upload(good), "check": "true"})
    assert checked.status_code == 200, checked.content
    assert checked.json() == {"kind": "problems", "rows": 1, "written": 0}
    assert not Problem.objects.exists()
    done = api.post("/api/imports/problems", {"file": _upload(good)})
    assert done.status_code == 200
    assert done.json()["written"] == 1 and Problem.objects.get().source == "import"
    bad = workbook([EN, [world.enterprise.uscc, "weather", "", "停电", "", ""]])
    refused = api.post("/api/imports/problems", {"file": _upload(bad)})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"row 2, Category": ["Unknown category: weather."]}
    assert Problem.objects.count() == 1
    assert (
        world.client("liaison").post("/api/imports/problems", {"file": _upload(good)}).status_code
        == 403
    )


def test_the_command_checks_and_imports(world: World, tmp_path: Path) -> None:
    path = tmp_path / "problems.xlsx"
    path.write_bytes(workbook([EN, [world.enterprise.uscc, "energy", "", "停电", "", ""]]))
    out = io.StringIO()
    call_command("import", "problems", str(path), "--check", stdout=out, verbosity=0)
    assert "1 rows are good" in out.getvalue()
    assert not Problem.objects.exists()
    call_command("import", "problems", str(path), stdout=out, verbosity=0)
    assert Problem.objects.get().filed_by_name == "command:import-problems"
    path.write_bytes(workbook([EN, ["nonsense", "energy", "", "停电", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "problems", str(path), stderr=err, verbosity=0)
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
        check = check_import(actor=world.users["district"], rows=rows)
        for label, code in labels.items():
            one = check_import(
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
        mode = check_import(
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
    item = next(i for i in items() if i.url_name == "import" and i.args == ("problems",))
    offered = {role for role, user in world.users.items() if opens(user, item)}
    assert offered == {"admin", "bureau", "district", "park"}


def test_template_downloads_with_every_column(world: World) -> None:
    # The example names an enterprise by its code: one with that code exists in the city.
    Enterprise.objects.filter(pk=world.enterprise.pk).update(uscc=PROBLEM_COLUMNS[0].example)
    response = world.client("district").get("/imports/problems/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == [str(c.label) for c in PROBLEM_COLUMNS]
    check = check_file(actor=world.users["district"], filename="t.xlsx", data=response.content)
    assert check.ok, check.errors


@pytest.mark.parametrize("role", ROLES)
def test_who_may_import_and_where(world: World, role: str) -> None:
    """Those who file over an area may import; an enterprise outside the area is a bad row
    (400) to all but the administrator; the rest may not import at all (403)."""
    client = world.client(role)
    allowed = role in IMPORTERS
    assert client.get("/imports/problems/").status_code == (200 if allowed else 403)
    assert client.get("/imports/problems/template.xlsx").status_code == (200 if allowed else 403)
    own = client.post("/imports/problems/", _import_file(world, "own"))
    assert own.status_code == (200 if allowed else 403)
    foreign = client.post("/imports/problems/", _import_file(world, "foreign"))
    assert foreign.status_code == (200 if role == "admin" else 400 if allowed else 403)
    api = client.post("/api/imports/problems", _import_file(world, "foreign"))
    assert api.status_code == (200 if role == "admin" else 400 if allowed else 403)
    written = client.post("/api/imports/problems", _import_file(world, "own"))
    assert written.status_code == (200 if allowed else 403)
    assert Problem.objects.count() == (2 if role == "admin" else 1 if allowed else 0)
