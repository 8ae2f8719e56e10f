"""django-axes behind allauth's sign-in: 5 failures for one (login, IP) lock it out."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client

from .factories import PASSWORD, member

pytestmark = pytest.mark.django_db

LOGIN = "/en/accounts/login/"
LOCKED = "For your security, signing in is locked for 15 minutes."


def attempt(client, email: str, password: str):
    return client.post(LOGIN, {"login": email, "password": password})


def test_five_failures_lock_the_login_and_then_even_the_right_password_is_refused(client):
    member("li@example.com")

    failures = [attempt(client, "li@example.com", f"guess-{n}") for n in range(5)]
    right_password = attempt(client, "Li@Example.com", PASSWORD)

    assert [r.status_code for r in failures] == [200, 200, 200, 200, 429]
    assert LOCKED not in failures[3].content.decode()
    for locked in (failures[4], right_password):
        page = locked.content.decode()
        assert locked.status_code == 429
        assert "<h1>Sign-in temporarily locked</h1>" in page
        assert LOCKED in page
        assert '<html lang="en">' in page
    assert client.session.get("_auth_user_id") is None
    assert AccessAttempt.objects.get().failures_since_start == 5


def test_the_lockout_page_speaks_the_pages_language(client):
    member("li@example.com")
    for n in range(5):
        client.post("/zh-hans/accounts/login/", {"login": "li@example.com", "password": f"x{n}"})

    locked = client.post(
        "/zh-hans/accounts/login/", {"login": "li@example.com", "password": PASSWORD}
    )

    assert locked.status_code == 429
    assert '<html lang="zh-hans">' in locked.content.decode()


def test_other_logins_from_the_same_address_are_not_locked(client):
    member("li@example.com")
    member("wang@example.com")
    for n in range(5):
        attempt(client, "li@example.com", f"guess-{n}")

    other_user = attempt(client, "wang@example.com", PASSWORD)

    assert other_user.status_code == 302


def test_from_another_address_allauths_own_limit_still_guards_the_login(client):
    member("li@example.com")
    for n in range(5):
        attempt(client, "li@example.com", f"guess-{n}")

    elsewhere = attempt(Client(REMOTE_ADDR="203.0.113.9"), "li@example.com", PASSWORD)

    # axes' lock is per (login, IP); allauth counts failures per login across addresses.
    assert elsewhere.status_code == 200
    assert "Too many failed login attempts. Try again later." in elsewhere.content.decode()
    assert "_auth_user_id" not in elsewhere.wsgi_request.session


def test_setting_a_new_password_from_the_reset_mail_lifts_the_lock(client):
    user = member("li@example.com")
    for n in range(5):
        attempt(client, "li@example.com", f"guess-{n}")
    client.post("/en/accounts/password/reset/", {"email": "li@example.com"})
    (message,) = mail.outbox
    link = next(word for word in message.body.split() if "/password/reset/key/" in word)
    form_url = client.get(link.replace("http://testserver", ""))["Location"]
    new_password = "Green-teapot-77"

    client.post(form_url, {"password1": new_password, "password2": new_password})
    signed_in = attempt(client, "li@example.com", new_password)

    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AccessAttempt.objects.count() == 0
