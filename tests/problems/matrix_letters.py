"""The role matrix entries of problem documents, coordination letters, the Excel import and
taking up a daily report's problem field (pages and API).

Own objects hang on problems of the world's enterprise (Jiangyang), foreign ones on Yibin's;
each is made by the administrator while its case runs, inside the savepoint the matrix rolls
back."""

from __future__ import annotations

import io
from typing import Any

from keepline.problems.models import CoordinationLetter, LetterStatus
from keepline.problems.services import attachments, letters
from tests.conftest import World
from tests.matrix import Case, foreign, object_statuses, statuses
from tests.problems.matrix import FILERS, VIEWERS, _problem
from tests.problems.support import LETTER, PNG, report, workbook

# Who adds documents to an own problem filed by the administrator: its handlers (the department
# it is routed to among them) and its liaison.
ATTACHERS = {"admin", "bureau", "district", "park", "commissioner", "department", "liaison"}
LETTER_VIEWERS = VIEWERS - {"liaison"}
COORDINATORS = {"admin", "bureau"}
IMPORTERS = {"admin", "bureau", "district", "park"}
REPORT_FILERS = FILERS


def _document(w: World, which: str) -> Any:
    problem = _problem(w, which)
    found = problem.attachments.first()
    if found is None:
        attachments.attach_documents(
            actor=w.users["admin"], problem_id=problem.pk, files=[("a.png", PNG)]
        )
        found = problem.attachments.first()
    return found


def _letter(w: World, which: str, status: str = LetterStatus.DRAFTED) -> CoordinationLetter:
    problem = _problem(w, which)
    found = CoordinationLetter.objects.filter(problem=problem, status=status).first()
    if found is not None:
        return found
    admin = w.users["admin"]
    letter = letters.draft_letter(
        actor=admin, problem_id=problem.pk, **(LETTER | {"subject": f"协调函 {which}"})
    )
    if status in (LetterStatus.SENT, LetterStatus.REPLIED):
        letter = letters.send_letter(actor=admin, letter_id=letter.pk, version=letter.version)
    if status == LetterStatus.REPLIED:
        letter = letters.record_letter_reply(
            actor=admin,
            letter_id=letter.pk,
            version=letter.version,
            text="已放行",
            file=("复函.pdf", b"%PDF"),
        )
    return letter


def _file(name: str, data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _letter_at(template: str, status: str = LetterStatus.DRAFTED) -> Any:
    return lambda w, which: template.format(_letter(w, which, status).pk)


def _letter_listing(path: str) -> Any:
    def url(w: World, which: str) -> str:
        _letter(w, "own")
        _letter(w, "foreign")
        return path

    return url


def _letter_subject(w: World, which: str) -> str:
    return f"协调函 {which}"


def _step_data(status: str, **fields: Any) -> Any:
    def data(w: World, which: str) -> dict[str, Any]:
        out = {"version": _letter(w, which, status).version, **fields}
        if status == LetterStatus.SENT and "reply" in fields:
            out["file" if "api" in fields.get("_", "") else "reply_file"] = _file("r.pdf", b"%PDF")
        out.pop("_", None)
        return out

    return data


def _attachment_url(template: str) -> Any:
    def url(w: World, which: str) -> str:
        document = _document(w, which)
        return template.format(_problem(w, which).pk, document.pk)

    return url


def _problem_at(template: str) -> Any:
    return lambda w, which: template.format(_problem(w, which).pk)


def _import_file(w: World, which: str) -> dict[str, Any]:
    enterprise = w.enterprise if which == "own" else w.foreign_enterprise
    data = workbook([["uscc", "category", "title"], [enterprise.uscc, "energy", "停电"]])
    return {"file": _file("p.xlsx", data)}


def _report_at(template: str) -> Any:
    return lambda w, which: template.format(report(w, "缺电", foreign=which == "foreign").pk)


def _others(ok: int, allowed: set[str], refused: int) -> dict[str, int]:
    """The foreign import: the admin may; other importers learn the enterprise is outside
    their area (400); the rest may not import at all."""
    return {r: ok if r == "admin" else refused if r in allowed else 403 for r in statuses(0, set())}


STEPS = [
    ("send", LetterStatus.DRAFTED, {}),
    ("reply", LetterStatus.SENT, {"reply": "已放行"}),
    ("withdraw", LetterStatus.DRAFTED, {"reason": "已解决"}),
]

PAGES: dict[str, list[Case]] = {
    "problems:attach": [
        Case(
            "post",
            _problem_at("/problems/{}/attach/"),
            object_statuses(302, VIEWERS, ATTACHERS),
            foreign(302),
            data=lambda w, which: {"attachments": _file("a.pdf", b"%PDF")},
        )
    ],
    "problems:attachment": [
        Case(
            "get",
            _attachment_url("/problems/{}/documents/{}/"),
            object_statuses(200, VIEWERS),
            foreign(200),
        )
    ],
    "problems:letter_draft": [
        Case(
            "post",
            _problem_at("/problems/{}/letters/"),
            object_statuses(302, VIEWERS, COORDINATORS),
            foreign(302),
            data=lambda w, which: {**LETTER, "reply_days": 5},
        )
    ],
    "problems:letters": [
        Case(
            "get",
            _letter_listing("/problems/letters/"),
            statuses(200, LETTER_VIEWERS),
            shows=_letter_subject,
            shows_own_for=LETTER_VIEWERS,
        )
    ],
    "problems:letter_export": [
        Case("get", _letter_listing("/problems/letters/export.xlsx"), statuses(200, LETTER_VIEWERS))
    ],
    "problems:letter_docx": [
        Case(
            "get",
            _letter_at("/problems/letters/{}/letter.docx"),
            object_statuses(200, LETTER_VIEWERS),
            foreign(200),
        )
    ],
    "problems:letter_reply": [
        Case(
            "get",
            _letter_at("/problems/letters/{}/reply-document/", LetterStatus.REPLIED),
            object_statuses(200, LETTER_VIEWERS),
            foreign(200),
        )
    ],
    "problems:letter_step": [
        Case(
            "post",
            _letter_at(f"/problems/letters/{{}}/{step}/", status),
            object_statuses(302, LETTER_VIEWERS, COORDINATORS),
            foreign(302),
            data=_step_data(status, **fields),
        )
        for step, status, fields in STEPS
    ],
    "problems:from_report": [
        Case(
            "post",
            _report_at("/problems/from-report/{}/"),
            object_statuses(302, VIEWERS, REPORT_FILERS),
            foreign(302),
        )
    ],
}

API: dict[str, list[Case]] = {
    "GET /api/problems/{problem_id}/attachments": [
        Case(
            "get",
            _problem_at("/api/problems/{}/attachments"),
            object_statuses(200, VIEWERS),
            foreign(200),
            json=True,
        )
    ],
    "POST /api/problems/{problem_id}/attachments": [
        Case(
            "post",
            _problem_at("/api/problems/{}/attachments"),
            object_statuses(200, VIEWERS, ATTACHERS),
            foreign(200),
            data=lambda w, which: {"files": [_file("a.pdf", b"%PDF")]},
        )
    ],
    "GET /api/problems/{problem_id}/attachments/{attachment_id}": [
        Case(
            "get",
            _attachment_url("/api/problems/{}/attachments/{}"),
            object_statuses(200, VIEWERS),
            foreign(200),
            json=True,
        )
    ],
    "GET /api/problems/letters": [
        Case(
            "get",
            _letter_listing("/api/problems/letters"),
            statuses(200, LETTER_VIEWERS),
            json=True,
            shows=_letter_subject,
            shows_own_for=LETTER_VIEWERS,
        )
    ],
    "POST /api/problems/{problem_id}/letters": [
        Case(
            "post",
            _problem_at("/api/problems/{}/letters"),
            object_statuses(200, VIEWERS, COORDINATORS),
            foreign(200),
            data=lambda w, which: dict(LETTER),
            json=True,
        )
    ],
    "GET /api/problems/letters/{letter_id}": [
        Case(
            "get",
            _letter_at("/api/problems/letters/{}"),
            object_statuses(200, LETTER_VIEWERS),
            foreign(200),
            json=True,
        )
    ],
    "GET /api/problems/letters/{letter_id}/docx": [
        Case(
            "get",
            _letter_at("/api/problems/letters/{}/docx"),
            object_statuses(200, LETTER_VIEWERS),
            foreign(200),
            json=True,
        )
    ],
    "GET /api/problems/letters/{letter_id}/reply-document": [
        Case(
            "get",
            _letter_at("/api/problems/letters/{}/reply-document", LetterStatus.REPLIED),
            object_statuses(200, LETTER_VIEWERS),
            foreign(200),
            json=True,
        )
    ],
    "POST /api/problems/letters/{letter_id}/send": [
        Case(
            "post",
            _letter_at("/api/problems/letters/{}/send"),
            object_statuses(200, LETTER_VIEWERS, COORDINATORS),
            foreign(200),
            data=_step_data(LetterStatus.DRAFTED),
            json=True,
        )
    ],
    "POST /api/problems/letters/{letter_id}/reply": [
        Case(
            "post",
            _letter_at("/api/problems/letters/{}/reply", LetterStatus.SENT),
            object_statuses(200, LETTER_VIEWERS, COORDINATORS),
            foreign(200),
            data=_step_data(LetterStatus.SENT, reply="已放行", _="api"),
        )
    ],
    "POST /api/problems/letters/{letter_id}/withdraw": [
        Case(
            "post",
            _letter_at("/api/problems/letters/{}/withdraw"),
            object_statuses(200, LETTER_VIEWERS, COORDINATORS),
            foreign(200),
            data=_step_data(LetterStatus.DRAFTED, reason="已解决"),
            json=True,
        )
    ],
    "POST /api/problems/from-report/{report_id}": [
        Case(
            "post",
            _report_at("/api/problems/from-report/{}"),
            object_statuses(200, VIEWERS, REPORT_FILERS),
            foreign(200),
            json=True,
        )
    ],
}
