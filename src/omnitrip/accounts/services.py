"""Writes to a traveller's own account."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import transaction

from omnitrip.core.errors import DomainError

from .models import User

_CURRENCY = re.compile(r"[A-Z]{3}")


class InvalidProfile(DomainError):
    code = "invalid_profile"
    status = 422
    title = "Invalid profile"


def update_profile(
    user: User,
    *,
    first_name: str,
    last_name: str,
    phone: str,
    preferred_language: str,
    preferred_currency: str,
) -> User:
    """Save what a user says about themselves: name, phone, the language the site and its
    mails speak to them in, and the currency prices are also shown in ("" = only as
    charged). Runs in one transaction; no side effects; idempotent.

    Raises ``InvalidProfile`` for a language the site does not speak or a currency that is
    not an ISO-4217 code (callers validate the finer rules, e.g. which currencies they
    offer, on their forms)."""
    languages = {code for code, _name in settings.LANGUAGES}
    if preferred_language not in languages:
        raise InvalidProfile(f"Unsupported language {preferred_language!r}")
    if preferred_currency and not _CURRENCY.fullmatch(preferred_currency):
        raise InvalidProfile(f"Not a currency code: {preferred_currency!r}")
    with transaction.atomic():
        user.first_name = first_name.strip()
        user.last_name = last_name.strip()
        user.phone = phone.strip()
        user.preferred_language = preferred_language
        user.preferred_currency = preferred_currency
        user.save(
            update_fields=[
                "first_name",
                "last_name",
                "phone",
                "preferred_language",
                "preferred_currency",
            ]
        )
    return user
