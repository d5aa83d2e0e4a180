"""Writes of an Excel import of problems: the checked rows filed at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keepline.core.errors import Forbidden, InvalidInput
from keepline.core.scopes import Actor, holds
from keepline.problems.models import Problem, ProblemSource
from keepline.problems.rules import may_file_for
from keepline.problems.services._common import _require
from keepline.problems.services.lifecycle import create_problem


def import_problems(
    *, actor: Actor, rows: Sequence[dict[str, Any]], now: dt.datetime | None = None
) -> list[Problem]:
    """File the clean rows of a checked import (keepline.problems.importers.ProblemImporter) in one
        transaction, each routed and given deadlines from its filing time (`now` for a row without
    one) as a filed problem is."""
    now = now or timezone.now()
    _require(holds(actor, Problem, "file"))
    if not rows:
        raise InvalidInput(_("The file has no rows."))
    created: list[Problem] = []
    with transaction.atomic():
        for row in rows:
            enterprise = row["enterprise"]
            # Checked already; checked again inside the transaction that writes.
            if not may_file_for(actor, enterprise):
                raise Forbidden(_("You may not file problems for this enterprise."))
            created.append(
                create_problem(
                    actor=actor,
                    enterprise=enterprise,
                    category=row["category"],
                    urgency=row["urgency"],
                    title=row["title"],
                    description=row["description"],
                    source=ProblemSource.IMPORT,
                    now=row["filed_at"] or now,
                )
            )
    return created
