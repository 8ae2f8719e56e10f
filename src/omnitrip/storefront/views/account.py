"""Storefront: the traveller's profile (name, phone, language, display currency).

Sign-up, sign-in, password and two-factor pages are django-allauth's, mounted at
``/<lang>/accounts/`` and drawn in our frame (``accounts/templates/allauth/``); this page
links to them. Saving goes through ``accounts.services.update_profile``.
"""

from __future__ import annotations

import re

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from omnitrip.accounts.adapter import set_language_cookie
from omnitrip.accounts.models import User
from omnitrip.accounts.services import update_profile

from ..display import DISPLAY_CURRENCIES, SESSION_KEY

_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]*")


class ProfileForm(forms.Form):
    first_name = forms.CharField(
        label=gettext_lazy("Given name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=gettext_lazy("Family name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("With the country code, for example +86 138 0013 8000."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    preferred_language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=settings.LANGUAGES,
        help_text=gettext_lazy("The language of the site and of the e-mails we send you."),
    )
    preferred_currency = forms.ChoiceField(
        label=gettext_lazy("Display currency"),
        required=False,
        choices=[
            ("", gettext_lazy("Prices as charged")),
            *((code, code) for code in DISPLAY_CURRENCIES),
        ],
        help_text=gettext_lazy(
            "Prices are always charged in the supplier's currency; this one is shown "
            "beside them for information."
        ),
    )

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        digits = sum(ch.isdigit() for ch in phone)
        if phone and (not _PHONE.fullmatch(phone) or not 6 <= digits <= 15):
            raise forms.ValidationError(
                gettext("Enter a phone number of 6 to 15 digits, for example +86 138 0013 8000."),
                code="invalid_phone",
            )
        return phone


def _initial(user: User) -> dict[str, str]:
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        "preferred_currency": user.preferred_currency,
    }


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            update_profile(user, **form.cleaned_data)
            # The saved currency is shown from now on (the menu's session choice would
            # otherwise hide it); "as charged" clears that choice too.
            if user.preferred_currency:
                request.session[SESSION_KEY] = user.preferred_currency
            else:
                request.session.pop(SESSION_KEY, None)
            language = user.preferred_language
            # Continue in the language just chosen: its message and its URL prefix.
            with translation.override(language):
                messages.success(request, gettext("Your profile has been saved."))
                response = HttpResponseRedirect(reverse("storefront:profile"))
            set_language_cookie(response, language)
            return response
    else:
        form = ProfileForm(initial=_initial(user))
    context = {
        "form": form,
        "profile_user": user,
        "has_totp": is_mfa_enabled(user, [Authenticator.Type.TOTP]),
    }
    return render(request, "storefront/account/profile.html", context)


urlpatterns: list[URLPattern] = [
    path("account/profile/", profile, name="profile"),
]
