"""Forms for people and tokens; they parse input, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from keepline.core.models import Role

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = TEXT | {"type": "date"}


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, widget=forms.TextInput(TEXT))
    display_name = forms.CharField(
        label=_("Display name"), max_length=100, required=False, widget=forms.TextInput(TEXT)
    )
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(TEXT))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(TEXT))


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput(TEXT))


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, widget=forms.Select(SELECT))
    scope = forms.CharField(
        label=_("Scope"),
        required=False,
        widget=forms.TextInput(TEXT),
        help_text=_(
            "Region code (bureau, district, checkpoint, health, leader), park code (park), "
            "credit code (liaison, commissioner) or department id (department); empty for admin."
        ),
    )


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, widget=forms.TextInput(TEXT | {"placeholder": "ETL"})
    )
