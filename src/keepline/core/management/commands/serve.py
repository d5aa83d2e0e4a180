"""`keepline serve`: the production web server (gunicorn) with Keepline's settings."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Keepline with gunicorn (run collectstatic and migrate first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("KEEPLINE_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "0")) or None
        )

    def handle(self, *args: Any, bind: str, workers: int | None, **options: Any) -> None:
        workers = workers or (os.cpu_count() or 1) * 2 + 1
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "keepline.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
        self.stdout.write(f"gunicorn on http://{bind} with {workers} workers")
        os.execv(sys.executable, argv)
