"""Catalogue builders for tests: a bookable hotel, tour, ticket or route in one call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

import factory

from omnitrip.accounts.models import Organisation, OrganisationKind
from omnitrip.catalog.models import (
    CancellationPolicy,
    Destination,
    Offer,
    Product,
    ProductKind,
    ProductStatus,
    RatePlan,
    RoomType,
    TaxFee,
)
from omnitrip.inventory.models import InventorySlot

_seq = count(1)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    code = factory.Sequence(lambda n: f"supplier-{n}")
    kind = OrganisationKind.SUPPLIER
    name_en = factory.Sequence(lambda n: f"Supplier {n}")
    name_zh = factory.Sequence(lambda n: f"供应商{n}")
    currency = "CNY"


class DestinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Destination
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"place-{n}")
    level = Destination.Level.COUNTRY
    parent = None
    name_en = factory.Sequence(lambda n: f"Place {n}")
    name_zh = factory.Sequence(lambda n: f"地点{n}")
    timezone = "Asia/Shanghai"


def destination_tree() -> dict[str, Destination]:
    """China → Yunnan → Kunming → Dianchi, enough hierarchy to test searching by region."""
    cn = DestinationFactory(code="cn", level=1, name_en="China", name_zh="中国")
    yn = DestinationFactory(code="yunnan", level=2, parent=cn, name_en="Yunnan", name_zh="云南")
    km = DestinationFactory(code="kunming", level=3, parent=yn, name_en="Kunming", name_zh="昆明")
    dc = DestinationFactory(code="dianchi", level=4, parent=km, name_en="Dianchi", name_zh="滇池")
    return {"cn": cn, "yunnan": yn, "kunming": km, "dianchi": dc}


def policy(
    kind: str = "free", rules: list | None = None, code: str | None = None
) -> CancellationPolicy:
    if rules is None:
        rules = (
            [{"days_before": 0, "penalty_percent": "100"}]
            if kind == "non_refundable"
            else [
                {"days_before": 3, "penalty_percent": "0"},
                {"days_before": 1, "penalty_percent": "50"},
                {"days_before": 0, "penalty_percent": "100"},
            ]
        )
    return CancellationPolicy.objects.create(
        code=code or f"policy-{next(_seq)}", kind=kind, name_en=kind, name_zh=kind, rules=rules
    )


def product(
    kind: str = ProductKind.HOTEL, *, destination: Destination | None = None, **fields
) -> Product:
    n = next(_seq)
    defaults = {
        "code": f"{kind}-{n}",
        "kind": kind,
        "status": ProductStatus.PUBLISHED,
        "supplier": fields.pop("supplier", None) or OrganisationFactory(),
        "destination": destination
        or DestinationFactory(code="cn", level=1, name_en="China", name_zh="中国"),
        "title_en": f"Test {kind} {n}",
        "title_zh": f"测试{kind}{n}",
        "timezone": "Asia/Shanghai",
        "currency": "CNY",
        "check_in_time": dt.time(14, 0) if kind == ProductKind.HOTEL else None,
    }
    defaults.update(fields)
    return Product.objects.create(**defaults)


def slots(
    offer: Offer,
    start: dt.date,
    days: int,
    *,
    capacity: int = 5,
    price_minor: int = 50000,
    **fields,
) -> list[InventorySlot]:
    return InventorySlot.objects.bulk_create(
        InventorySlot(
            offer=offer,
            date=start + dt.timedelta(days=i),
            capacity=capacity,
            price_minor=price_minor,
            **fields,
        )
        for i in range(days)
    )


def hotel_offer(
    *,
    start: dt.date | None = None,
    days: int = 30,
    capacity: int = 5,
    price_minor: int = 50000,
    cancellation: CancellationPolicy | None = None,
    product_fields: dict | None = None,
    **rate_fields,
) -> Offer:
    """A published hotel with one room type sold under one standard rate plan, with slots."""
    start = start or dt.date.today()
    hotel = product(ProductKind.HOTEL, **(product_fields or {}))
    room = RoomType.objects.create(
        product=hotel,
        code="dbl",
        name_en="Double room",
        name_zh="双人间",
        max_adults=3,
        max_children=2,
        max_occupancy=4,
    )
    plan = RatePlan.objects.create(
        product=hotel,
        code="flex",
        name_en="Flexible",
        name_zh="灵活价",
        meal_plan="BB",
        cancellation_policy=cancellation or policy(),
        **rate_fields,
    )
    offer = Offer.objects.create(
        product=hotel,
        code=f"H{next(_seq)}",
        name_en="Double, flexible",
        name_zh="双人间 灵活价",
        room_type=room,
        rate_plan=plan,
    )
    slots(offer, start, days, capacity=capacity, price_minor=price_minor)
    return offer


def dated_offer(
    kind: str = ProductKind.ATTRACTION,
    *,
    start: dt.date | None = None,
    days: int = 30,
    capacity: int = 10,
    price_minor: int = 12000,
    child_price_minor: int | None = None,
    cancellation: CancellationPolicy | None = None,
    product_fields: dict | None = None,
    **offer_fields,
) -> Offer:
    """A tour departure class, a dated ticket or a route departure, with slots."""
    start = start or dt.date.today()
    prod = product(kind, **(product_fields or {}))
    offer = Offer.objects.create(
        product=prod,
        code=f"D{next(_seq)}",
        name_en="Standard",
        name_zh="标准",
        cancellation_policy=cancellation or policy(),
        **offer_fields,
    )
    slots(
        offer,
        start,
        days,
        capacity=capacity,
        price_minor=price_minor,
        child_price_minor=child_price_minor,
    )
    return offer


def open_dated_ticket(
    *, quota: int = 100, price_minor: int = 8000, validity_days: int = 90, **product_fields
) -> Offer:
    prod = product(ProductKind.ATTRACTION, **product_fields)
    offer = Offer.objects.create(
        product=prod,
        code=f"T{next(_seq)}",
        name_en="Open ticket",
        name_zh="不限日期门票",
        cancellation_policy=policy(),
        is_open_dated=True,
        validity_days=validity_days,
    )
    InventorySlot.objects.create(offer=offer, date=None, capacity=quota, price_minor=price_minor)
    return offer


def vat(product: Product, percent: str = "6") -> TaxFee:
    """A value-added tax of ``percent`` on top of the product's prices."""
    return TaxFee.objects.create(
        product=product,
        code="vat",
        name_en="VAT",
        name_zh="增值税",
        basis=TaxFee.Basis.PERCENT,
        rate=Decimal(percent),
    )
