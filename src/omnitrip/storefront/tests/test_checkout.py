"""Checkout, pay, order and My trips pages, driven through Django's test client.

The stay used throughout: a double room at 500.00 a night for two nights, a 6 % VAT added
on top and a city tax of 10.00 per room per night, so the server's total is
1000.00 + 60.00 + 20.00 = 1080.00 CNY.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import zlib

import pytest
from django.conf import settings
from django.contrib import auth
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from omnitrip.accounts.models import User
from omnitrip.catalog.models import TaxFee
from omnitrip.catalog.tests import factories as cf
from omnitrip.inventory.models import InventorySlot
from omnitrip.orders.access import access_token
from omnitrip.orders.models import Order
from omnitrip.orders.services import lifecycle
from omnitrip.payments.models import Payment, Refund
from omnitrip.storefront.views.checkout import BASKET_SALT

pytestmark = [pytest.mark.django_db]

TODAY = dt.date.today()
START = TODAY + dt.timedelta(days=10)  # free cancellation (3+ days before)
END = START + dt.timedelta(days=2)
TOTAL = 108_000
DESKTOP_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36"
)
PHONE_UA = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Mobile Safari/537.36"
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the guest lookup's rate limit lives in the cache
    yield
    cache.clear()


def hotel(capacity: int = 3):
    offer = cf.hotel_offer(capacity=capacity, price_minor=50_000)
    cf.vat(offer.product)
    TaxFee.objects.create(
        product=offer.product,
        code="city",
        name_en="City tax",
        name_zh="城市税",
        basis=TaxFee.Basis.PER_NIGHT,
        amount_minor=1_000,
        is_tax=False,
    )
    return offer


def checkout_url(offer, quantity=1, adults=2, children=0, start=START, end=END) -> str:
    return (
        f"/en/checkout/?offer={offer.code}&start={start.isoformat()}&end={end.isoformat()}"
        f"&quantity={quantity}&adults={adults}&children={children}"
    )


def basket_of(response) -> str:
    found = re.search(r'name="basket" value="([^"]+)"', response.content.decode())
    assert found, response.content.decode()[:2000]
    return found.group(1)


def traveller(basket: str, **overrides) -> dict:
    data = {
        "basket": basket,
        "name": "Li Wei",
        "email": "li.wei@example.com",
        "phone": "+86 138 0000 0000",
        "accept_terms": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def place(client: Client, offer, ua: str = DESKTOP_UA, **overrides):
    page = client.get(checkout_url(offer), HTTP_USER_AGENT=ua)
    assert page.status_code == 200
    return client.post("/en/checkout/", traveller(basket_of(page), **overrides), HTTP_USER_AGENT=ua)


def placed_order(client: Client, offer, **kw) -> Order:
    response = place(client, offer, **kw)
    assert response.status_code == 302, response.content.decode()[:3000]
    return Order.objects.get()


def pay(client: Client, order: Order, decision: str = "approve"):
    """Pay now on the pay page, then decide on the sandbox's hosted page (which posts
    its signed callback synchronously in embedded mode) and follow it back."""
    started = client.post(f"/en/orders/{order.code}/pay/")
    assert started.status_code == 302
    assert started["Location"].startswith("/pay/sandbox/")
    payment = Payment.objects.get(order=order, status="pending")
    returned = client.post(
        f"/pay/sandbox/{payment.code}/",
        {"decision": decision, "return": f"/en/orders/{order.code}/"},
    )
    assert returned.status_code == 302
    assert returned["Location"] == f"/en/orders/{order.code}/"
    return returned


def slot(offer, date):
    return InventorySlot.objects.get(offer=offer, date=date)


def sign_in(client: Client, user: User) -> Client:
    """Sign ``user`` in by writing the session (``force_login`` runs the login signal, whose
    throttling handler needs a client address the test request does not have)."""
    session = client.session
    session[auth.SESSION_KEY] = str(user.pk)
    session[auth.BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[auth.HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def person(name: str) -> User:
    return User.objects.create_user(
        username=name, email=f"{name}@example.com", first_name=name.title(), phone="+86 1"
    )


# --- the checkout page -------------------------------------------------------------------


def test_checkout_shows_every_night_tax_and_fee_and_the_servers_total(client):
    offer = hotel()
    page = client.get(checkout_url(offer))
    html = page.content.decode()
    assert page.status_code == 200
    assert f"night of {START.isoformat()}" in html
    assert f"night of {(START + dt.timedelta(days=1)).isoformat()}" in html
    assert "VAT" in html
    assert "CN¥60.00" in html
    assert "City tax" in html
    assert "CN¥20.00" in html
    assert re.search(r'data-testid="total">CN¥1,080.00', html)
    assert "Free cancellation until 3 days before arrival." in html
    assert 'href="/en/terms/"' in html
    assert 'name="accept_terms"' in html


def test_a_happy_checkout_creates_one_order_with_the_servers_total_and_the_terms(client):
    offer = hotel()
    before = timezone.now()
    response = place(client, offer)
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/orders/{order.code}/pay/"
    assert order.total_minor == TOTAL
    assert order.currency == "CNY"
    assert order.status == "pending_payment"
    assert (order.contact_name, order.contact_email) == ("Li Wei", "li.wei@example.com")
    assert order.terms_version == "2026-11"
    assert before <= order.terms_accepted_at <= timezone.now()
    assert order.terms_accepted_ip == "127.0.0.1"
    assert order.language == "en"
    assert order.customer is None
    assert slot(offer, START).held == 1


def test_a_signed_in_booking_is_prefilled_and_belongs_to_the_user(client):
    offer = hotel()
    user = person("wang")
    sign_in(client, user)
    page = client.get(checkout_url(offer))
    html = page.content.decode()
    assert 'value="wang@example.com"' in html
    assert 'value="Wang"' in html
    client.post("/en/checkout/", traveller(basket_of(page), name="Wang Fang"))
    assert Order.objects.get().customer == user


def test_a_tampered_basket_places_no_order(client):
    offer = hotel()
    basket = basket_of(client.get(checkout_url(offer)))
    tampered = basket[:-3] + ("AAA" if basket[-3:] != "AAA" else "BBB")
    response = client.post("/en/checkout/", traveller(tampered))
    assert response.status_code == 400
    assert "were changed, so we cannot use them" in response.content.decode()
    assert Order.objects.count() == 0
    assert slot(offer, START).held == 0


def _rewrite_payload(token: str, **changes) -> str:
    """The signed basket with its JSON payload changed but the old signature kept."""
    payload, timestamp, signature = token.rsplit(":", 2)
    compressed = payload.startswith(".")
    payload = payload.lstrip(".")
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    data = json.loads(zlib.decompress(raw) if compressed else raw)
    data.update(changes)
    encoded = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    return f"{encoded.decode().rstrip('=')}:{timestamp}:{signature}"


def test_a_quantity_or_offer_changed_inside_the_signed_basket_is_refused(client):
    offer = hotel(capacity=5)
    other = hotel(capacity=5)
    basket = basket_of(client.get(checkout_url(offer)))
    assert signing.TimestampSigner(salt=BASKET_SALT).unsign_object(basket)["quantity"] == 1
    for changed in (
        _rewrite_payload(basket, quantity=3),
        _rewrite_payload(basket, offer=other.code),
    ):
        response = client.post("/en/checkout/", traveller(changed))
        assert response.status_code == 400
        assert "Nothing was booked" in response.content.decode()
    assert Order.objects.count() == 0
    assert slot(offer, START).held == 0
    assert slot(other, START).held == 0


def test_posted_price_total_and_quantity_fields_are_ignored(client):
    offer = hotel()
    basket = basket_of(client.get(checkout_url(offer)))
    response = client.post(
        "/en/checkout/",
        traveller(basket, price="1", total="1", total_minor="100", quantity="3", currency="USD"),
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.total_minor, order.currency) == (TOTAL, "CNY")
    assert order.items.get().quantity == 1
    assert slot(offer, START).held == 1


def test_a_double_submit_of_one_form_gives_one_order(client):
    offer = hotel()
    basket = basket_of(client.get(checkout_url(offer)))
    first = client.post("/en/checkout/", traveller(basket))
    second = client.post("/en/checkout/", traveller(basket))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    assert slot(offer, START).held == 1


def test_two_forms_are_two_orders(client):
    offer = hotel()
    place(client, offer)
    place(client, offer)
    assert Order.objects.count() == 2


def test_missing_terms_and_a_bad_email_are_shown_by_their_fields_and_input_is_kept(client):
    offer = hotel()
    basket = basket_of(client.get(checkout_url(offer)))
    response = client.post(
        "/en/checkout/",
        traveller(basket, email="li.wei@", name="Li Wei Typed", accept_terms=None),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_email_error"' in html
    assert "Please enter a valid e-mail address, like name@example.com." in html
    assert 'id="id_accept_terms_error"' in html
    assert "Please accept the terms of booking to continue." in html
    assert re.search(r'<input[^>]*aria-describedby="id_email_error id_email_helptext"', html)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*name="email"', html) or re.search(
        r'name="email"[^>]*aria-invalid="true"', html
    )
    assert 'value="li.wei@"' in html
    assert 'value="Li Wei Typed"' in html
    assert 'name="basket"' in html  # the same basket can be sent again
    assert Order.objects.count() == 0


def test_a_sold_out_stay_shows_a_message_and_places_no_order(client):
    offer = hotel(capacity=1)
    basket = basket_of(client.get(checkout_url(offer)))
    InventorySlot.objects.filter(offer=offer, date=START).update(sold=1)
    response = client.post("/en/checkout/", traveller(basket))
    assert response.status_code == 409
    assert "not enough availability left" in response.content.decode()
    assert Order.objects.count() == 0


def test_a_sold_out_stay_says_so_on_the_checkout_page(client):
    offer = hotel(capacity=1)
    InventorySlot.objects.filter(offer=offer, date=START).update(sold=1)
    response = client.get(checkout_url(offer))
    assert response.status_code == 409
    assert "not enough availability left" in response.content.decode()
    assert 'name="basket"' not in response.content.decode()


def test_dates_in_the_past_or_nonsense_give_a_message_not_an_error(client):
    offer = hotel()
    past = client.get(checkout_url(offer, start=TODAY - dt.timedelta(days=2), end=TODAY))
    assert past.status_code == 422
    assert "dates are not valid" in past.content.decode()
    garbled = client.get(f"/en/checkout/?offer={offer.code}&start=soon&quantity=x")
    assert garbled.status_code == 400
    unknown = client.get(checkout_url(offer).replace(offer.code, "NOPE"))
    assert unknown.status_code == 404
    assert "no longer on sale" in unknown.content.decode()


def test_a_phone_books_on_the_mobile_web_channel_and_a_desktop_on_the_web(client):
    offer = hotel(capacity=5)
    placed_order(client, offer, ua=PHONE_UA)
    assert Order.objects.get().channel == "mobile_web"
    Order.objects.all().delete()
    placed_order(Client(), offer, ua=DESKTOP_UA)
    assert Order.objects.get().channel == "web"


def test_the_page_language_is_the_orders_language(client):
    offer = hotel()
    page = client.get(checkout_url(offer).replace("/en/", "/zh-hans/"))
    assert "城市税" in page.content.decode()
    client.post("/zh-hans/checkout/", traveller(basket_of(page)))
    assert Order.objects.get().language == "zh-hans"


# --- who may open an order ------------------------------------------------------------------


def test_the_session_that_booked_opens_the_order_and_a_stranger_gets_404(client):
    order = placed_order(client, hotel())
    assert client.get(f"/en/orders/{order.code}/").status_code == 200
    stranger = Client()
    assert stranger.get(f"/en/orders/{order.code}/").status_code == 404
    assert stranger.get("/en/orders/OTNOSUCHCODE/").status_code == 404
    assert stranger.get(f"/en/orders/{order.code}/pay/").status_code == 404
    assert stranger.get(f"/en/orders/{order.code}/cancel/").status_code == 404
    assert stranger.post(f"/en/orders/{order.code}/cancel/", {"confirm": "on"}).status_code == 404
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_the_access_link_opens_the_order_and_a_wrong_token_gets_404(client):
    order = placed_order(client, hotel())
    token = access_token(order.code, order.access_salt)
    guest = Client()
    assert guest.get(f"/en/orders/{order.code}/?token=wrong-token").status_code == 404
    assert guest.get(f"/en/orders/{order.code}/?token={token}").status_code == 200
    # The link unlocked the order for this browser session.
    assert guest.get(f"/en/orders/{order.code}/").status_code == 200


def test_the_customer_opens_their_order_from_another_browser(client):
    user = person("zhao")
    sign_in(client, user)
    order = placed_order(client, hotel())
    elsewhere = Client()
    sign_in(elsewhere, user)
    assert elsewhere.get(f"/en/orders/{order.code}/").status_code == 200
    other = Client()
    sign_in(other, person("qian"))
    assert other.get(f"/en/orders/{order.code}/").status_code == 404


# --- pay, confirmation, vouchers -------------------------------------------------------------


def test_the_pay_page_shows_the_holds_remaining_time(client):
    order = placed_order(client, hotel())
    page = client.get(f"/en/orders/{order.code}/pay/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="hold-timer"' in html
    assert re.search(r'data-remaining="(8\d\d|9\d\d)"', html)  # 15 minutes, less a moment
    assert re.search(r"data-countdown>1[45]:\d\d<", html)
    assert "CN¥1,080.00" in html


def test_an_expired_hold_says_so_and_offers_to_search_again(client):
    offer = hotel()
    order = placed_order(client, offer)
    Order.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=5)
    )
    page = client.get(f"/en/orders/{order.code}/pay/")
    html = page.content.decode()
    assert "Your reservation has expired" in html
    assert 'href="/en/search/"' in html
    assert "Pay now" not in html
    order.refresh_from_db()
    assert order.status == "expired"
    assert slot(offer, START).held == 0
    assert client.post(f"/en/orders/{order.code}/pay/").status_code == 200
    assert Payment.objects.count() == 0


def test_paying_confirms_the_order_and_shows_vouchers_with_qr_and_a_pdf(
    client, django_capture_on_commit_callbacks
):
    offer = hotel()
    order = placed_order(client, offer)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, order)
    order.refresh_from_db()
    assert order.status == "confirmed"
    page = client.get(f"/en/orders/{order.code}/")
    html = page.content.decode()
    assert "Your booking is confirmed" in html
    voucher = order.items.get().vouchers.get()
    display = "-".join(voucher.code[i : i + 4] for i in range(0, 20, 4))
    assert f'aria-label="QR code of voucher {display}"' in html
    assert "<svg" in html
    assert f'href="/en/orders/{order.code}/vouchers.pdf"' in html
    pdf = client.get(f"/en/orders/{order.code}/vouchers.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert Client().get(f"/en/orders/{order.code}/vouchers.pdf").status_code == 404
    assert slot(offer, START).sold == 1


def test_the_voucher_email_links_to_the_order_page_with_its_access_token(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    order = placed_order(client, hotel())
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, order)
    [message] = mailoutbox
    token = access_token(order.code, order.access_salt)
    path = f"/en/orders/{order.code}/?token={token}"
    assert f"{settings.PUBLIC_BASE_URL}{path}" in message.body
    opened = Client().get(path)
    assert opened.status_code == 200
    assert "Your booking is confirmed" in opened.content.decode()


def test_a_declined_payment_leaves_the_order_payable(client):
    order = placed_order(client, hotel())
    pay(client, order, decision="decline")
    page = client.get(f"/en/orders/{order.code}/")
    assert "The payment did not go through" in page.content.decode()
    # A second try opens a new payment rather than the failed one.
    again = client.post(f"/en/orders/{order.code}/pay/")
    assert again.status_code == 302
    assert Payment.objects.filter(order=order).count() == 2


def test_a_payment_not_yet_confirmed_shows_processing_and_polls(client):
    order = placed_order(client, hotel())
    client.post(f"/en/orders/{order.code}/pay/")  # started, never decided
    page = client.get(f"/en/orders/{order.code}/")
    html = page.content.decode()
    assert "Payment processing" in html
    assert 'hx-trigger="every 2s"' in html
    state = re.search(r'data-state="([^"]+)"', html).group(1)
    same = client.get(f"/en/orders/{order.code}/status/?state={state}")
    assert same.status_code == 200
    assert "HX-Refresh" not in same
    moved = client.get(f"/en/orders/{order.code}/status/?state=pending_payment:")
    assert moved["HX-Refresh"] == "true"


# --- My trips and the guest lookup -----------------------------------------------------------


def test_guest_lookup_unlocks_the_order_and_a_wrong_email_reads_like_no_order(client):
    order = placed_order(client, hotel())
    guest = Client()
    wrong = guest.post("/en/trips/", {"code": order.code, "email": "someone@example.com"})
    missing = guest.post("/en/trips/", {"code": "OTNOSUCHCODE", "email": "li.wei@example.com"})
    assert wrong.status_code == missing.status_code == 404
    message = "We could not find an order with this code and e-mail address."
    assert message in wrong.content.decode()
    assert message in missing.content.decode()
    assert guest.get(f"/en/orders/{order.code}/").status_code == 404
    found = guest.post("/en/trips/", {"code": order.code.lower(), "email": "LI.WEI@example.com"})
    assert found.status_code == 302
    assert found["Location"] == f"/en/orders/{order.code}/"
    assert guest.get(f"/en/orders/{order.code}/").status_code == 200


def test_guest_lookup_is_limited_per_address(client):
    order = placed_order(client, hotel())
    guest = Client()
    for _ in range(10):
        assert (
            guest.post("/en/trips/", {"code": "OTX", "email": "a@example.com"}).status_code == 404
        )
    blocked = guest.post("/en/trips/", {"code": order.code, "email": "li.wei@example.com"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert guest.get(f"/en/orders/{order.code}/").status_code == 404
    elsewhere = Client(REMOTE_ADDR="10.0.0.7")
    assert (
        elsewhere.post(
            "/en/trips/", {"code": order.code, "email": "li.wei@example.com"}
        ).status_code
        == 302
    )


def test_my_trips_splits_upcoming_and_past(client, django_capture_on_commit_callbacks):
    user = person("sun")
    sign_in(client, user)
    upcoming = placed_order(client, hotel())
    Order.objects.filter(pk=upcoming.pk).update(code="OTUPCOMING01")
    lapsed = cf.dated_offer(capacity=3, start=TODAY)
    page = client.get(
        f"/en/checkout/?offer={lapsed.code}&start={TODAY.isoformat()}&quantity=1&adults=1"
    )
    client.post("/en/checkout/", traveller(basket_of(page)))
    past = Order.objects.exclude(code="OTUPCOMING01").get()
    three_days_ago = timezone.now() - dt.timedelta(days=3)
    past.items.update(
        start_date=TODAY - dt.timedelta(days=3),
        service_starts_at=three_days_ago,
        service_ends_at=three_days_ago,
    )
    Order.objects.filter(pk=past.pk).update(code="OTPASTTRIP01", status="confirmed")
    html = client.get("/en/trips/").content.decode()
    upcoming_part, past_part = html.split('id="past-heading"')
    assert "/en/orders/OTUPCOMING01/" in upcoming_part
    assert "/en/orders/OTPASTTRIP01/" in past_part
    assert "/en/orders/OTPASTTRIP01/" not in upcoming_part


# --- cancelling -------------------------------------------------------------------------------


def test_the_cancel_page_shows_the_policys_refund_and_cancelling_refunds_it(
    client, django_capture_on_commit_callbacks
):
    offer = hotel()
    order = placed_order(client, offer)
    with django_capture_on_commit_callbacks(execute=True):
        pay(client, order)
    # Two days before arrival: the policy keeps 50 %.
    order.items.update(
        start_date=TODAY + dt.timedelta(days=2), end_date=TODAY + dt.timedelta(days=4)
    )
    order.refresh_from_db()
    preview = lifecycle.preview_cancellation(order)
    assert (preview.refund_minor, preview.penalty_minor) == (TOTAL // 2, TOTAL // 2)
    page = client.get(f"/en/orders/{order.code}/cancel/")
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'data-testid="refund-total">CN¥540.00<', html)
    assert re.search(r'data-testid="penalty-total">CN¥540.00<', html)
    assert "goes back to the payment method you used" in html

    refused = client.post(f"/en/orders/{order.code}/cancel/", {})
    assert refused.status_code == 422
    assert "Please tick the box to confirm the cancellation." in refused.content.decode()
    assert Order.objects.get(pk=order.pk).status == "confirmed"

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/en/orders/{order.code}/cancel/", {"confirm": "on"})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.refunded_minor == TOTAL // 2
    assert Refund.objects.get().amount_minor == TOTAL // 2
    after = client.get(done["Location"]).content.decode()
    assert "This booking is cancelled" in after
    assert "Refund: CN¥540.00" in after
    assert slot(offer, START).sold == 0


def test_a_cancelled_order_cannot_be_cancelled_again(client):
    order = placed_order(client, hotel())
    assert client.post(f"/en/orders/{order.code}/cancel/", {"confirm": "on"}).status_code == 302
    again = client.get(f"/en/orders/{order.code}/cancel/")
    assert again.status_code == 409
    assert "can no longer be cancelled" in again.content.decode()
    assert Order.objects.get().status == "cancelled"
