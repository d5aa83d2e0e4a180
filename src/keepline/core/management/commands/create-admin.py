"""`keepline create-admin USERNAME`: the first platform administrator, audited like any other."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keepline.core import services
from keepline.core.errors import InvalidInput
from keepline.core.models import Role
from keepline.core.scopes import SystemActor


class Command(BaseCommand):
    help = "Create a user holding the platform-administrator role (password from the prompt or "
    help += "KEEPLINE_ADMIN_PASSWORD)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        password = os.environ.get("KEEPLINE_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        actor = SystemActor("command:create-admin")
        try:
            user = services.create_user(actor=actor, username=username, password=password)
            services.add_membership(actor=actor, user=user, role=Role.ADMIN)
        except InvalidInput as exc:
            details = "; ".join(m for ms in exc.errors.values() for m in ms)
            raise CommandError(f"{exc.message} {details}".strip()) from exc
        self.stdout.write(self.style.SUCCESS(f"Administrator {username} created."))
