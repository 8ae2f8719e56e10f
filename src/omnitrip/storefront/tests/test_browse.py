"""The browse pages: home, destinations, search results, product pages, calendars and SEO."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from omnitrip.catalog.models import (
    Amenity,
    Destination,
    DestinationImage,
    ProductKind,
    ProductStatus,
    RatePlan,
)
from omnitrip.catalog.tests.factories import (
    DestinationFactory,
    dated_offer,
    destination_tree,
    hotel_offer,
    open_dated_ticket,
    policy,
)
from omnitrip.inventory.models import InventorySlot
from omnitrip.pricing.requests import ItemRequest
from omnitrip.pricing.services import create_quote
from omnitrip.storefront.wording import cancellation_terms

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
CHECK_IN = TODAY + dt.timedelta(days=5)
CHECK_OUT = TODAY + dt.timedelta(days=7)


@pytest.fixture
def client() -> Client:
    return Client()


def dated(**extra: object) -> dict[str, object]:
    return {"check_in": CHECK_IN.isoformat(), "check_out": CHECK_OUT.isoformat(), **extra}


def result_codes(response) -> list[str]:
    """Product codes of the result cards, in order."""
    results = response.content.decode().partition('id="results-heading"')[2]
    return re.findall(r'href="/en/p/([\w-]+)/', results)


def json_ld(response) -> list[dict]:
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return [json.loads(block) for block in blocks]


def field_error(response, name: str) -> str:
    match = re.search(
        rf'<p class="field-error" id="id_{name}-error">(.*?)</p>', response.content.decode()
    )
    return unescape(match.group(1)) if match else ""


# --- cancellation wording -----------------------------------------------------------------


def test_cancellation_terms_read_each_penalty_step_as_a_sentence_in_english():
    rules = [
        {"days_before": 3, "penalty_percent": "0"},
        {"days_before": 1, "penalty_percent": "50"},
        {"days_before": 0, "penalty_percent": "100"},
    ]
    assert cancellation_terms(rules, "en", product_kind="hotel") == [
        "Free cancellation until 3 days before arrival.",
        "Cancelling from 2 days before arrival until the day before arrival costs 50% "
        "of the price.",
        "Cancelling on the day of arrival costs the full price (no refund).",
    ]


def test_cancellation_terms_in_chinese_and_for_a_non_refundable_policy():
    free = policy(rules=[{"days_before": 1, "penalty_percent": "0"}])
    assert cancellation_terms(free, "zh-hans", product_kind="tour") == [
        "出发前1天及之前取消：免费。",
        "出发当天取消：收取全部费用（不退款）。",
    ]
    assert cancellation_terms(policy("non_refundable").snapshot(), "en") == [
        "Non-refundable: cancelling at any time costs the full price."
    ]


def test_cancellation_terms_say_no_refund_after_the_start_when_the_last_step_refunds():
    rail = [{"days_before": 8, "penalty_percent": "0"}, {"days_before": 0, "penalty_percent": "20"}]
    assert cancellation_terms(rail, "en", product_kind="transport") == [
        "Free cancellation until 8 days before departure.",
        "Cancelling from 7 days before departure until the day of departure costs 20% "
        "of the price.",
        "No refund once the service has started.",
    ]


# --- home and destinations ------------------------------------------------------------------


def test_home_has_a_labelled_search_form_featured_destinations_and_popular_products(client):
    places = destination_tree()
    Destination.objects.filter(code="kunming").update(is_featured=True)
    popular = hotel_offer(product_fields={"popularity": 90, "title_en": "Most Booked Inn"})
    html = client.get("/en/").content.decode()
    for name in ("destination", "check_in", "check_out", "adults", "children", "rooms", "kind"):
        assert f'<label for="id_{name}">' in html
    assert 'type="date" name="check_in"' in html
    assert f'href="/en/destinations/{places["kunming"].code}/"' in html
    assert "Most Booked Inn" in html
    assert "CN¥500.00" in html  # the from price: the lowest upcoming night
    assert f'href="/en/p/{popular.product.code}/"' in html


def test_a_destination_page_shows_its_guide_photos_products_by_kind_and_places_inside(client):
    places = destination_tree()
    Destination.objects.filter(code="kunming").update(
        guide_en="Go early to Green Lake.\n\nTake metro line 1.", guide_zh="早上去翠湖。"
    )
    DestinationImage.objects.create(
        destination=places["kunming"], image="destinations/x.jpg", alt_en="Green Lake at dawn"
    )
    hotel = hotel_offer(product_fields={"destination": places["dianchi"]}).product
    tour = dated_offer(ProductKind.TOUR, product_fields={"destination": places["kunming"]}).product
    elsewhere = hotel_offer().product  # in China, not in Kunming
    response = client.get("/en/destinations/kunming/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<p>Go early to Green Lake.</p>\n<p>Take metro line 1.</p>" in html
    assert 'alt="Green Lake at dawn"' in html
    assert html.index('id="kind-hotel"') < html.index(hotel.code) < html.index('id="kind-tour"')
    assert tour.code in html
    assert elsewhere.code not in html
    assert 'href="/en/destinations/dianchi/"' in html
    assert "<title>Kunming: travel guide, hotels, tours and tickets · omnitrip</title>" in html
    zh = client.get("/zh-hans/destinations/kunming/").content.decode()
    assert "<p>早上去翠湖。</p>" in zh


def test_an_unknown_destination_is_a_404_in_the_site_layout(client):
    response = client.get("/en/destinations/atlantis/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="site-header"' in html
    assert '<meta name="robots" content="noindex">' in html


def test_the_destination_office_group_may_edit_destinations_and_photos_but_not_the_tree():
    granted = set(
        Group.objects.get(name="Destination office").permissions.values_list("codename", flat=True)
    )
    assert granted == {
        "view_destination",
        "change_destination",
        "view_destinationimage",
        "add_destinationimage",
        "change_destinationimage",
        "delete_destinationimage",
    }


# --- search ---------------------------------------------------------------------------------


def test_the_search_is_held_in_the_url_and_comes_back_in_the_form(client):
    destination_tree()
    Amenity.objects.create(code="wifi", name_en="Free Wi-Fi", name_zh="免费无线网络")
    params = dated(
        destination="kunming",
        adults="3",
        children="1",
        rooms="2",
        kind="hotel",
        min_price="100",
        max_price="9000",
        stars="3",
        meal_plan="BB",
        free_cancellation="on",
        amenity="wifi",
        sort="price",
        q="lake",
    )
    html = client.get("/en/search/", params).content.decode()
    assert '<option value="kunming" selected>' in html
    assert f'name="check_in" value="{CHECK_IN.isoformat()}"' in html
    assert f'name="check_out" value="{CHECK_OUT.isoformat()}"' in html
    assert 'name="adults" value="3"' in html
    assert 'name="rooms" value="2"' in html
    assert 'name="min_price" value="100"' in html
    assert 'name="max_price" value="9000"' in html
    assert '<option value="3" selected>' in html
    assert re.search(r'name="meal_plan" value="BB"[^>]*checked', html)
    assert re.search(r'name="amenity" value="wifi"[^>]*checked', html)
    assert re.search(r'name="free_cancellation"[^>]*checked', html)
    assert 'name="q" value="lake"' in html


def test_a_dated_search_shows_each_hits_stay_total_and_links_the_product_with_the_dates(client):
    offer = hotel_offer(price_minor=40000)
    response = client.get("/en/search/", dated())
    html = response.content.decode()
    quote = create_quote([ItemRequest(offer.code, CHECK_IN, CHECK_OUT, 1, 2, 0)])
    assert quote.total.amount_minor == 80000
    assert f'data-total="{quote.total.amount_minor}"' in html
    assert "CN¥800.00" in html
    assert "Total for your dates" in html
    link = f"/en/p/{offer.product.code}/?check_in={CHECK_IN.isoformat()}&amp;check_out="
    assert link in html


def test_without_dates_hits_show_a_from_price_and_ask_for_dates(client):
    hotel_offer(price_minor=40000)
    html = client.get("/en/search/").content.decode()
    assert "From" in html
    assert "CN¥400.00" in html
    assert "per room per night" in html
    assert "Choose dates to see the total price" in html


@pytest.mark.parametrize(
    ("params", "kept", "dropped"),
    [
        ({"kind": "tour"}, "tour", "dear"),
        ({"min_price": "700"}, "dear", "cheap"),
        ({"max_price": "700"}, "cheap", "dear"),
        ({"stars": "4"}, "dear", "cheap"),
        ({"meal_plan": "BB"}, "dear", "cheap"),
        ({"free_cancellation": "on"}, "dear", "cheap"),
        ({"amenity": "pool"}, "dear", "cheap"),
    ],
)
def test_every_filter_narrows_the_results(client, params, kept, dropped):
    pool = Amenity.objects.create(code="pool", name_en="Pool", name_zh="泳池")
    dear = hotel_offer(price_minor=50000, product_fields={"star_rating": 5}).product
    dear.amenities.add(pool)
    cheap_offer = hotel_offer(
        price_minor=30000,
        product_fields={"star_rating": 3},
        cancellation=policy("non_refundable"),
    )
    RatePlan.objects.filter(pk=cheap_offer.rate_plan_id).update(meal_plan="RO")
    tour = dated_offer(ProductKind.TOUR).product
    codes = {"dear": dear.code, "cheap": cheap_offer.product.code, "tour": tour.code}
    everything = result_codes(client.get("/en/search/", dated()))
    assert set(everything) == set(codes.values())
    narrowed = result_codes(client.get("/en/search/", dated(**params)))
    assert codes[kept] in narrowed
    assert codes[dropped] not in narrowed


def test_sorting_by_price_puts_the_cheapest_stay_first(client):
    dear = hotel_offer(price_minor=50000).product
    cheap = hotel_offer(price_minor=30000).product
    assert result_codes(client.get("/en/search/", dated(sort="price"))) == [cheap.code, dear.code]
    assert result_codes(client.get("/en/search/", dated(sort="-price"))) == [dear.code, cheap.code]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"check_in": CHECK_OUT.isoformat(), "check_out": CHECK_IN.isoformat()},
            "check_out",
            "Check-out must be after check-in.",
        ),
        ({"check_in": "2020-01-01"}, "check_in", "Choose a date from today on."),
        ({"check_in": "2026-13-45"}, "check_in", "Enter a valid date."),
        ({"min_price": "900", "max_price": "100"}, "max_price", "The maximum must be at least"),
        ({"adults": "0"}, "adults", "Ensure this value is greater than or equal to 1."),
        ({"destination": "atlantis"}, "destination", "Select a valid choice."),
    ],
)
def test_bad_search_input_gets_a_message_next_to_its_field_and_is_kept(
    client, params, field, message
):
    hotel_offer()
    response = client.get("/en/search/", params)
    html = response.content.decode()
    assert response.status_code == 200
    assert field_error(response, field).startswith(message)
    assert re.search(
        rf'name="{field}"[^>]*aria-invalid="true"[^>]*aria-describedby="id_{field}-error"'
        rf'|aria-invalid="true"[^>]*aria-describedby="id_{field}-error"[^>]*name="{field}"'
        rf'|<select name="{field}"[^>]*aria-invalid="true"',
        html,
    )
    typed = params.get(field, None)
    if typed is not None and field != "destination":
        assert f'value="{typed}"' in html
    assert "Please correct the marked fields" in html
    assert result_codes(response) == []


def test_results_are_split_into_pages_that_keep_the_search(client):
    for _ in range(13):
        hotel_offer()
    first = client.get("/en/search/", dated(page="1"))
    second = client.get("/en/search/", dated(page="2"))
    assert len(result_codes(first)) == 12
    assert len(result_codes(second)) == 1
    assert not set(result_codes(first)) & set(result_codes(second))
    assert f"check_in={CHECK_IN.isoformat()}" in re.search(
        r'<a href="([^"]*)" rel="next">', first.content.decode()
    ).group(1)
    assert client.get("/en/search/", dated(page="abc")).status_code == 200


def test_a_search_with_every_match_booked_says_sold_out(client):
    offer = hotel_offer(capacity=2)
    InventorySlot.objects.filter(offer=offer).update(sold=2)
    html = client.get("/en/search/", dated()).content.decode()
    assert "Sold out for your dates" in html
    assert "Everything matching your search (1) is fully booked on these dates." in html
    assert "No results" not in html


def test_a_search_matching_nothing_says_no_results(client):
    hotel_offer()
    html = client.get("/en/search/", dated(q="zzzz")).content.decode()
    assert "No results" in html
    assert "Nothing on sale matches this search." in html
    assert "Sold out for your dates" not in html


# --- product --------------------------------------------------------------------------------


def test_the_product_page_shows_the_stay_total_the_checkout_would_charge(client):
    offer = hotel_offer(price_minor=45000)
    offer.product.taxes.create(
        code="svc", name_en="Service charge", name_zh="服务费", basis="percent", rate=10
    )
    response = client.get(f"/en/p/{offer.product.code}/", dated(rooms="2"))
    html = response.content.decode()
    quote = create_quote([ItemRequest(offer.code, CHECK_IN, CHECK_OUT, 2, 2, 0)])
    assert quote.total.amount_minor == 198000
    assert f'data-total="{quote.total.amount_minor}"' in html
    assert "CN¥1,980.00" in html
    assert "Service charge" in html
    assert "10% of the price" in html


def test_each_rate_lists_its_cancellation_terms_in_plain_words(client):
    offer = hotel_offer()
    html = client.get(f"/en/p/{offer.product.code}/").content.decode()
    assert "<li>Free cancellation until 3 days before arrival.</li>" in html
    assert "<li>Cancelling on the day of arrival costs the full price (no refund).</li>" in html


def test_the_book_control_carries_the_offer_dates_and_party_for_the_checkout(client):
    offer = hotel_offer()
    html = client.get(
        f"/en/p/{offer.product.code}/", dated(adults="3", children="1", rooms="2")
    ).content.decode()
    form = re.search(
        r'<form method="get" action="[^"]*" class="book-form">(.*?)</form>', html, re.S
    )
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(1)))
    assert fields == {
        "offer": offer.code,
        "start": CHECK_IN.isoformat(),
        "end": CHECK_OUT.isoformat(),
        "quantity": "2",
        "adults": "3",
        "children": "1",
    }
    assert ">Book</button>" in form.group(1)


def test_a_tour_books_a_chosen_date_with_its_party(client):
    offer = dated_offer(ProductKind.TOUR, start=TODAY + dt.timedelta(days=1), days=10)
    html = client.get(f"/en/p/{offer.product.code}/", {"check_in": CHECK_IN.isoformat()})
    html = html.content.decode()
    assert f'<option value="{CHECK_IN.isoformat()}" selected>' in html
    assert f'<label for="start-{offer.code}">Date</label>' in html
    assert f'<label for="adults-{offer.code}">Adults</label>' in html
    assert '<input type="hidden" name="quantity" value="1">' in html


def test_a_sold_out_night_shows_sold_out_on_the_rate_and_in_the_calendar(client):
    offer = hotel_offer(capacity=1)
    InventorySlot.objects.filter(offer=offer, date=CHECK_IN).update(sold=1)
    closed = CHECK_OUT + dt.timedelta(days=1)
    InventorySlot.objects.filter(offer=offer, date=closed).update(is_closed=True)
    html = client.get(
        f"/en/p/{offer.product.code}/", dated(month=CHECK_IN.strftime("%Y-%m"))
    ).content.decode()
    assert "Sold out for these dates." in html
    assert "book-form" not in html
    cell = re.search(rf'<td class="day sold-out" data-date="{CHECK_IN.isoformat()}">', html)
    assert cell is not None
    month = client.get(
        f"/en/p/{offer.product.code}/calendar/",
        {"offer": offer.code, "month": closed.strftime("%Y-%m")},
    ).content.decode()
    assert f'<td class="day closed" data-date="{closed.isoformat()}">' in month


def test_the_calendar_fragment_shows_another_month_priced_per_day(client):
    start = TODAY.replace(day=1)
    offer = hotel_offer(start=TODAY, days=70, price_minor=61000)
    month = (start + dt.timedelta(days=40)).replace(day=1)
    response = client.get(
        f"/en/p/{offer.product.code}/calendar/",
        {"offer": offer.code, "month": month.strftime("%Y-%m")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="cal-{offer.code}"' in html
    assert f'data-date="{month.isoformat()}"' in html
    assert '<span class="day-price">610</span>' in html
    assert f"check_in={month.isoformat()}" in html
    assert client.get(f"/en/p/{offer.product.code}/calendar/", {"offer": "nope"}).status_code == 404


def test_a_derived_rate_is_priced_from_its_parents_slots_in_the_calendar(client):
    offer = hotel_offer(price_minor=50000)
    product = offer.product
    parent = offer.rate_plan
    saver = RatePlan.objects.create(
        product=product,
        code="saver",
        name_en="Saver",
        name_zh="特惠",
        cancellation_policy=policy("non_refundable"),
        parent=parent,
        derivation="percent",
        derivation_value=-10,
    )
    derived = product.offers.create(
        code="DERIVED1",
        name_en="Double, saver",
        name_zh="双人间 特惠",
        room_type=offer.room_type,
        rate_plan=saver,
        inventory_pool=offer,
    )
    html = client.get(
        f"/en/p/{product.code}/calendar/",
        {"offer": derived.code, "month": CHECK_IN.strftime("%Y-%m")},
    ).content.decode()
    assert '<span class="day-price">450</span>' in html


def test_unknown_and_unpublished_products_are_404_pages_in_the_site_layout(client):
    draft = hotel_offer(product_fields={"status": ProductStatus.DRAFT}).product
    for path in ("/en/p/no-such-thing/", f"/en/p/{draft.code}/", f"/zh-hans/p/{draft.code}/"):
        response = client.get(path)
        assert response.status_code == 404
        assert 'class="site-header"' in response.content.decode()


def test_the_product_page_has_its_title_description_and_canonical_without_the_query(client):
    offer = hotel_offer(
        product_fields={"title_en": "Lakeside Inn", "description_en": "A quiet inn by the lake."}
    )
    html = client.get(f"/en/p/{offer.product.code}/", dated()).content.decode()
    assert "<title>Lakeside Inn · China · omnitrip</title>" in html
    assert '<meta name="description" content="A quiet inn by the lake.">' in html
    assert (
        f'<link rel="canonical" href="http://testserver/en/p/{offer.product.code}/">' in html
        or (re.search(rf'<link rel="canonical" href="[^"?]*/en/p/{offer.product.code}/">', html))
    )


def test_the_map_is_coordinates_and_an_openstreetmap_link(client):
    offer = hotel_offer(product_fields={"latitude": "25.040000", "longitude": "102.710000"})
    html = client.get(f"/en/p/{offer.product.code}/").content.decode()
    assert "Latitude 25.040000, longitude 102.710000" in html
    assert "https://www.openstreetmap.org/?mlat=25.040000&amp;mlon=102.710000" in html
    assert '<script src="http' not in html


# --- structured data ------------------------------------------------------------------------


def test_a_hotel_page_describes_a_hotel_with_offers_and_breadcrumbs(client):
    offer = hotel_offer(
        product_fields={
            "star_rating": 4,
            "rating": "4.50",
            "review_count": 10,
            "latitude": "25.04",
            "longitude": "102.71",
            "address": "1 Lake Road",
        }
    )
    offer.product.amenities.add(Amenity.objects.create(code="gym", name_en="Gym", name_zh="健身"))
    hotel, crumbs = json_ld(client.get(f"/en/p/{offer.product.code}/", dated()))
    assert hotel["@type"] == "Hotel"
    assert hotel["starRating"] == {"@type": "Rating", "ratingValue": 4}
    assert hotel["aggregateRating"]["ratingValue"] == "4.5"
    assert hotel["geo"] == {"@type": "GeoCoordinates", "latitude": 25.04, "longitude": 102.71}
    assert hotel["address"]["streetAddress"] == "1 Lake Road"
    assert hotel["amenityFeature"][0]["name"] == "Gym"
    assert hotel["makesOffer"][0]["priceCurrency"] == "CNY"
    assert hotel["makesOffer"][0]["price"] == "1000.00"
    assert crumbs["@type"] == "BreadcrumbList"
    assert crumbs["itemListElement"][-1]["name"] == offer.product.title_en


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: dated_offer(ProductKind.TOUR), "TouristTrip"),
        (lambda: dated_offer(ProductKind.ATTRACTION), "Event"),
        (lambda: open_dated_ticket(), "Product"),
        (lambda: dated_offer(ProductKind.TRANSPORT), "Product"),
    ],
)
def test_each_kind_of_product_has_its_schema_org_type(client, make, expected):
    offer = make()
    data, crumbs = json_ld(client.get(f"/en/p/{offer.product.code}/"))
    assert data["@type"] == expected
    offers = data["offers"]
    assert offers[0]["@type"] == "Offer"
    assert offers[0]["priceCurrency"] == "CNY"
    assert crumbs["@type"] == "BreadcrumbList"


def test_json_ld_cannot_be_broken_out_of_by_catalogue_text(client):
    offer = hotel_offer(product_fields={"title_en": "</script><script>alert(1)</script>"})
    html = client.get(f"/en/p/{offer.product.code}/").content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(client.get(f"/en/p/{offer.product.code}/"))[0]["name"] == (
        "</script><script>alert(1)</script>"
    )


# --- sitemap and robots ---------------------------------------------------------------------


def test_the_sitemap_lists_every_published_product_in_both_languages_with_alternates(client):
    product = hotel_offer().product
    draft = hotel_offer(product_fields={"status": ProductStatus.DRAFT}).product
    DestinationFactory(code="cn")
    response = client.get("/sitemap.xml")
    xml = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "application/xml"
    base = re.search(r"<loc>(https?://[^/]+)/en/</loc>", xml).group(1)
    for prefix in ("en", "zh-hans"):
        assert f"<loc>{base}/{prefix}/p/{product.code}/</loc>" in xml
        assert f"<loc>{base}/{prefix}/destinations/cn/</loc>" in xml
    entry = re.search(rf"<url><loc>{base}/en/p/{product.code}/</loc>(.*?)</url>", xml).group(1)
    assert f'hreflang="zh-Hans" href="{base}/zh-hans/p/{product.code}/"' in entry
    assert f'hreflang="en" href="{base}/en/p/{product.code}/"' in entry
    assert draft.code not in xml


def test_robots_allows_the_site_keeps_out_private_paths_and_links_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    lines = text.splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for path in ("/admin/", "/api/", "/pay/", "/*/checkout/", "/*/trips/", "/*/account/"):
        assert f"Disallow: {path}" in lines
    assert lines[-1].startswith("Sitemap: ")
    assert lines[-1].endswith("/sitemap.xml")


# --- query budgets --------------------------------------------------------------------------


def _catalogue() -> None:
    places = destination_tree()
    Destination.objects.filter(code__in=["kunming", "yunnan"]).update(is_featured=True)
    for i in range(6):
        hotel_offer(product_fields={"destination": places["kunming"], "popularity": i})
    for kind in (ProductKind.TOUR, ProductKind.ATTRACTION, ProductKind.TRANSPORT):
        dated_offer(kind, product_fields={"destination": places["kunming"]})


def test_the_home_page_reads_the_database_a_fixed_number_of_times(
    client, django_assert_max_num_queries
):
    _catalogue()
    with django_assert_max_num_queries(6):
        assert client.get("/en/").status_code == 200


def test_a_dated_search_page_reads_the_database_a_fixed_number_of_times(
    client, django_assert_max_num_queries
):
    _catalogue()
    with django_assert_max_num_queries(20):
        response = client.get("/en/search/", dated(destination="kunming"))
    assert len(result_codes(response)) == 9


def test_a_product_page_with_dates_reads_the_database_a_fixed_number_of_times(
    client, django_assert_max_num_queries
):
    _catalogue()
    code = hotel_offer().product.code
    with django_assert_max_num_queries(12):
        assert client.get(f"/en/p/{code}/", dated()).status_code == 200


def test_the_search_link_of_a_card_reopens_the_search_dates_on_the_product(client):
    offer = hotel_offer()
    html = client.get("/en/search/", dated(adults="3")).content.decode()
    href = unescape(re.search(rf'href="(/en/p/{offer.product.code}/[^"]*)"', html).group(1))
    assert parse_qs(urlparse(href).query) == {
        "check_in": [CHECK_IN.isoformat()],
        "check_out": [CHECK_OUT.isoformat()],
        "adults": ["3"],
    }
