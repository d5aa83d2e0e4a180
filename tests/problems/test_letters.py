"""Coordination letters: drafted by the city task force, numbered when sent, the reply tracked,
on the problem's timeline, as a Word document, in the register and its export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import AuditEvent, Notification, Role
from keepline.problems import documents
from keepline.problems.calendar import add_working_days
from keepline.problems.models import CoordinationLetter, ProblemEvent, Tier
from keepline.problems.services import letters
from keepline.problems.tasks import warn_overdue_letters
from tests.conftest import World
from tests.problems.conftest import file
from tests.problems.matrix_letters import LETTER_VIEWERS
from tests.problems.support import LETTER, PNG, draft, sent, user


def _text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


def test_a_letter_is_drafted_sent_numbered_and_answered(world: World) -> None:
    problem = file(world)
    letter = draft(world, problem.pk)
    assert (letter.status, letter.number, letter.reply_due) == ("drafted", "", None)
    assert letter.issuer_region == world.luzhou
    assert letter.contact == LETTER["contact"]
    bureau = world.users["bureau"]
    letter = letters.send_letter(actor=bureau, letter_id=letter.pk, version=1)
    year = timezone.localdate().year
    assert letter.status == "sent"
    assert letter.number == f"泸企协〔{year}〕1号"
    assert letter.sent_at is not None
    assert letter.reply_due == add_working_days(letter.sent_at, 5)
    second = sent(world, problem.pk)
    assert second.number == f"泸企协〔{year}〕2号"
    letter = letters.record_letter_reply(
        actor=bureau,
        letter_id=letter.pk,
        version=letter.version,
        text="已协调翠屏区放行",
        file=("复函.pdf", b"%PDF-1.4 reply"),
    )
    assert (letter.status, letter.reply) == ("replied", "已协调翠屏区放行")
    assert documents.reply_document(bureau, letter.pk).content == b"%PDF-1.4 reply"
    kinds = list(
        ProblemEvent.objects.filter(problem=problem, kind__startswith="letter").values_list(
            "kind", flat=True
        )
    )
    assert kinds == [
        "letter_drafted",
        "letter_sent",
        "letter_drafted",
        "letter_sent",
        "letter_replied",
    ]
    actions = set(
        AuditEvent.objects.filter(object_type__endswith="coordinationletter").values_list(
            "action", flat=True
        )
    )
    assert {
        "draft_letter",
        "send_letter",
        "record_letter_reply",
    } <= actions


def test_the_number_is_counted_per_issuer_and_a_province_problem_writes_from_the_province(
    world: World,
) -> None:
    problem = file(world)
    problem.tier = Tier.PROVINCE
    problem.save()
    admin_letter = sent(world, problem.pk, role="admin")
    assert admin_letter.number.startswith("川企协〔")
    assert admin_letter.number.endswith("〕1号")
    # A city bureau does not write for the province.
    with pytest.raises(Forbidden):
        draft(world, problem.pk)


def test_only_the_city_task_force_and_above_drafts(world: World) -> None:
    problem = file(world)
    for role in ("district", "park", "commissioner", "liaison"):
        with pytest.raises(Forbidden):
            draft(world, problem.pk, role)
    with pytest.raises(NotFound):
        letters.draft_letter(actor=world.other_user, problem_id=problem.pk, **LETTER)  # type: ignore[arg-type]
    district_bureau = user("district-bureau", Role.BUREAU, world.jiangyang)
    with pytest.raises(Forbidden):
        letters.draft_letter(actor=district_bureau, problem_id=problem.pk, **LETTER)
    assert not CoordinationLetter.objects.exists()


def test_a_bad_draft_names_every_field_and_changes_nothing(world: World) -> None:
    problem = file(world)
    with pytest.raises(InvalidInput) as error:
        draft(world, problem.pk, addressee=" ", subject="", addressee_level="moon", reply_days=0)
    assert set(error.value.errors) == {"addressee", "subject", "addressee_level", "reply_days"}
    assert not CoordinationLetter.objects.exists()
    assert not ProblemEvent.objects.filter(kind="letter_drafted").exists()


def test_steps_need_the_current_version_and_status(world: World) -> None:
    problem = file(world)
    bureau = world.users["bureau"]
    letter = draft(world, problem.pk)
    with pytest.raises(Conflict):
        letters.send_letter(actor=bureau, letter_id=letter.pk, version=7)
    with pytest.raises(Conflict):
        letters.record_letter_reply(actor=bureau, letter_id=letter.pk, version=1, text="x")
    with pytest.raises(InvalidInput):
        letters.withdraw_letter(actor=bureau, letter_id=letter.pk, version=1, reason=" ")
    letter = letters.withdraw_letter(
        actor=bureau, letter_id=letter.pk, version=1, reason="已通过其他渠道解决"
    )
    assert (letter.status, letter.number) == ("withdrawn", "")
    with pytest.raises(Conflict):
        letters.send_letter(actor=bureau, letter_id=letter.pk, version=letter.version)
    with pytest.raises(Forbidden):
        letters.send_letter(actor=world.users["district"], letter_id=letter.pk, version=2)


def test_the_word_document_names_the_enterprise_problem_number_and_reply_date(
    world: World,
) -> None:
    problem = file(world)
    letter = draft(world, problem.pk)
    text = _text(documents.to_docx(letter))
    assert letter.issuer in text
    assert LETTER["addressee"] in text and LETTER["subject"] in text and LETTER["body"] in text
    assert world.enterprise.name in text and world.enterprise.uscc in text
    assert problem.title in text and LETTER["contact"] in text
    letter = letters.send_letter(actor=world.users["bureau"], letter_id=letter.pk, version=1)
    text = _text(documents.to_docx(letter))
    assert letter.number in text
    due = timezone.localtime(letter.reply_due)
    # Always in Chinese, the way an official letter writes a date.
    assert f"请于{due.year}年{due.month}月{due.day}日前函复" in text
    response = world.client("leader").get(f"/problems/letters/{letter.pk}/letter.docx")
    assert response.status_code == 200
    assert letter.number in _text(response.content)
    assert (
        world.client("liaison").get(f"/problems/letters/{letter.pk}/letter.docx").status_code == 404
    )


def test_an_overdue_reply_is_flagged_and_its_author_told_once(world: World) -> None:
    problem = file(world)
    letter = sent(world, problem.pk)
    now = timezone.now()
    assert not letter.overdue_at(now)
    CoordinationLetter.objects.filter(pk=letter.pk).update(reply_due=now - dt.timedelta(hours=1))
    letter.refresh_from_db()
    assert letter.overdue_at(now)
    assert warn_overdue_letters(now) == 1
    assert warn_overdue_letters(now) == 0
    told = Notification.objects.get(kind="letter_reply_overdue")
    assert told.user == world.users["bureau"] and letter.number in told.body
    bureau = world.users["bureau"]
    assert [x.pk for x in documents.letters(bureau, overdue=True)] == [letter.pk]
    assert list(documents.letters(bureau, overdue=False)) == []
    page = world.client("bureau").get("/problems/letters/?overdue=yes")
    assert page.status_code == 200 and letter.number in page.content.decode()
    assert 'data-flag="letter-overdue"' in page.content.decode()
    export = world.client("bureau").get("/problems/letters/export.xlsx?overdue=yes")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == letter.number and rows[1][-1] == "yes"


def test_the_problem_page_drafts_sends_and_records_the_reply(world: World) -> None:
    problem = file(world)
    bureau = world.client("bureau")
    page = bureau.get(f"/problems/{problem.pk}/")
    assert 'id="letter-draft-form"' in page.content.decode()
    district_page = world.client("district").get(f"/problems/{problem.pk}/").content.decode()
    assert 'id="letter-draft-form"' not in district_page
    bad = bureau.post(
        f"/problems/{problem.pk}/letters/", {**LETTER, "subject": "", "reply_days": 5}
    )
    assert bad.status_code == 400
    assert 'data-field-error="subject"' in bad.content.decode()
    assert not CoordinationLetter.objects.exists()
    response = bureau.post(f"/problems/{problem.pk}/letters/", {**LETTER, "reply_days": 3})
    assert response.status_code == 302
    letter = CoordinationLetter.objects.get()
    assert letter.reply_days == 3
    assert bureau.post(f"/problems/letters/{letter.pk}/send/", {"version": 1}).status_code == 302
    stale = bureau.post(f"/problems/letters/{letter.pk}/send/", {"version": 1})
    assert stale.status_code == 409
    letter.refresh_from_db()
    empty = bureau.post(f"/problems/letters/{letter.pk}/reply/", {"version": letter.version})
    assert empty.status_code == 400 and 'data-field-error="reply"' in empty.content.decode()
    upload = io.BytesIO(PNG)
    upload.name = "复函.png"
    done = bureau.post(
        f"/problems/letters/{letter.pk}/reply/",
        {"version": letter.version, "reply": "已放行", "reply_file": upload},
    )
    assert done.status_code == 302
    letter.refresh_from_db()
    assert letter.status == "replied"
    got = bureau.get(f"/problems/letters/{letter.pk}/reply-document/")
    assert got.status_code == 200 and got.content == PNG
    timeline = bureau.get(f"/problems/{problem.pk}/").content.decode()
    assert 'data-kind="letter_replied"' in timeline
    assert (
        world.client("district")
        .post(
            f"/problems/letters/{letter.pk}/withdraw/", {"version": letter.version, "reason": "x"}
        )
        .status_code
        == 403
    )


def test_the_api_walks_a_letter(world: World) -> None:
    problem = file(world)
    api = world.client("bureau")
    made = api.post(f"/api/problems/{problem.pk}/letters", LETTER, content_type="application/json")
    assert made.status_code == 200, made.content
    body: dict[str, Any] = made.json()
    assert (body["status"], body["number"], body["overdue"]) == ("drafted", "", False)
    lid = body["id"]
    body = api.post(
        f"/api/problems/letters/{lid}/send", {"version": 1}, content_type="application/json"
    ).json()
    assert body["status"] == "sent" and body["number"].endswith("1号")
    stale = api.post(
        f"/api/problems/letters/{lid}/send", {"version": 1}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["current"]["status"] == "sent"
    pdf = io.BytesIO(b"%PDF-1.4")
    pdf.name = "复函.pdf"
    reply = api.post(
        f"/api/problems/letters/{lid}/reply",
        {"version": body["version"], "reply": "已放行", "file": pdf},
    )
    assert reply.status_code == 200, reply.content
    assert (reply.json()["status"], reply.json()["has_reply_document"]) == ("replied", True)
    document = api.get(f"/api/problems/letters/{lid}/reply-document")
    assert document.status_code == 200 and document.content == b"%PDF-1.4"
    listed = api.get("/api/problems/letters?status=replied").json()
    assert [x["id"] for x in listed["items"]] == [lid]
    docx = api.get(f"/api/problems/letters/{lid}/docx")
    assert docx.status_code == 200 and body["number"] in _text(docx.content)
    bad = api.post(
        f"/api/problems/{problem.pk}/letters",
        {**LETTER, "body": ""},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "body" in bad.json()["errors"]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_menu_offers_the_letters_to_whoever_may_open_them(world: World, role: str) -> None:
    client = world.client(role)
    urls = {str(i["url"]) for _g, items in client.get("/").context["menu"] for i in items}
    opens = client.get("/problems/letters/").status_code == 200
    assert ("/problems/letters/" in urls) == opens
    assert opens == (role in LETTER_VIEWERS)
    # The import needs "file" over an area (its menu item names that right) and opens alike.
    imports = client.get("/problems/import/").status_code == 200
    assert ("/problems/import/" in urls) == imports


def test_a_letter_path_takes_only_a_number(world: World) -> None:
    client = world.client("bureau")
    assert client.get("/api/problems/letters/abc").status_code == 404
    letter = draft(world, file(world).pk)
    assert client.get(f"/api/problems/letters/{letter.pk}").json()["id"] == letter.pk
