"""Documents on problems: attached when filing (page, API) and later by the filer, the liaison
or the handlers; read only by those who see the problem."""

from __future__ import annotations

import base64
import io

import pytest

from keepline.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from keepline.core.models import Attachment
from keepline.problems import documents
from keepline.problems.models import Problem, ProblemEvent
from keepline.problems.services import attachments
from tests.conftest import World
from tests.problems.conftest import file
from tests.problems.support import PNG, foreign_liaison


def _upload(name: str, data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def test_the_liaison_files_with_photos_and_only_those_who_see_the_problem_read_them(
    world: World,
) -> None:
    response = world.client("liaison").post(
        "/problems/file/",
        {
            "enterprise": world.enterprise.pk,
            "category": "logistics",
            "urgency": "urgent",
            "title": "原料车被拦",
            "attachments": [_upload("现场.png", PNG), _upload("通知.pdf", b"%PDF-1.4 x")],
        },
    )
    assert response.status_code == 302
    problem = Problem.objects.get()
    names = sorted(a.filename for a in problem.attachments.all())
    assert names == ["现场.png", "通知.pdf"]
    event = ProblemEvent.objects.get(problem=problem, kind="attached")
    assert "现场.png" in event.note
    png = problem.attachments.get(filename="现场.png")
    url = f"/problems/{problem.pk}/documents/{png.pk}/"
    for role in ("liaison", "district", "commissioner", "leader"):
        got = world.client(role).get(url)
        assert got.status_code == 200, role
        assert got.content == PNG
    other = world.client("liaison")
    other.force_login(foreign_liaison(world))
    assert other.get(url).status_code == 404
    other.force_login(world.other_user)  # type: ignore[arg-type]
    assert other.get(url).status_code == 404
    assert world.client("checkpoint").get(url).status_code == 404
    page = world.client("district").get(f"/problems/{problem.pk}/").content.decode()
    assert "现场.png" in page


def test_a_bad_document_refuses_the_whole_filing(world: World) -> None:
    response = world.client("liaison").post(
        "/problems/file/",
        {
            "enterprise": world.enterprise.pk,
            "category": "logistics",
            "urgency": "normal",
            "title": "原料车被拦",
            "attachments": [_upload("现场.png", PNG), _upload("病毒.exe", b"MZ")],
        },
    )
    assert response.status_code == 400
    assert 'data-field-error="attachments"' in response.content.decode()
    assert "病毒.exe" in response.content.decode()
    assert not Problem.objects.exists()
    assert not Attachment.objects.exists()


def test_documents_are_added_later_by_filer_liaison_and_handlers_until_closed(
    world: World,
) -> None:
    problem = file(world, role="district")
    for role in ("district", "liaison", "commissioner"):
        attachments.attach_documents(
            actor=world.users[role], problem_id=problem.pk, files=[(f"{role}.pdf", b"%PDF")]
        )
    assert problem.attachments.count() == 3
    with pytest.raises(Forbidden):
        attachments.attach_documents(
            actor=world.users["leader"], problem_id=problem.pk, files=[("x.pdf", b"%PDF")]
        )
    with pytest.raises(NotFound):
        attachments.attach_documents(
            actor=world.other_user,  # type: ignore[arg-type]
            problem_id=problem.pk,
            files=[("x.pdf", b"%PDF")],
        )
    with pytest.raises(InvalidInput) as error:
        attachments.attach_documents(
            actor=world.users["district"], problem_id=problem.pk, files=[("x.pdf", b"")]
        )
    assert "attachments" in error.value.errors
    with pytest.raises(InvalidInput):
        attachments.attach_documents(actor=world.users["district"], problem_id=problem.pk, files=[])
    assert problem.attachments.count() == 3
    Problem.objects.filter(pk=problem.pk).update(status="closed")
    with pytest.raises(Conflict):
        attachments.attach_documents(
            actor=world.users["liaison"], problem_id=problem.pk, files=[("y.pdf", b"%PDF")]
        )


def test_the_detail_page_attaches_and_shows_errors_at_the_field(world: World) -> None:
    problem = file(world)
    client = world.client("commissioner")
    ok = client.post(
        f"/problems/{problem.pk}/attach/", {"attachments": [_upload("a.pdf", b"%PDF")]}
    )
    assert ok.status_code == 302
    bad = client.post(f"/problems/{problem.pk}/attach/", {"attachments": [_upload("a.txt", b"x")]})
    assert bad.status_code == 400
    assert 'data-field-error="attachments"' in bad.content.decode()
    assert problem.attachments.count() == 1
    leader = world.client("leader").get(f"/problems/{problem.pk}/").content.decode()
    assert 'id="attach-form"' not in leader
    denied = world.client("leader").post(
        f"/problems/{problem.pk}/attach/", {"attachments": [_upload("a.pdf", b"%PDF")]}
    )
    assert denied.status_code == 403


def test_a_document_is_read_only_through_its_own_problem(world: World) -> None:
    own = file(world)
    attachments.attach_documents(
        actor=world.users["admin"], problem_id=own.pk, files=[("a.pdf", b"%PDF")]
    )
    foreign = file(world, role="admin", enterprise_id=world.foreign_enterprise.pk)
    attachments.attach_documents(
        actor=world.users["admin"], problem_id=foreign.pk, files=[("secret.pdf", b"%PDF-s")]
    )
    secret = foreign.attachments.get()
    # The foreign document asked for under the own problem's address.
    with pytest.raises(NotFound):
        documents.attachment(world.users["district"], own.pk, secret.pk)
    assert (
        world.client("district").get(f"/problems/{own.pk}/documents/{secret.pk}/").status_code
        == 404
    )


def test_the_api_files_with_documents_and_adds_more(world: World) -> None:
    api = world.client("liaison")
    payload = {
        "enterprise_id": world.enterprise.pk,
        "category": "energy",
        "title": "停电",
        "attachments": [
            {"filename": "停电通知.pdf", "content_base64": base64.b64encode(b"%PDF").decode()}
        ],
    }
    made = api.post("/api/problems", payload, content_type="application/json")
    assert made.status_code == 200, made.content
    body = made.json()
    assert [a["filename"] for a in body["attachments"]] == ["停电通知.pdf"]
    pid = body["id"]
    bad = api.post(
        "/api/problems",
        {**payload, "attachments": [{"filename": "a.pdf", "content_base64": "!!"}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "attachments" in bad.json()["errors"]
    assert Problem.objects.count() == 1
    more = api.post(f"/api/problems/{pid}/attachments", {"files": [_upload("b.png", PNG)]})
    assert more.status_code == 200, more.content
    listed = api.get(f"/api/problems/{pid}/attachments").json()
    assert [a["filename"] for a in listed] == ["停电通知.pdf", "b.png"]
    got = api.get(f"/api/problems/{pid}/attachments/{listed[1]['id']}")
    assert got.status_code == 200 and got.content == PNG
    outsider = world.client("liaison")
    outsider.force_login(foreign_liaison(world))
    assert outsider.get(f"/api/problems/{pid}/attachments/{listed[1]['id']}").status_code == 404
