from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.core.forms import TEXT


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.csv, .xlsx or .parquet)"),
        widget=forms.ClearableFileInput(TEXT | {"accept": ".csv,.xlsx,.parquet"}),
    )
    replace = forms.BooleanField(
        label=_("Replace the data already held for each account's days in this file"),
        required=False,
        widget=forms.CheckboxInput({"class": "form-check-input"}),
    )
