"""schema.org JSON-LD for product pages: what search engines read about a product.

A hotel is a ``Hotel`` (address, geo, stars, rating, amenities, the offers it makes);
a tour a ``TouristTrip``; a dated ticket or show an ``Event`` with its ``Offer``s; an
open-dated ticket, a route or anything else a ``Product``. Every page also gets a
``BreadcrumbList``. Rendered by :func:`script_tag`, which escapes ``<``, ``>`` and ``&``
the way Django's ``json_script`` does, so no text in the catalogue can end the script.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

from omnitrip.catalog.models import Destination, Product, ProductKind
from omnitrip.core.i18n import pick
from omnitrip.core.money import Money

_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_tag(data: dict[str, Any] | list[dict[str, Any]]) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, default=str).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', SafeString(text))


def _offer(
    price: Money | None, url: str, *, available: bool, valid_from: dt.date | None = None
) -> dict[str, Any]:
    offer: dict[str, Any] = {"@type": "Offer", "url": url}
    if price is not None:
        offer["price"] = str(price.amount)
        offer["priceCurrency"] = price.currency
    offer["availability"] = (
        "https://schema.org/InStock" if available else "https://schema.org/SoldOut"
    )
    if valid_from is not None:
        offer["validFrom"] = valid_from.isoformat()
    return offer


def product_data(
    product: Product,
    *,
    url: str,
    image_urls: Sequence[str],
    amenity_names: Sequence[str],
    offers: Sequence[dict[str, Any]],
    ancestors: Sequence[Destination],
    language: str,
) -> dict[str, Any]:
    """The main entity of a product page.

    ``offers``: ``{"name", "price" (Money | None), "available", "date" (dt.date | None)}``
    per offer shown — the stay total for chosen dates or the "from" unit price.
    """
    title = pick(product, "title", language)
    description = pick(product, "description", language)
    place_name = ", ".join(pick(d, "name", language) for d in reversed(ancestors))
    data: dict[str, Any] = {"@context": "https://schema.org", "name": title, "url": url}
    if description:
        data["description"] = description
    if image_urls:
        data["image"] = list(image_urls)
    schema_offers = [
        {
            **_offer(o["price"], url, available=o["available"], valid_from=o.get("date")),
            "name": o["name"],
        }
        for o in offers
    ]
    geo = None
    if product.latitude is not None and product.longitude is not None:
        geo = {
            "@type": "GeoCoordinates",
            "latitude": float(product.latitude),
            "longitude": float(product.longitude),
        }
    address = {
        "@type": "PostalAddress",
        "streetAddress": product.address or None,
        "addressLocality": place_name or None,
    }
    address = {k: v for k, v in address.items() if v is not None}
    rating = None
    if product.review_count and product.rating:
        rating = {
            "@type": "AggregateRating",
            "ratingValue": str(Decimal(product.rating).normalize()),
            "bestRating": "5",
            "reviewCount": product.review_count,
        }

    if product.kind == ProductKind.HOTEL:
        data["@type"] = "Hotel"
        data["address"] = address
        if geo:
            data["geo"] = geo
        if product.star_rating:
            data["starRating"] = {"@type": "Rating", "ratingValue": product.star_rating}
        if rating:
            data["aggregateRating"] = rating
        if amenity_names:
            data["amenityFeature"] = [
                {"@type": "LocationFeatureSpecification", "name": name, "value": True}
                for name in amenity_names
            ]
        if product.check_in_time:
            data["checkinTime"] = product.check_in_time.isoformat(timespec="minutes")
        if product.check_out_time:
            data["checkoutTime"] = product.check_out_time.isoformat(timespec="minutes")
        data["makesOffer"] = schema_offers
        return data

    dated = [o for o in offers if o.get("date")]
    if product.kind == ProductKind.ATTRACTION and dated:
        data["@type"] = "Event"
        first = min(o["date"] for o in dated)
        data["startDate"] = first.isoformat()
        data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
        data["eventStatus"] = "https://schema.org/EventScheduled"
        data["location"] = {"@type": "Place", "name": title, "address": address}
        if geo:
            data["location"]["geo"] = geo
        data["offers"] = schema_offers
        return data
    if product.kind == ProductKind.TOUR:
        data["@type"] = "TouristTrip"
        if place_name:
            data["itinerary"] = {"@type": "Place", "name": place_name}
        data["offers"] = schema_offers
        return data
    data["@type"] = "Product"
    data["sku"] = product.code
    if rating:
        data["aggregateRating"] = rating
    data["offers"] = schema_offers
    return data


def breadcrumbs(items: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """``[(name, absolute url), …]`` from the home page down to the page itself."""
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(items, start=1)
        ],
    }
