"""Reads about users shared by several surfaces (back office, API)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled


def is_trusted_staff(user: Any) -> bool:
    """An active staff member who signs in with TOTP two-factor: the only kind of user who
    may take operator actions (refunds, back office). Staff without an authenticator could
    have signed in with a password alone."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and is_mfa_enabled(user, [Authenticator.Type.TOTP])
    )
