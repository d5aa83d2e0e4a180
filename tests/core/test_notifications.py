"""Notifications: the inbox row, delivery by the task worker over email and SMS, the inbox page."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from keepline.core.models import Notification
from keepline.core.notifications import notify
from tests.conftest import World

# The worker closes any connection it finds inside a transaction (close_old_connections), as a
# test's wrapping transaction is on PostgreSQL: tests that run it commit for real.
WORKER = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_worker() -> None:
    """Run the real database-backed worker until the queue is empty."""
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)


@WORKER
def test_notify_writes_the_inbox_and_the_worker_sends_email_and_sms(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    user = world.users["district"]
    user.email = "district@example.org"
    user.save()
    notify(user, "test", "Power cut at the brewery", "Line 2 stopped.", "/problems/1/")

    row = Notification.objects.get(user=user)
    assert (row.title, row.body, row.url, row.read_at) == (
        "Power cut at the brewery",
        "Line 2 stopped.",
        "/problems/1/",
        None,
    )
    # Nothing is sent until the worker runs the queued task.
    assert mail.outbox == []
    with caplog.at_level(logging.INFO, logger="keepline.sms"):
        run_worker()
    assert [m.to for m in mail.outbox] == [["district@example.org"]]
    assert mail.outbox[0].subject == "Power cut at the brewery"
    assert "Line 2 stopped." in mail.outbox[0].body
    sms = [r.getMessage() for r in caplog.records if r.name == "keepline.sms"]
    assert sms == ["SMS to district: Power cut at the brewery\nLine 2 stopped.\n/problems/1/"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@WORKER
def test_a_user_without_email_gets_only_the_sms(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    notify(world.users["park"], "test", "Inspection at 10:00")
    with caplog.at_level(logging.INFO, logger="keepline.sms"):
        run_worker()
    assert mail.outbox == []
    assert any("Inspection at 10:00" in r.getMessage() for r in caplog.records)


@WORKER
def test_the_sms_backend_is_chosen_by_setting(world: World, settings: Any) -> None:
    settings.KEEPLINE_SMS_BACKEND = "tests.core.test_notifications.RecordingSms"
    RecordingSms.sent.clear()
    notify(world.users["park"], "test", "Gate closed")
    run_worker()
    assert RecordingSms.sent == [("park", "Gate closed")]


class RecordingSms:
    sent: list[tuple[str, str]] = []

    def send(self, user: Any, text: str) -> None:
        self.sent.append((user.username, text))


def test_inbox_shows_only_own_notifications_and_marks_them_read(world: World) -> None:
    notify(world.users["liaison"], "test", "Your problem was accepted")
    notify(world.users["liaison"], "test", "Reply to your problem")
    notify(world.users["admin"], "test", "Someone else's news")
    client = world.client("liaison")

    page = client.get("/inbox/").content.decode()
    assert "Your problem was accepted" in page and "Reply to your problem" in page
    assert "Someone else&#x27;s news" not in page and "Someone else's news" not in page
    # Not even the administrator reads another user's inbox.
    assert "Your problem was accepted" not in world.client("admin").get("/inbox/").content.decode()

    first = Notification.objects.get(title="Your problem was accepted")
    assert client.post("/inbox/", {"notification": first.pk}).status_code == 302
    unread = client.get("/inbox/?state=unread").content.decode()
    assert "Your problem was accepted" not in unread and "Reply to your problem" in unread

    # Marking "all" touches only the caller's own.
    client.post("/inbox/")
    assert not Notification.objects.filter(user=world.users["liaison"], read_at=None).exists()
    assert Notification.objects.get(user=world.users["admin"]).read_at is None


def test_inbox_filters_and_exports(world: World) -> None:
    notify(world.users["liaison"], "test", "Coal delivery delayed")
    notify(world.users["liaison"], "test", "Pass approved")
    client = world.client("liaison")
    page = client.get("/inbox/?q=coal").content.decode()
    assert "Coal delivery delayed" in page and "Pass approved" not in page
    response = client.get("/inbox/?q=coal&export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [row[2] for row in sheet.iter_rows(values_only=True)]
    assert "Coal delivery delayed" in titles and "Pass approved" not in titles
