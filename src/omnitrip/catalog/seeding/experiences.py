"""Tours, attraction tickets and transport routes of the demo, as unsaved rows."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils.text import slugify

from omnitrip.catalog.models import Offer, Product, ProductKind, ProductStatus
from omnitrip.catalog.seeding.batch import CatalogueBatch
from omnitrip.catalog.seeding.content.attractions import Attraction
from omnitrip.catalog.seeding.content.places import CN, JP, city_of
from omnitrip.catalog.seeding.content.reference import FREE_1D, FREE_UNTIL_USED, RAIL_CN
from omnitrip.catalog.seeding.content.routes import Route
from omnitrip.catalog.seeding.content.tours import DEPARTURE_CLASSES, Tour
from omnitrip.catalog.seeding.hotels import near
from omnitrip.catalog.seeding.reference import Reference
from omnitrip.catalog.seeding.seasons import (
    FARE,
    TICKET,
    TOUR,
    local_today,
    price_calendar,
    price_step,
    round_price,
    ticket_step,
    to_minor,
)
from omnitrip.catalog.seeding.slots import SlotSeries

WEEKDAYS_EN = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
WEEKDAYS_ZH = "一二三四五六日"


def _weekdays_en(weekdays: tuple[int, ...]) -> str:
    names = [WEEKDAYS_EN[d] for d in weekdays]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _weekdays_zh(weekdays: tuple[int, ...]) -> str:
    return "每周" + "、".join(WEEKDAYS_ZH[d] for d in weekdays)


def _product(
    kind: str,
    *,
    code: str,
    title_en: str,
    title_zh: str,
    description_en: str,
    description_zh: str,
    policies: tuple[str, str],
    destination_code: str,
    supplier_code: str,
    reference: Reference,
    rng: random.Random,
) -> Product:
    destination = reference.destinations[destination_code]
    supplier = reference.suppliers[supplier_code]
    return Product(
        code=code,
        kind=kind,
        status=ProductStatus.PUBLISHED,
        supplier=supplier,
        destination=destination,
        title_en=title_en,
        title_zh=title_zh,
        description_en=description_en,
        description_zh=description_zh,
        policies_en=policies[0],
        policies_zh=policies[1],
        latitude=near(destination.latitude, rng, 0.01),
        longitude=near(destination.longitude, rng, 0.01),
        timezone=destination.timezone,
        currency=supplier.currency,
        rating=Decimal(str(round(rng.uniform(4.2, 4.9), 1))),
        review_count=rng.randint(120, 6000),
        popularity=rng.randint(20, 900),
    )


def add_tour(
    batch: CatalogueBatch,
    tour: Tour,
    number: int,
    reference: Reference,
    rng: random.Random,
    *,
    days: int,
) -> Product:
    city = city_of(tour.destination)
    policies_en = (
        f"Departures on {_weekdays_en(tour.weekdays)}. Pick-up from central hotels "
        "starts about 30 minutes before departure. Bring a valid passport or ID card "
        "and comfortable walking shoes."
    )
    policies_zh = (
        f"出发日期：{_weekdays_zh(tour.weekdays)}。出发前约30分钟开始市区酒店接送。"
        "请携带有效护照或身份证，并穿着舒适的步行鞋。"
    )
    if tour.days > 1:
        nights = tour.days - 1
        policies_en += (
            f" The price includes {nights} night{'s' if nights > 1 else ''} in a twin room."
        )
        policies_zh += f"团费含{nights}晚双人间住宿。"
    product = _product(
        ProductKind.TOUR,
        code=slugify(tour.title_en),
        title_en=tour.title_en,
        title_zh=tour.title_zh,
        description_en=tour.description_en,
        description_zh=tour.description_zh,
        policies=(policies_en, policies_zh),
        destination_code=tour.destination,
        supplier_code=tour.supplier,
        reference=reference,
        rng=rng,
    )
    batch.products.append(product)
    calendar = price_calendar(city.country, TOUR, local_today(product.timezone), days)
    step = price_step(product.currency)
    for position, class_name in enumerate(tour.classes):
        departure_class = DEPARTURE_CLASSES[class_name]
        factor = float(departure_class.price_factor)
        offer = Offer(
            product=product,
            code=f"{city.abbreviation}-T{number:02d}-{departure_class.code}",
            name_en=departure_class.name_en,
            name_zh=departure_class.name_zh,
            cancellation_policy=reference.policies[tour.policy],
            min_party=2 if tour.days > 1 else 1,
            max_party=departure_class.max_party,
            duration_days=tour.days,
            position=position,
        )
        batch.offers.append(offer)
        batch.slots.append(
            SlotSeries(
                offer=offer,
                calendar=calendar,
                base_minor=round_price(to_minor(tour.adult, product.currency) * factor, step),
                child_base_minor=round_price(to_minor(tour.child, product.currency) * factor, step),
                step=step,
                capacity=rng.randint(*departure_class.seats),
                weekdays=frozenset(tour.weekdays),
                closed=frozenset(rng.randrange(days) for _ in range(rng.randint(0, 2))),
            )
        )
    return product


def _ticket_rules(country: str) -> tuple[str, str]:
    if country == CN:
        return (
            "Children under 1.2 m enter free; children from 1.2 m to 1.4 m or aged 6 to 18 "
            "need a child ticket. Bring the passport or ID card used for the booking.",
            "身高1.2米以下儿童免票；身高1.2至1.4米或6至18岁的未成年人需购买儿童票。"
            "请携带预订时使用的护照或身份证。",
        )
    if country == JP:
        return (
            "Child tickets are for primary and junior high school pupils; younger children "
            "enter free.",
            "儿童票适用于小学生和初中生，学龄前儿童免票。",
        )
    return (
        "Child tickets are for ages 4 to 12; children under 4 enter free.",
        "儿童票适用于4至12岁儿童，4岁以下免费。",
    )


def add_attraction(
    batch: CatalogueBatch,
    attraction: Attraction,
    number: int,
    reference: Reference,
    rng: random.Random,
    *,
    days: int,
) -> Product:
    city = city_of(attraction.destination)
    rules_en, rules_zh = _ticket_rules(city.country)
    if attraction.validity_days:
        rules_en += (
            f" Valid for one visit on any opening day within "
            f"{attraction.validity_days} days of purchase."
        )
        rules_zh += f"自购买之日起{attraction.validity_days}天内任一开放日可使用一次。"
    else:
        rules_en += " Valid only on the date booked."
        rules_zh += "仅限预订日期当天使用。"
    if attraction.closed_weekday is not None:
        rules_en += f" Closed on {WEEKDAYS_EN[attraction.closed_weekday]}."
        rules_zh += f"每周{WEEKDAYS_ZH[attraction.closed_weekday]}闭馆。"
    product = _product(
        ProductKind.ATTRACTION,
        code=slugify(attraction.title_en),
        title_en=attraction.title_en,
        title_zh=attraction.title_zh,
        description_en=attraction.description_en,
        description_zh=attraction.description_zh,
        policies=(rules_en, rules_zh),
        destination_code=attraction.destination,
        supplier_code=attraction.supplier,
        reference=reference,
        rng=rng,
    )
    batch.products.append(product)
    currency = product.currency
    step = ticket_step(currency)
    calendar = price_calendar(city.country, TICKET, local_today(product.timezone), days)
    closed_days = frozenset(
        i for i, weekday in enumerate(calendar.weekdays) if weekday == attraction.closed_weekday
    )
    tickets = (
        ("ADT", "Adult ticket", "成人票", attraction.adult, attraction.capacity),
        ("CHD", "Child ticket", "儿童票", attraction.child, max(50, attraction.capacity // 4)),
    )
    for position, (suffix, name_en, name_zh, price, capacity) in enumerate(tickets):
        open_dated = attraction.validity_days is not None
        offer = Offer(
            product=product,
            code=f"{city.abbreviation}-A{number:02d}-{suffix}",
            name_en=f"{name_en}, open date" if open_dated else name_en,
            name_zh=f"{name_zh}（不限日期）" if open_dated else name_zh,
            cancellation_policy=reference.policies[FREE_UNTIL_USED if open_dated else FREE_1D],
            max_party=10,
            is_open_dated=open_dated,
            validity_days=attraction.validity_days,
            position=position,
        )
        batch.offers.append(offer)
        batch.slots.append(
            SlotSeries(
                offer=offer,
                calendar=None if open_dated else calendar,  # one date-less quota slot
                base_minor=to_minor(price, currency),
                step=step,
                capacity=capacity,
                closed=closed_days
                | frozenset(rng.randrange(days) for _ in range(rng.randint(0, 1))),
            )
        )
    return product


def _fare_rules(route: Route) -> tuple[str, str]:
    if route.policy == RAIL_CN:
        return (
            "Board with the ID card or passport used for the booking; gates close 5 minutes "
            "before departure. Children aged 6 to 14 pay the child fare, and children under "
            "6 without a seat travel free.",
            "请持订票时使用的身份证或护照乘车，开车前5分钟停止检票。"
            "6至14岁儿童购买儿童票，6岁以下不占座儿童免费。",
        )
    if city_of(route.origin_city).country == JP:
        return (
            "Collect the tickets from a JR ticket machine with the booking code. Children "
            "aged 6 to 11 pay the child fare.",
            "凭预订码在JR售票机取票。6至11岁儿童购买儿童票。",
        )
    return (
        "Check in at the departure point 20 minutes before departure with the ID used for "
        "the booking. Children pay the child fare; infants on a lap travel free.",
        "请于出发前20分钟持预订时使用的证件到出发地检票。儿童购买儿童票，不占座婴儿免费。",
    )


def add_route(
    batch: CatalogueBatch,
    route: Route,
    reference: Reference,
    rng: random.Random,
    *,
    days: int,
) -> Product:
    origin = reference.destinations[route.origin_city]
    product = _product(
        ProductKind.TRANSPORT,
        code=slugify(route.title_en),
        title_en=route.title_en,
        title_zh=route.title_zh,
        description_en=route.description_en,
        description_zh=route.description_zh,
        policies=_fare_rules(route),
        destination_code=route.destination,
        supplier_code=route.supplier,
        reference=reference,
        rng=rng,
    )
    # A route is found under where it arrives but starts where the traveller boards.
    product.origin_name_en, product.origin_name_zh = route.origin_en, route.origin_zh
    product.address = route.origin_en
    product.latitude = near(origin.latitude, rng, 0.01)
    product.longitude = near(origin.longitude, rng, 0.01)
    batch.products.append(product)
    country = city_of(route.origin_city).country
    calendar = price_calendar(country, FARE, local_today(product.timezone), days)
    step = ticket_step(product.currency)
    position = 0
    for departure in route.departures:
        numbered = departure.service[0].isalpha()  # a train number rather than a time
        for seat in route.seats:
            label_en = f"{departure.departs} → {departure.arrives} · {seat.name_en}"
            label_zh = f"{departure.departs}—{departure.arrives} · {seat.name_zh}"
            adult_minor = to_minor(seat.adult, product.currency)
            offer = Offer(
                product=product,
                code=f"{route.code}-{departure.service}-{seat.code}",
                name_en=f"{departure.service} {label_en}" if numbered else label_en,
                name_zh=f"{departure.service} {label_zh}" if numbered else label_zh,
                cancellation_policy=reference.policies[route.policy],
                max_party=9,
                departure_time=dt.time.fromisoformat(departure.departs),
                arrival_time=dt.time.fromisoformat(departure.arrives),
                duration_minutes=departure.minutes,
                seat_class=seat.seat_class,
                position=position,
            )
            position += 1
            batch.offers.append(offer)
            batch.slots.append(
                SlotSeries(
                    offer=offer,
                    calendar=calendar,
                    base_minor=adult_minor,
                    child_base_minor=round_price(adult_minor * float(route.child_share), step),
                    step=step,
                    capacity=seat.capacity,
                    closed=frozenset(rng.randrange(days) for _ in range(rng.randint(0, 1))),
                )
            )
    return product
