"""How django-allauth treats our users: their language (mails, the page after sign-in), how
they are named on screen, and django-axes' lockout in front of allauth's password check."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as reset_lockouts
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.urls import translate_url
from django.utils import translation

from .models import User

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


def supported_language(code: str | None) -> str:
    """``code`` if the site speaks it (``zh-Hans`` counts as ``zh-hans``), else the default."""
    code = (code or "").lower()
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def in_language(url: str, language: str) -> str:
    """The same page under ``language``'s prefix (``/en/trips/`` → ``/zh-hans/trips/``);
    URLs outside the language-prefixed pages (``/admin/``, ``/pay/…``) are returned as they
    are. Absolute URLs keep their scheme and host."""
    path_language = translation.get_language_from_path(urlsplit(url).path)
    if not path_language:
        return url
    # translate_url resolves the path under the active language, so activate the URL's own.
    with translation.override(path_language):
        return translate_url(url, language)


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Remember ``language`` for pages without a prefix ("/" redirects by it)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def user_display(user: AbstractBaseUser) -> str:
    """How allauth names a user on screen ("Signed in as …"): the name, else the e-mail
    (the generated username means nothing to its owner)."""
    if isinstance(user, User):
        return user.get_full_name() or user.email or user.get_username()
    return user.get_username()


def _recipient_language(user: Any, email: str) -> str | None:
    if not isinstance(user, User):
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = (
            address.user
            if address is not None
            else User.objects.filter(email__iexact=email).first()
        )
    if isinstance(user, User):
        return supported_language(user.preferred_language)
    return None


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """A new account speaks the language its owner signed up in."""
        if isinstance(user, User):
            user.preferred_language = supported_language(translation.get_language())
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every account mail (verification, password reset, notices) in the recipient's
        preferred language, its links pointing at pages in that language. A mail to an
        address with no account (e.g. a reset for an unknown address) uses the page's."""
        language = _recipient_language(context.get("user"), email)
        if language is None:
            super().send_mail(template_prefix, email, context)
            return
        for key in ("activate_url", "password_reset_url", "signup_url"):
            if isinstance(context.get(key), str):
                context[key] = in_language(context[key], language)
        with translation.override(language):
            super().send_mail(template_prefix, email, context)

    def post_login(self, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> Any:
        """After sign-in, continue in the user's preferred language: the default landing
        page, the "signed in" message and a ``next`` page all switch to it, and the
        language cookie is set for unprefixed URLs."""
        language = supported_language(getattr(user, "preferred_language", None))
        with translation.override(language):
            response = super().post_login(request, user, **kwargs)
        if response.status_code in (301, 302) and response.get("Location"):
            response["Location"] = in_language(response["Location"], language)
        set_language_cookie(response, language)
        return response

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """A (login, IP) pair that django-axes has locked out is refused before allauth
        even counts the attempt; AxesMiddleware then shows our lockout page."""
        if not AxesProxyHandler.is_allowed(request, credentials):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def set_password(self, user: Any, password: str) -> None:
        """Setting a new password (the reset link proves the mailbox) also lifts axes'
        lockouts on the account's e-mail, so the owner can sign in straight away."""
        super().set_password(user, password)
        if isinstance(user, User) and user.email:
            reset_lockouts(username=user.email.lower())
