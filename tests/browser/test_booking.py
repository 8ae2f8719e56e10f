"""Booking in a real browser: search → product → checkout → sandbox payment → voucher,
cancelling from My trips, a phone booking on the mobile web channel, and the hold timer.

Each test books its own dates far enough apart that the shared demo catalogue never runs
out under it; what the server stored is read back with ``site.shell``.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from playwright.sync_api import Page, expect

TODAY = dt.date.today()


def shell_json(site, code: str):
    """Run ``code`` in the server's environment; it prints one JSON document last."""
    lines = [line for line in site.shell(code).splitlines() if line.strip()]
    return json.loads(lines[-1])


def bookable_offer(site, kind: str, date: dt.date, units: int = 2) -> str:
    """The code of an offer of ``kind`` with ``units`` left on ``date``."""
    return shell_json(
        site,
        f"""
import json, datetime as dt
from django.db.models import F
from omnitrip.inventory.models import InventorySlot
slot = (
    InventorySlot.objects.filter(
        offer__product__kind={kind!r}, offer__is_active=True, offer__is_open_dated=False,
        offer__inventory_pool__isnull=True, offer__product__status="published",
        date=dt.date.fromisoformat({date.isoformat()!r}), is_closed=False,
        capacity__gte=F("held") + F("sold") + {units},
    )
    .select_related("offer")
    .order_by("offer__code")
    .first()
)
print(json.dumps(slot.offer.code))
""",
    )


def order_facts(site, code: str) -> dict:
    return shell_json(
        site,
        f"""
import json
from omnitrip.orders.models import Order
o = Order.objects.get(code={code!r})
print(json.dumps({{"status": o.status, "channel": o.channel, "total_minor": o.total_minor,
    "refunded_minor": o.refunded_minor, "terms_version": o.terms_version,
    "terms_ip": o.terms_accepted_ip, "accepted": o.terms_accepted_at is not None,
    "email": o.contact_email}}))
""",
    )


def fill_traveller(page: Page, email: str) -> None:
    page.get_by_label("Lead traveller's full name").fill("Li Wei")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mobile phone (optional)").fill("+86 138 0000 0000")
    page.get_by_label("I have read and accept the terms of booking").check()
    page.get_by_role("button", name="Continue to payment").click()


def order_code_of(page: Page) -> str:
    return page.get_by_test_id("order-code").inner_text().strip()


def pay_in_sandbox(page: Page) -> None:
    page.get_by_role("button", name="Pay now").click()
    expect(page.get_by_role("heading", name="Confirm your payment")).to_be_visible()
    page.get_by_role("button", name="Approve").click()


def test_search_product_checkout_sandbox_payment_and_the_voucher(page, site):
    check_in = TODAY + dt.timedelta(days=41)
    check_out = check_in + dt.timedelta(days=2)
    page.goto("/en/")
    page.get_by_label("Destination", exact=True).select_option("kunming")
    page.get_by_label("Check-in", exact=True).fill(check_in.isoformat())
    page.get_by_label("Check-out", exact=True).fill(check_out.isoformat())
    page.get_by_label("What", exact=True).select_option("hotel")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/en/search/\?"))
    page.locator(".result-list .card-link").first.click()
    page.locator(".book-button").first.click()

    expect(page).to_have_url(re.compile(r"/en/checkout/\?offer="))
    expect(page.get_by_role("heading", name="Checkout", level=1)).to_be_visible()
    expect(page.get_by_test_id("cancellation-terms")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("terms of booking"))).to_be_visible()
    total_shown = page.get_by_test_id("total").inner_text().splitlines()[0]
    assert total_shown.startswith("CN¥")
    fill_traveller(page, "search.flow@example.com")

    expect(page).to_have_url(re.compile(r"/en/orders/[A-Z0-9-]+/pay/$"))
    expect(page.get_by_test_id("hold-timer")).to_be_visible()
    code = order_code_of(page)
    pay_in_sandbox(page)

    expect(page).to_have_url(re.compile(rf"/en/orders/{code}/$"))
    expect(page.get_by_role("heading", name="Your booking is confirmed")).to_be_visible()
    qr = page.get_by_role(
        "img", name=re.compile(r"^QR code of voucher [0-9A-Z]{4}(-[0-9A-Z]{4}){4}$")
    )
    expect(qr).to_be_visible()
    expect(qr.locator("svg")).to_be_visible()
    pdf_link = page.get_by_role("link", name="Download the vouchers (PDF)")
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    facts = order_facts(site, code)
    assert facts["status"] == "confirmed"
    assert facts["channel"] == "web"
    assert facts["terms_version"] == "2026-11"
    assert facts["terms_ip"] == "127.0.0.1"
    assert facts["accepted"] is True
    assert f"{facts['total_minor'] / 100:,.2f}" in total_shown


def test_cancel_from_my_trips_shows_the_refund_and_gives_it(page, browser, site):
    date = TODAY + dt.timedelta(days=47)
    offer = bookable_offer(site, "attraction", date)
    page.goto(f"/en/checkout/?offer={offer}&start={date.isoformat()}&end=&quantity=2&adults=2")
    fill_traveller(page, "cancel.flow@example.com")
    code = order_code_of(page)
    pay_in_sandbox(page)
    expect(page.get_by_role("heading", name="Your booking is confirmed")).to_be_visible()
    total_minor = order_facts(site, code)["total_minor"]

    # Another browser: the guest finds the booking on My trips with its code and e-mail.
    other = browser.new_context(base_url=site.base)
    try:
        guest = other.new_page()
        guest.goto("/en/")
        guest.get_by_role("link", name="My trips").click()
        guest.get_by_label("Order code").fill(code)
        guest.get_by_label("E-mail used for the booking").fill("cancel.flow@example.com")
        guest.get_by_role("button", name="Find the booking").click()
        expect(guest).to_have_url(re.compile(rf"/en/orders/{code}/$"))
        guest.get_by_role("link", name="Cancel this booking").click()

        refund_text = f"CN¥{total_minor / 100:,.2f}"  # 47 days ahead: free cancellation
        expect(guest.get_by_test_id("refund-total")).to_have_text(refund_text)
        expect(guest.get_by_test_id("penalty-total")).to_have_text("CN¥0.00")
        guest.get_by_role("button", name="Cancel the booking").click()
        expect(
            guest.get_by_text("Please tick the box to confirm the cancellation.")
        ).to_be_visible()
        guest.get_by_label("Yes, cancel this booking.").check()
        guest.get_by_role("button", name="Cancel the booking").click()

        expect(guest).to_have_url(re.compile(rf"/en/orders/{code}/\?cancelled=1$"))
        expect(guest.get_by_role("heading", name="This booking is cancelled")).to_be_visible()
        expect(guest.get_by_text(f"Refund: {refund_text}")).to_be_visible()
        expect(guest.get_by_test_id("order-status-badge")).to_have_text("Cancelled")
    finally:
        other.close()
    facts = order_facts(site, code)
    assert (facts["status"], facts["refunded_minor"]) == ("cancelled", total_minor)


def test_a_booking_from_a_phone_is_recorded_as_mobile_web(phone, site):
    date = TODAY + dt.timedelta(days=53)
    offer = bookable_offer(site, "attraction", date)
    phone.goto(f"/en/checkout/?offer={offer}&start={date.isoformat()}&end=&quantity=1&adults=1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    fill_traveller(phone, "phone.flow@example.com")
    expect(phone.get_by_test_id("hold-timer")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    code = order_code_of(phone)
    assert order_facts(site, code)["channel"] == "mobile_web"


def test_the_hold_counts_down_and_an_expired_hold_says_so(page, site):
    date = TODAY + dt.timedelta(days=59)
    offer = bookable_offer(site, "attraction", date)
    page.goto(f"/en/checkout/?offer={offer}&start={date.isoformat()}&end=&quantity=1&adults=1")
    fill_traveller(page, "hold.flow@example.com")
    timer = page.locator("[data-countdown]")
    expect(timer).to_have_text(re.compile(r"^1[45]:\d\d$"))
    first = timer.inner_text()
    expect(timer).not_to_have_text(first)  # the script counts down between page loads
    expect(timer).to_have_attribute("role", "timer")
    code = order_code_of(page)

    site.shell(
        "import datetime as dt\n"
        "from django.utils import timezone\n"
        "from omnitrip.orders.models import Order\n"
        f"Order.objects.filter(code={code!r}).update("
        "hold_expires_at=timezone.now() - dt.timedelta(minutes=1))\n"
    )
    page.reload()
    expect(page.get_by_role("heading", name="Your reservation has expired")).to_be_visible()
    expect(page.get_by_role("button", name="Pay now")).to_have_count(0)
    page.get_by_role("link", name="Search again").click()
    expect(page).to_have_url(re.compile(r"/en/search/$"))
    assert order_facts(site, code)["status"] == "expired"
