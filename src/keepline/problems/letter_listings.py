"""The register of coordination letters, declared once: its filters, its columns and default
order, read by its page, its Excel export and the API alike."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from keepline.core.lists import Column, FilterSet, Listing, YesNoFilter
from keepline.problems.listings import YES
from keepline.problems.models import CoordinationLetter, LetterStatus


def letter_overdue_q(now: dt.datetime) -> Q:
    """Letters sent and past their reply date."""
    return Q(status=LetterStatus.SENT, reply_due__lte=now)


class LetterFilterSet(FilterSet):
    """The letters' register: its page, its Excel export and `GET /api/problems/letters`."""

    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        empty_label=gettext_lazy("Any status"),
        choices=LetterStatus.choices,
    )
    overdue = YesNoFilter(
        label=gettext_lazy("Reply"),
        empty_label=gettext_lazy("Overdue or not"),
        choices=[(YES, gettext_lazy("Reply overdue")), ("no", gettext_lazy("Not overdue"))],
        method="by_overdue",
    )

    class Meta:
        model = CoordinationLetter
        fields: list[str] = []

    def by_overdue(
        self, qs: QuerySet[CoordinationLetter], name: str, value: str
    ) -> QuerySet[CoordinationLetter]:
        late = letter_overdue_q(timezone.now())
        return qs.filter(late) if value == YES else qs.exclude(late)


LETTERS: Listing[CoordinationLetter] = Listing(
    filterset=LetterFilterSet,
    title=gettext_lazy("Coordination letters"),
    filename="coordination-letters",
    page="problems:letters",
    api="/api/problems/letters",
    default_sort="-drafted",
    related=("problem__enterprise__region", "problem__enterprise__park", "issuer_region"),
    columns=(
        Column("number", gettext_lazy("Number"), sort="number"),
        Column("issuer", gettext_lazy("Issued by"), table=False),
        Column("addressee", pgettext_lazy("addressee", "To"), table=False),
        Column(
            "addressee_level",
            gettext_lazy("The addressee is"),
            lambda x: x.get_addressee_level_display(),
            table=False,
        ),
        Column("subject", gettext_lazy("Subject"), sort="subject"),
        Column(
            "addressee_table",
            pgettext_lazy("addressee", "To"),
            export=False,
            css="d-none d-md-table-cell",
        ),
        Column(
            "enterprise",
            gettext_lazy("Enterprise"),
            "problem.enterprise.name",
            sort="problem__enterprise__name",
            css="d-none d-md-table-cell",
        ),
        Column(
            "uscc",
            gettext_lazy("Unified social credit code"),
            "problem.enterprise.uscc",
            table=False,
        ),
        Column("problem_no", gettext_lazy("Problem no."), "problem.pk", table=False),
        Column("problem", gettext_lazy("Problem"), "problem.title", table=False),
        Column("status", gettext_lazy("Status"), lambda x: x.get_status_display(), sort="status"),
        Column(
            "drafted",
            pgettext_lazy("when", "Drafted"),
            "drafted_at",
            sort="drafted_at",
            table=False,
        ),
        Column("author", gettext_lazy("Author"), "author_name", table=False),
        Column("sent", pgettext_lazy("when", "Sent"), "sent_at", table=False),
        Column("reply_due", gettext_lazy("Reply due"), sort="reply_due"),
        Column("replied", pgettext_lazy("when", "Replied"), "replied_at", table=False),
        Column("reply", gettext_lazy("Reply"), table=False),
        Column(
            "reply_overdue",
            gettext_lazy("Reply overdue"),
            lambda x: _("yes") if x.overdue_at(timezone.now()) else "",
            table=False,
        ),
    ),
)
