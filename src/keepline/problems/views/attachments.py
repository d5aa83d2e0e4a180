"""A problem's documents: adding them, and reading one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keepline.core.errors import KeeplineError
from keepline.core.web import AuthedRequest, apply_errors, attachment_response
from keepline.problems import documents, selectors
from keepline.problems.forms.attachments import AttachForm
from keepline.problems.services import attachments
from keepline.problems.views.detail import detail_page, uploads


@login_required
@require_POST
def problem_attach(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add documents to a problem: who filed it, its liaison, those who handle it."""
    problem = selectors.problem(request.user, pk)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            stored = attachments.attach_documents(
                actor=request.user, problem_id=pk, files=uploads(form.cleaned_data["attachments"])
            )
        except KeeplineError as exc:
            if exc.status not in (400, 409):
                raise
            apply_errors(form, exc)
            return detail_page(request, problem, attach_form=form, status=exc.status)
        messages.success(request, _("%(n)d document(s) attached.") % {"n": len(stored)})
        return redirect("problems:detail", pk=pk)
    return detail_page(request, problem, attach_form=form, status=400)


@login_required
def problem_attachment(request: AuthedRequest, pk: int, attachment_id: int) -> HttpResponse:
    """One of a problem's documents, for those who see the problem."""
    return attachment_response(documents.attachment(request.user, pk, attachment_id))
