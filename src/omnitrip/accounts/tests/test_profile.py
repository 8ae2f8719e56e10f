"""The profile page and the user's preferred language and currency."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from omnitrip.accounts.models import User

from .factories import PASSWORD, member

pytestmark = pytest.mark.django_db

PROFILE = "/en/account/profile/"


def profile_data(**changes) -> dict[str, str]:
    data = {
        "first_name": "Wei",
        "last_name": "Li",
        "phone": "+86 138 0013 8000",
        "preferred_language": "en",
        "preferred_currency": "",
    }
    data.update(changes)
    return data


def test_the_profile_needs_a_signed_in_user(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/en/account/profile/"


def test_the_profile_shows_the_users_details_and_links_to_security_pages(client):
    user = member("li@example.com", first_name="Wei", phone="+86 138 0013 8000")
    client.force_login(user)

    page = client.get(PROFILE).content.decode()

    assert "li@example.com" in page
    assert 'value="Wei"' in page
    assert 'value="+86 138 0013 8000"' in page
    assert 'href="/en/accounts/email/"' in page
    assert 'href="/en/accounts/password/change/"' in page
    assert 'href="/en/accounts/2fa/"' in page
    assert '<label for="id_preferred_currency">' in page


def test_saving_the_profile_stores_it_and_shows_prices_in_the_chosen_currency(client):
    user = member("li@example.com")
    client.force_login(user)

    response = client.post(PROFILE, profile_data(preferred_currency="USD"))

    assert response.status_code == 302
    assert response["Location"] == PROFILE
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.phone) == ("Wei", "Li", "+86 138 0013 8000")
    assert (user.preferred_language, user.preferred_currency) == ("en", "USD")
    page = client.get(PROFILE).content.decode()
    assert "Your profile has been saved." in page
    assert '<option value="USD" selected>USD</option>' in page


def test_a_currency_not_offered_is_refused_next_to_the_field_and_input_is_kept(client):
    user = member("li@example.com", preferred_currency="EUR")
    client.force_login(user)

    response = client.post(
        PROFILE, profile_data(first_name="Mei", preferred_currency="XYZ", phone="12345678")
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(
        r'<select name="preferred_currency"[^>]*aria-invalid="true"'
        r'[^>]*aria-describedby="id_preferred_currency_helptext id_preferred_currency_error"',
        page,
    )
    assert '<ul class="errorlist" id="id_preferred_currency_error">' in page
    assert "Select a valid choice. XYZ is not one of the available choices." in page
    assert 'value="Mei"' in page
    assert 'value="12345678"' in page
    user.refresh_from_db()
    assert (user.first_name, user.phone, user.preferred_currency) == ("", "", "EUR")


def test_a_malformed_phone_number_is_refused_next_to_the_field(client):
    user = member("li@example.com")
    client.force_login(user)

    response = client.post(PROFILE, profile_data(phone="call me maybe"))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_phone_error">' in page
    assert "Enter a phone number of 6 to 15 digits" in page
    assert 'value="call me maybe"' in page
    user.refresh_from_db()
    assert user.phone == ""


def test_choosing_chinese_continues_in_chinese_and_remembers_it(client):
    user = member("li@example.com")
    client.force_login(user)

    response = client.post(PROFILE, profile_data(preferred_language="zh-hans"))

    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/account/profile/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    user.refresh_from_db()
    assert user.preferred_language == "zh-hans"
    page = client.get(response["Location"])
    assert page.content.decode().startswith('<!doctype html>\n<html lang="zh-hans">')


def test_signing_in_takes_the_user_to_their_language(client):
    member("wang@example.com", preferred_language="zh-hans")

    response = client.post(
        "/en/accounts/login/?next=/en/terms/",
        {"login": "wang@example.com", "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/terms/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_signing_in_without_a_next_page_lands_on_the_home_page_in_their_language(client):
    member("wang@example.com", preferred_language="zh-hans")

    response = client.post(
        "/en/accounts/login/", {"login": "wang@example.com", "password": PASSWORD}
    )

    assert response["Location"] == "/zh-hans/"
    assert int(client.session["_auth_user_id"]) == User.objects.get().pk
