"""Coordination letters: drafting one from a problem's page, its steps (send, reply,
withdraw), the letter as a Word document, and the register of letters with its export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from keepline.core.errors import Forbidden, KeeplineError, NotFound
from keepline.core.lists import listing_views
from keepline.core.scopes import may
from keepline.core.web import AuthedRequest, apply_errors, attachment_response
from keepline.problems import documents, letter_listings, rules, selectors
from keepline.problems.forms.letters import LetterDraftForm
from keepline.problems.services import letters
from keepline.problems.views.detail import LETTER_FORM_CLASSES, detail_page, uploads


@login_required
@require_POST
def letter_draft(request: AuthedRequest, pk: int) -> HttpResponse:
    """Draft a coordination letter about the problem (city task force and above)."""
    problem = selectors.problem(request.user, pk)
    form = LetterDraftForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            letters.draft_letter(
                actor=request.user,
                problem_id=pk,
                addressee=data["addressee"],
                addressee_level=data["addressee_level"],
                subject=data["subject"],
                body=data["body"],
                contact=data["contact"],
                reply_days=data["reply_days"],
            )
        except KeeplineError as exc:
            if exc.status not in (400, 409):
                raise
            apply_errors(form, exc)
            return detail_page(request, problem, draft_form=form, status=exc.status)
        messages.success(request, _("Letter drafted; check it, then send it."))
        return redirect(reverse("problems:detail", args=[pk]) + "#letters")
    if not (
        may(request.user, "coordinate", problem) and rules.may_coordinate(request.user, problem)
    ):
        raise Forbidden(_("Coordination letters are written by the city task force or above."))
    return detail_page(request, problem, draft_form=form, status=400)


LETTER_STEPS = {
    "send": gettext_lazy("Letter sent."),
    "reply": gettext_lazy("Reply recorded."),
    "withdraw": gettext_lazy("Letter withdrawn."),
}


@login_required
@require_POST
def letter_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """Send a drafted letter, record the reply to a sent one, or withdraw one (POST with the
    version read)."""
    letter = documents.letter(request.user, pk)
    if step not in LETTER_STEPS:
        raise NotFound(_("Not found."))
    form = LETTER_FORM_CLASSES[step](request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        common = {"actor": request.user, "letter_id": pk, "version": data["version"]}
        try:
            if step == "send":
                letters.send_letter(**common)
            elif step == "reply":
                upload = data.get("reply_file")
                letters.record_letter_reply(
                    **common,
                    text=data["reply"],
                    file=uploads([upload])[0] if upload else None,
                )
            else:
                letters.withdraw_letter(**common, reason=data["reason"])
        except KeeplineError as exc:
            if exc.status == 400:
                apply_errors(form, exc)
            elif exc.status == 409:
                messages.error(request, exc.message)
            else:
                raise
            problem = selectors.problem(request.user, letter.problem_id)
            bound = (pk, step, form) if exc.status == 400 else None
            return detail_page(request, problem, bound_letter=bound, status=exc.status)
        messages.success(request, str(LETTER_STEPS[step]))
        return redirect(reverse("problems:detail", args=[letter.problem_id]) + "#letters")
    problem = selectors.problem(request.user, letter.problem_id)
    return detail_page(request, problem, bound_letter=(pk, step, form), status=400)


@login_required
def letter_docx(request: AuthedRequest, pk: int) -> HttpResponse:
    """The letter as a Word document (a draft says it is one)."""
    letter = documents.letter(request.user, pk)
    response = HttpResponse(documents.to_docx(letter), content_type=documents.DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, documents.letter_filename(letter)
    )
    return response


@login_required
def letter_reply_document(request: AuthedRequest, pk: int) -> HttpResponse:
    return attachment_response(documents.reply_document(request.user, pk))


# The register of coordination letters the user sees: status, reply due, overdue.
letter_list, letter_export = listing_views(
    letter_listings.LETTERS,
    "problems/letters.html",
    "problems/_letters.html",
    export="problems:letter_export",
)
