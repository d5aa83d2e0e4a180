"""The one import page flow: upload and check → preview every bad row or the good ones →
confirm, which checks the stored file again and writes it whole. Every importer uses it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from keepline.core.errors import KeeplineError
from keepline.core.imports import ImportCheck, Importer, importer_for
from keepline.core.models import Upload
from keepline.core.scopes import get_for
from keepline.core.tabular import workbook_response
from keepline.core.web import AuthedRequest, apply_errors

PREVIEW_ROWS = 20


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput({"class": "form-control", "accept": ".xlsx,.csv"}),
    )


def _page(
    request: AuthedRequest,
    importer: Importer[Any],
    form: forms.Form,
    check: ImportCheck[Any] | None = None,
    upload: Upload | None = None,
    status: int = 200,
) -> HttpResponse:
    preview = []
    if check is not None and check.ok:
        rows = check.rows[:PREVIEW_ROWS]
        preview = [[read(row) for _label, read in importer.preview] for row in rows]
    context = {
        "importer": importer,
        "form": form,
        "check": check,
        "preview_headers": [label for label, _read in importer.preview],
        "preview": preview,
        "upload": upload,
    }
    return render(request, "core/import.html", context, status=status)


@login_required
def import_upload(request: AuthedRequest, kind: str) -> HttpResponse:
    """Step 1: the file is checked at once; every bad row is shown, or the good rows and a
    button to confirm. A file with errors answers 400, as every invalid form does."""
    importer = importer_for(kind)
    importer.authorize(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _page(request, importer, form)
    if not form.is_valid():
        return _page(request, importer, form, status=400)
    file = form.cleaned_data["file"]
    data = file.read()
    try:
        check = importer.check(request.user, file.name, data)
    except KeeplineError as exc:
        # The file as a whole is refused: the reason at the file field, its details (the
        # missing columns) above the form; a refusal of the actor is not a form error.
        if exc.status != 400:
            raise
        if exc.errors:
            apply_errors(form, exc)
        if "file" not in exc.errors:
            form.add_error("file", exc.message)
        return _page(request, importer, form, status=400)
    if not check.ok:
        return _page(request, importer, form, check, status=400)
    upload = Upload.objects.create(
        user=request.user, purpose=importer.kind, filename=file.name, content=data
    )
    return _page(request, importer, form, check, upload)


@login_required
@require_POST
def import_confirm(request: AuthedRequest, kind: str, upload_id: int) -> HttpResponse:
    """Step 2: the stored file is checked again (the data may have changed) and written whole."""
    importer = importer_for(kind)
    importer.authorize(request.user)
    upload = get_for(Upload.objects.filter(purpose=kind), request.user, upload_id, "change")
    with transaction.atomic():
        check, written = importer.run(request.user, upload.filename, bytes(upload.content))
        if not check.ok:
            return _page(request, importer, UploadForm(), check, status=400)
        upload.delete()
    messages.success(request, _("%(count)s rows imported.") % {"count": written})
    return redirect(importer.done_url())


@login_required
def import_template(request: AuthedRequest, kind: str) -> HttpResponse:
    """The file to fill in: the headers in the user's language and one example row."""
    importer = importer_for(kind)
    importer.authorize(request.user)
    return workbook_response(
        f"{kind}-import-template",
        [str(c.label) for c in importer.columns],
        [importer.example()],
        title=str(importer.title),
    )
