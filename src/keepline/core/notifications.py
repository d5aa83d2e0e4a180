"""Telling people what needs them: an inbox row in Keepline, then email and SMS.

`notify` writes the inbox row and enqueues the `send` task in the caller's transaction, so a
rolled-back step notifies no one and a committed one is delivered by the task worker even when
the mail server or SMS gateway is slow or down. Channels: Django's mail (to the user's email,
when set) and an SMS adapter named by `KEEPLINE_SMS_BACKEND`, whose default writes the message
to the "keepline.sms" log for sites without a gateway.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from keepline.core.models import Notification, User

sms_log = logging.getLogger("keepline.sms")


class SmsBackend(Protocol):
    def send(self, user: User, text: str) -> None: ...


class LogSmsBackend:
    """Writes each SMS to the "keepline.sms" log instead of a gateway."""

    def send(self, user: User, text: str) -> None:
        sms_log.info("SMS to %s: %s", user.get_username(), text)


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.KEEPLINE_SMS_BACKEND)()
    return backend


def notify(user: User, kind: str, title: str, body: str = "", url: str = "") -> Notification:
    """Put a notification in the user's inbox and queue its delivery by email and SMS."""
    with transaction.atomic():
        notification = Notification.objects.create(
            user=user, kind=kind, title=title[:200], body=body, url=url[:500]
        )
        send.enqueue(notification.pk)
    return notification


@task()
def send(notification_id: int) -> list[str]:
    """Deliver one notification through every channel; returns the channels used."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or not notification.user.is_active:
        return []
    user = notification.user
    text = f"{notification.title}\n{notification.body}".strip()
    if notification.url:
        text = f"{text}\n{notification.url}"
    used = []
    if user.email:
        send_mail(notification.title, text, None, [user.email])
        used.append("email")
    sms_backend().send(user, text)
    used.append("sms")
    return used


def mark_read(user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (all of them, or those listed); how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
