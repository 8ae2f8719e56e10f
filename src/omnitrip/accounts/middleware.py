"""The back office's door: staff sign in through allauth and must use TOTP two-factor."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext


class StaffTwoFactorMiddleware:
    """Guards every URL under the Django admin.

    - ``/admin/login/`` never shows Django's own form (it would sign in with a password
      alone): visitors go to allauth's sign-in, which asks users with an authenticator for
      their TOTP code, and come back to ``next``.
    - A signed-in staff user without a TOTP authenticator is sent to set one up before any
      admin page (sign-out excepted).
    - A signed-in user who is not staff gets a 403 page: allauth would send a signed-in
      user straight back to ``next``, which is the admin again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        admin_root = reverse("admin:index")
        if request.path.startswith(admin_root):
            answer = self._admin_gate(request)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _admin_gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if request.path == reverse("admin:login"):
            target = self._next(request)
            if not user.is_authenticated:
                login = reverse("account_login")
                return HttpResponseRedirect(f"{login}?{urlencode({'next': target})}")
            if not (user.is_active and user.is_staff):
                return render(request, "account/staff_only.html", status=403)
            return HttpResponseRedirect(target)
        if request.path == reverse("admin:logout"):
            return None
        if (
            user.is_authenticated
            and user.is_active
            and user.is_staff
            and not is_mfa_enabled(user, [Authenticator.Type.TOTP])
        ):
            messages.warning(
                request,
                gettext(
                    "Staff accounts must use two-factor authentication. Set up an "
                    "authenticator app to continue to the back office."
                ),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return None

    @staticmethod
    def _next(request: HttpRequest) -> str:
        target = request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return reverse("admin:index")
