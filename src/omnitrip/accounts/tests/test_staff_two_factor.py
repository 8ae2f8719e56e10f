"""Staff reach the back office (/admin/) only through allauth's sign-in with TOTP."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from .factories import PASSWORD, member, stored_secret, totp_code, with_totp, wrong_code

pytestmark = pytest.mark.django_db

ACTIVATE = "/en/accounts/2fa/totp/activate/"
QUOTED_ACTIVATE = "%2Fen%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
CODE_PAGE = "/en/accounts/2fa/authenticate/"


def staff(email: str = "ops@example.com", **fields):
    return member(email, is_staff=True, **fields)


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_admin_sign_in_goes_through_allauths_sign_in(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"


def test_posting_a_password_to_djangos_admin_login_signs_nobody_in(client):
    user = staff()
    with_totp(user)

    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
    assert signed_in_user_id(client) is None


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client):
    client.force_login(staff())

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == ACTIVATE
    # allauth asks for the password again before adding an authenticator.
    page = client.get(ACTIVATE, follow=True)
    assert page.redirect_chain == [("/en/accounts/reauthenticate/?next=" + QUOTED_ACTIVATE, 302)]
    assert "Staff accounts must use two-factor authentication." in page.content.decode()


def test_staff_setting_up_totp_then_reach_the_back_office(client):
    user = staff()
    client.post("/en/accounts/login/?next=/admin/", {"login": user.email, "password": PASSWORD})
    assert client.get("/admin/")["Location"] == ACTIVATE
    reauthenticated = client.post(
        "/en/accounts/reauthenticate/?next=" + QUOTED_ACTIVATE, {"password": PASSWORD}
    )
    assert reauthenticated["Location"] == ACTIVATE
    form = client.get(ACTIVATE)
    secret = form.context["form"].secret

    activated = client.post(ACTIVATE, {"code": totp_code(secret)})

    assert activated.status_code == 302
    assert activated["Location"] == "/en/accounts/2fa/recovery-codes/"
    assert stored_secret(user) == secret
    codes_page = client.get(activated["Location"]).content.decode()
    assert 'href="/admin/"' in codes_page
    assert client.get("/admin/").status_code == 200


def test_staff_with_totp_must_enter_a_code_after_the_password(client):
    user = staff()
    secret = with_totp(user)

    password_step = client.post(
        "/en/accounts/login/?next=/admin/", {"login": user.email, "password": PASSWORD}
    )
    assert password_step.status_code == 302
    assert password_step["Location"] == CODE_PAGE
    assert signed_in_user_id(client) is None
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"

    code_step = client.post(CODE_PAGE, {"code": totp_code(secret)})

    assert code_step.status_code == 302
    assert code_step["Location"] == "/admin/"
    assert signed_in_user_id(client) == str(user.pk)
    admin = client.get("/admin/")
    assert admin.status_code == 200
    assert "Site administration" in admin.content.decode()


def test_a_wrong_code_is_refused_and_signs_nobody_in(client):
    user = staff()
    secret = with_totp(user)
    client.post("/en/accounts/login/?next=/admin/", {"login": user.email, "password": PASSWORD})
    response = client.post(CODE_PAGE, {"code": wrong_code(secret)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Incorrect code." in page
    assert 'id="id_code_error"' in page
    assert signed_in_user_id(client) is None
    assert Authenticator.objects.get(user=user, type="totp").last_used_at is None


def test_a_signed_in_traveller_cannot_reach_the_back_office(client):
    client.force_login(member("li@example.com"))

    admin = client.get("/admin/")
    login = client.get(admin["Location"])

    assert admin.status_code == 302
    assert admin["Location"] == "/admin/login/?next=/admin/"
    assert login.status_code == 403
    assert "your account does not have access to the back office" in login.content.decode()
    assert client.get("/admin/accounts/user/").status_code == 302


def test_a_signed_in_staff_user_on_the_admin_login_goes_on_to_the_admin(client):
    user = staff()
    with_totp(user)
    client.force_login(user)

    response = client.get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/accounts/user/"
