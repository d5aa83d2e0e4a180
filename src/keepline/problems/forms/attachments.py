"""Forms that carry documents: several files from one input, and adding them to a problem."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.core.forms import TEXT

# What phones offer to pick or photograph: the types core accepts for attachments.
ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx,image/*"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input: a list of uploads (empty when none). Sizes and types are
    the service's to judge."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(TEXT | {"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Documents"),
        help_text=_("Photos, notices, lists: PDF, image, Word or Excel, up to 20 MB each."),
    )


class AttachForm(forms.Form):
    attachments = attachments_field()
