"""Accounts test helpers: members with verified e-mail, TOTP authenticators and codes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import struct
import time

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from omnitrip.accounts.models import User

PASSWORD = "Blue-lantern-42"  # passes the password validators
_numbers = itertools.count(1)


def member(
    email: str | None = None,
    *,
    password: str = PASSWORD,
    verified: bool = True,
    **fields,
) -> User:
    """A user who signed up (and, by default, verified their address)."""
    email = email or f"traveller{next(_numbers)}@example.com"
    user = User.objects.create_user(
        username=email.split("@")[0], email=email, password=password, **fields
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def with_totp(user: User) -> str:
    """Give ``user`` an authenticator app; returns its base32 secret (as allauth stores it)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def stored_secret(user: User) -> str:
    """The secret allauth keeps for ``user``'s authenticator (``data["secret"]``)."""
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]


def totp_code(secret: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1), computed independently of allauth."""
    counter = int((time.time() if at is None else at) // step)
    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def wrong_code(secret: str) -> str:
    """A six-digit code that is valid in no step allauth accepts now (it allows one step of
    clock drift either side)."""
    now = time.time()
    accepted = {totp_code(secret, now + drift) for drift in (-60, -30, 0, 30, 60)}
    return next(code for code in ("000000", "111111", "222222") if code not in accepted)
