"""Browsing in a real browser: search from the home page, results with totals, a product's
calendar (htmx), the Book control; the same on a phone; the search box by keyboard."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

CHECK_IN = dt.date.today() + dt.timedelta(days=12)
CHECK_OUT = CHECK_IN + dt.timedelta(days=2)
SEARCH = (
    f"/en/search/?destination=kunming&check_in={CHECK_IN.isoformat()}"
    f"&check_out={CHECK_OUT.isoformat()}&adults=2&children=0&rooms=1&kind=hotel"
)


def test_search_from_home_then_a_product_its_next_month_and_the_book_control(page, site):
    page.goto("/en/")
    page.get_by_label("Destination", exact=True).select_option("kunming")
    page.get_by_label("Check-in").fill(CHECK_IN.isoformat())
    page.get_by_label("Check-out").fill(CHECK_OUT.isoformat())
    page.get_by_label("What").select_option("hotel")
    page.get_by_role("button", name="Search", exact=True).click()

    expect(page).to_have_url(re.compile(r"/en/search/\?.*destination=kunming"))
    cards = page.locator(".result-list .product-card")
    expect(cards.first).to_be_visible()
    expect(cards.first).to_contain_text("Total for your dates")
    assert cards.count() >= 2
    first_total = cards.first.locator(".price").inner_text()

    cards.first.locator("a.card-link").click()
    expect(page).to_have_url(re.compile(rf"/en/p/[\w-]+/\?check_in={CHECK_IN.isoformat()}"))
    # The stay total on the product page for the hit's offer is the total the search showed.
    expect(page.locator(".offer .price", has_text=first_total).first).to_be_visible()

    offer = page.locator("article.offer").first
    offer.get_by_text("Availability and prices").click()
    calendar = offer.locator(".calendar")
    title = calendar.locator(".calendar-title")
    this_month = title.inner_text()
    url_before = page.url
    calendar.get_by_role("link", name="Next month").click()
    expect(offer.locator(".calendar-title")).not_to_have_text(this_month)
    assert page.url == url_before  # swapped in place by htmx, no page load
    expect(offer.locator(".calendar td.day").first).to_be_visible()

    offer_code = offer.get_attribute("id").removeprefix("offer-")
    book = offer.get_by_role("button", name="Book")
    with page.expect_navigation():
        book.click()
    query = parse_qs(urlparse(page.url).query, keep_blank_values=True)
    assert query["offer"] == [offer_code]
    assert query["start"] == [CHECK_IN.isoformat()]
    assert query["end"] == [CHECK_OUT.isoformat()]
    assert query["quantity"] == ["1"]
    assert query["adults"] == ["2"]
    assert query["children"] == ["0"]


def test_on_a_phone_the_filters_are_collapsed_and_nothing_scrolls_sideways(phone, site):
    phone.goto(SEARCH)
    filters = phone.locator("details.filters")
    expect(filters).not_to_have_attribute("open", re.compile(".*"))
    expect(phone.get_by_label("Minimum price")).to_be_hidden()
    expect(phone.locator(".result-list .product-card").first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    filters.locator("summary").click()
    expect(phone.get_by_label("Minimum price")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_on_a_desktop_the_filters_are_an_open_sidebar(page, site):
    page.goto(SEARCH)
    expect(page.locator("details.filters")).to_have_attribute("open", "")
    expect(page.get_by_label("Minimum price")).to_be_visible()


def test_the_search_box_works_from_the_keyboard(page, site):
    page.goto("/en/")
    page.get_by_label("Destination", exact=True).focus()
    button = page.get_by_role("button", name="Search", exact=True)
    for _ in range(30):  # a date input takes one Tab per part (month, day, year)
        if button.evaluate("element => element === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/en/search/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search results")


def test_a_bad_date_range_is_explained_next_to_the_field_and_kept(page, site):
    page.goto(f"/en/search/?check_in={CHECK_OUT.isoformat()}&check_out={CHECK_IN.isoformat()}")
    check_out = page.get_by_label("Check-out")
    expect(check_out).to_have_value(CHECK_IN.isoformat())
    expect(check_out).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_check_out-error")).to_have_text("Check-out must be after check-in.")
