"""Accounts in a real browser: sign-up → verify → sign-in, and staff sign-in with TOTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
import time
import uuid

from playwright.sync_api import expect

PASSWORD = "Blue-lantern-42"


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238: HMAC-SHA1 over the 30-second step counter, dynamic truncation, 6 digits."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(
        base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1
    ).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    (link,) = re.findall(r"https?://\S+", body)
    return link


def test_sign_up_verify_then_sign_in(page, site):
    email = f"traveller-{uuid.uuid4().hex[:8]}@example.com"

    page.goto("/en/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")

    # Not yet: the address is unverified.
    page.goto("/en/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    expect(page.get_by_role("link", name="Profile")).to_have_count(0)

    (message,) = site.mails_to(email)
    assert message["Subject"] == "[omnitrip] Please Confirm Your Email Address"
    page.goto(link_in(message))
    expect(page.get_by_text(email).first).to_be_visible()
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/en/accounts/login/$"))

    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/en/$"))
    expect(page.get_by_text(f"Successfully signed in as {email}.")).to_be_visible()
    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_text(email)).to_be_visible()


STAFF_WITH_TOTP = """
import json
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from omnitrip.accounts.models import User
user = User.objects.create_user(
    username="{name}", email="{name}@example.com", password="{password}",
    is_staff=True, is_superuser=True,
)
EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
secret = generate_totp_secret()
TOTP.activate(user, secret)
print(json.dumps({{"email": user.email, "secret": secret}}))
"""


def test_staff_sign_in_asks_for_a_totp_code(page, site):
    created = site.shell(
        STAFF_WITH_TOTP.format(name=f"ops-{uuid.uuid4().hex[:8]}", password=PASSWORD)
    )
    staff = json.loads(created.strip().splitlines()[-1])

    page.goto("/admin/login/")
    expect(page).to_have_url(re.compile(r"/en/accounts/login/\?next=%2Fadmin%2F$"))
    page.get_by_label("Email").fill(staff["email"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")

    # A code from no nearby 30-second step (the server accepts one step of clock drift).
    now = time.time()
    nearby = {totp(staff["secret"], now + drift) for drift in (-60, -30, 0, 30, 60)}
    wrong = next(code for code in ("000000", "111111", "222222") if code not in nearby)
    page.get_by_label("Code").fill(wrong)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    refused = page.request.get(site.url("/admin/"), max_redirects=0)
    assert (refused.status, refused.headers["location"]) == (302, "/admin/login/?next=/admin/")

    page.get_by_label("Code").fill(totp(staff["secret"]))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
