"""Domain objects → API schemas. No queries beyond what the caller prefetched."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from omnitrip.catalog.models import Destination, Offer, Product
from omnitrip.core.money import Money
from omnitrip.orders.models import Order, OrderItem
from omnitrip.orders.policy import free_cancellation_until
from omnitrip.pricing.quotes import ItemQuote, Quote

from .schemas import (
    DestinationOut,
    ImageOut,
    ItemQuoteOut,
    LineOut,
    MoneyOut,
    OfferOut,
    OrderItemOut,
    OrderOut,
    PaymentOut,
    PolicyOut,
    QuoteOut,
    Text,
)


def text(en: str, zh: str) -> Text:
    return Text(en=en or "", zh=zh or "")


def money(amount_minor: int, currency: str, language: str = "en") -> MoneyOut:
    return MoneyOut.of(Money(int(amount_minor), currency), language)


def lines(raw: list[dict[str, Any]], currency: str, language: str) -> list[LineOut]:
    return [
        LineOut(
            kind=line["kind"],
            label=text(line["label_en"], line["label_zh"]),
            quantity=line["quantity"],
            unit=money(line["unit_minor"], currency, language),
            amount=money(line["amount_minor"], currency, language),
            date=line.get("date"),
            included=line.get("included", False),
        )
        for line in raw
    ]


def policy(snapshot: dict | None, item: OrderItem | None = None) -> PolicyOut | None:
    if not snapshot:
        return None
    return PolicyOut(
        kind=snapshot["kind"],
        name=text(snapshot.get("name_en", ""), snapshot.get("name_zh", "")),
        rules=snapshot.get("rules", []),
        free_cancellation_until=free_cancellation_until(item) if item else None,
    )


def destination(dest: Destination) -> DestinationOut:
    return DestinationOut(code=dest.code, name=Text.of(dest, "name"), path=dest.path)


def image_url(name: str | None) -> str:
    assert name is not None  # ImageField column is NOT NULL: a loaded image has a file name
    return f"{settings.MEDIA_URL}{name}"


def first_image(product: Product) -> ImageOut | None:
    images = list(product.images.all())
    if not images:
        return None
    img = images[0]
    return ImageOut(url=image_url(img.image.name), alt=text(img.alt_en, img.alt_zh))


def offer(o: Offer) -> OfferOut:
    pol = o.policy()
    pool = o.inventory_pool if o.inventory_pool_id else None
    return OfferOut(
        code=o.code,
        name=Text.of(o, "name"),
        room_type=o.room_type.code if o.room_type else None,
        rate_plan=o.rate_plan.code if o.rate_plan else None,
        meal_plan=o.rate_plan.meal_plan if o.rate_plan else None,
        shares_inventory_with=pool.code if pool is not None else None,
        is_open_dated=o.is_open_dated,
        validity_days=o.validity_days,
        min_party=o.min_party,
        max_party=o.max_party,
        departure_time=o.departure_time,
        arrival_time=o.arrival_time,
        seat_class=o.seat_class,
        cancellation_policy=policy(pol.snapshot()) if pol else None,
    )


def item_quote(q: ItemQuote, language: str) -> ItemQuoteOut:
    stay, cur = q.stay, q.currency
    pol = stay.offer.policy()
    return ItemQuoteOut(
        offer=stay.offer.code,
        product=stay.offer.product.code,
        kind=stay.kind,
        title=text(
            f"{stay.offer.product.title_en} · {stay.offer.name_en}",
            f"{stay.offer.product.title_zh} · {stay.offer.name_zh}",
        ),
        start_date=stay.dates[0],
        end_date=stay.request.end_date if stay.nights else None,
        nights=stay.nights,
        quantity=stay.units,
        adults=stay.request.adults,
        children=stay.request.children,
        lines=lines(q.lines, cur, language),
        subtotal=money(q.subtotal_minor, cur, language),
        taxes=money(q.taxes_minor, cur, language),
        total=money(q.total_minor, cur, language),
        cancellation_policy=policy(pol.snapshot()) if pol else None,
    )


def quote(q: Quote, language: str = "en") -> QuoteOut:
    return QuoteOut(
        currency=q.currency,
        items=[item_quote(i, language) for i in q.items],
        subtotal=MoneyOut.of(q.subtotal, language),
        taxes=MoneyOut.of(q.taxes, language),
        total=MoneyOut.of(q.total, language),
    )


def order(o: Order) -> OrderOut:
    lang, cur = o.language, o.currency
    return OrderOut(
        code=o.code,
        status=o.status,
        channel=o.channel,
        currency=cur,
        total=money(o.total_minor, cur, lang),
        refunded=money(o.refunded_minor, cur, lang),
        contact_name=o.contact_name,
        contact_email=o.contact_email,
        language=lang,
        created_at=o.created_at,
        hold_expires_at=o.hold_expires_at if o.status == "pending_payment" else None,
        items=[
            OrderItemOut(
                position=i.position,
                offer=i.offer.code,
                product=i.product.code,
                title=text(
                    f"{i.product.title_en} · {i.offer.name_en}",
                    f"{i.product.title_zh} · {i.offer.name_zh}",
                ),
                start_date=i.start_date,
                end_date=i.end_date,
                valid_until=i.valid_until,
                quantity=i.quantity,
                adults=i.adults,
                children=i.children,
                lines=lines(i.lines, cur, lang),
                total=money(i.total_minor, cur, lang),
                cancellation_policy=policy(i.cancellation_policy, i),
            )
            for i in o.items.all()
        ],
        payments=[
            PaymentOut(
                code=p.code,
                provider=p.provider,
                status=p.status,
                amount=money(p.amount_minor, p.currency, lang),
                refunded=money(p.refunded_minor, p.currency, lang),
            )
            for p in o.payments.all()
        ],
    )
