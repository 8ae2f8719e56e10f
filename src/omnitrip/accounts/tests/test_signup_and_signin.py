"""Sign-up with mandatory e-mail verification, sign-in, sign-out and password reset."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from omnitrip.accounts.models import User

from .factories import PASSWORD, member

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://testserver(/[^\s]+)")


def link_in(message) -> str:
    """The one site link in a mail's text, as a path."""
    (path,) = LINK.findall(message.body)
    return path


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def sign_up(client, email: str, language: str = "en"):
    return client.post(
        f"/{language}/accounts/signup/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def sign_in(client, email: str, password: str = PASSWORD, language: str = "en", **query):
    url = f"/{language}/accounts/login/"
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, {"login": email, "password": password})


def test_sign_up_creates_an_unverified_account_and_mails_a_verification_link(client):
    response = sign_up(client, "Li.Wei@Example.com")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/confirm-email/"
    user = User.objects.get()
    assert user.email == "li.wei@example.com"
    assert user.username  # generated: the form asks for none
    assert user.preferred_language == "en"
    assert user.check_password(PASSWORD)
    assert user.password.startswith("argon2")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (
        "li.wei@example.com",
        False,
        True,
    )
    assert signed_in_user_id(client) is None
    (message,) = mail.outbox
    assert message.to == ["li.wei@example.com"]
    assert message.subject == "[omnitrip] Please Confirm Your Email Address"
    assert link_in(message).startswith("/en/accounts/confirm-email/")


def test_the_sign_up_form_asks_for_e_mail_and_password_only(client):
    page = client.get("/en/accounts/signup/").content.decode()

    assert 'name="email"' in page
    assert 'name="password1"' in page
    assert 'name="username"' not in page
    assert '<label for="id_email">' in page


def test_a_bad_sign_up_keeps_the_address_and_says_why_next_to_the_field(client):
    response = client.post(
        "/en/accounts/signup/",
        {"email": "li@example.com", "password1": "short", "password2": "short"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="li@example.com"' in page
    assert 'id="id_password1_error"' in page
    assert "This password is too short." in page
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_password1"', page)
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_signing_in_before_verifying_is_refused(client):
    sign_up(client, "li@example.com")
    mail.outbox.clear()

    response = sign_in(client, "li@example.com")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/confirm-email/"
    assert signed_in_user_id(client) is None
    # The link sent at sign-up still works; allauth waits 3 minutes before sending another.
    assert mail.outbox == []
    assert EmailAddress.objects.get(email="li@example.com").verified is False


def test_the_verification_link_verifies_and_then_sign_in_works(client):
    sign_up(client, "li@example.com")
    link = link_in(mail.outbox[0])

    page = client.get(link)
    confirmed = client.post(link)

    assert page.status_code == 200
    assert "li@example.com" in page.content.decode()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/en/accounts/login/"
    assert EmailAddress.objects.get(email="li@example.com").verified is True
    signed_in = sign_in(client, "li@example.com")
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/en/"
    assert signed_in_user_id(client) == str(User.objects.get().pk)


def test_a_wrong_password_is_refused_with_a_message_on_the_page(client):
    member("li@example.com")

    response = sign_in(client, "li@example.com", password="not-my-password")

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert signed_in_user_id(client) is None


def test_sign_out_ends_the_session(client):
    user = member("li@example.com")
    client.force_login(user)

    response = client.post("/en/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert signed_in_user_id(client) is None


def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    user = member("li@example.com")

    requested = client.post("/en/accounts/password/reset/", {"email": "li@example.com"})
    (message,) = mail.outbox
    link = link_in(message)
    opened = client.get(link)
    form_url = opened["Location"]
    new_password = "Green-teapot-77"
    reset = client.post(form_url, {"password1": new_password, "password2": new_password})

    assert requested.status_code == 302
    assert message.to == ["li@example.com"]
    assert message.subject == "[omnitrip] Password Reset Email"
    assert link.startswith("/en/accounts/password/reset/key/")
    assert opened.status_code == 302
    assert form_url.endswith("-set-password/")
    assert reset.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert sign_in(client, "li@example.com", password=new_password)["Location"] == "/en/"


def test_verification_and_reset_mails_speak_the_users_language(client):
    member("wang@example.com", preferred_language="zh-hans")

    client.post("/en/accounts/password/reset/", {"email": "wang@example.com"})

    (message,) = mail.outbox
    assert message.subject == "[omnitrip] 密码重置邮件"
    assert link_in(message).startswith("/zh-hans/accounts/password/reset/key/")


def test_a_chinese_sign_up_gets_chinese_mail_and_a_chinese_account(client):
    sign_up(client, "zhang@example.com", language="zh-hans")

    user = User.objects.get()
    (message,) = mail.outbox
    assert user.preferred_language == "zh-hans"
    assert message.subject == "[omnitrip] 请确认您的Email地址"
    assert link_in(message).startswith("/zh-hans/accounts/confirm-email/")


def test_the_chinese_sign_in_page_is_in_chinese(client):
    page = client.get("/zh-hans/accounts/login/").content.decode()

    assert '<html lang="zh-hans">' in page
    assert re.search(r"<h1>\s*登录\s*</h1>", page)
    assert "忘记密码" in page
