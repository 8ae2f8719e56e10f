"""Request and response shapes of API v1."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import WithJsonSchema

from omnitrip.core.money import Money

Language = Literal["en", "zh-hans"]

# A wall-clock time in the product's own time zone, sent as "HH:MM:SS". JSON Schema's
# "format": "time" (what pydantic documents by default) is RFC 3339's full-time, which needs
# a UTC offset we do not have and do not send.
LocalTime = Annotated[
    dt.time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$",
            "description": "Local time in the product's time zone (HH:MM:SS)",
        }
    ),
]


class MoneyOut(Schema):
    amount_minor: int
    currency: str
    amount: str = Field(description="Decimal string in major units")
    formatted: str

    @classmethod
    def of(cls, money: Money, language: str = "en") -> MoneyOut:
        locale = "zh_Hans_CN" if language.startswith("zh") else "en"
        return cls(
            amount_minor=money.amount_minor,
            currency=money.currency,
            amount=str(money.amount),
            formatted=money.format(locale),
        )


class Text(Schema):
    """The same text in English and Simplified Chinese."""

    en: str
    zh: str

    @classmethod
    def of(cls, obj: Any, base: str) -> Text:
        return cls(en=getattr(obj, f"{base}_en", "") or "", zh=getattr(obj, f"{base}_zh", "") or "")


class FieldError(Schema):
    loc: list[str] = Field(description="Where: location (body, query, header, path) then field")
    msg: str
    type: str


class Problem(Schema):
    """RFC 9457 problem details. Branch on `code`; a problem may carry more members."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    field: str | None = Field(None, description="The input field at fault, when there is one")
    errors: list[FieldError] | None = Field(
        None, description="validation_error: what is wrong with each field"
    )


class ItemIn(Schema):
    offer: str = Field(min_length=1, max_length=40, description="Offer code")
    start_date: dt.date | None = Field(None, description="Check-in, departure or visit date")
    end_date: dt.date | None = Field(None, description="Check-out date (stays only)")
    quantity: int = Field(1, ge=1, le=50, strict=True, description="Rooms or tickets")
    adults: int = Field(1, ge=0, le=30, strict=True, description="Adults (per room for stays)")
    children: int = Field(0, ge=0, le=10, strict=True, description="Children (per room for stays)")


class QuoteIn(Schema):
    items: list[ItemIn] = Field(min_length=1, max_length=10)


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    email: str = Field(min_length=3, max_length=254)
    phone: str = Field("", max_length=32)


class OrderIn(QuoteIn):
    contact: ContactIn
    language: Language = "en"


class LineOut(Schema):
    kind: str
    label: Text
    quantity: int
    unit: MoneyOut
    amount: MoneyOut
    date: dt.date | None
    included: bool


class PolicyOut(Schema):
    kind: str
    name: Text | None
    rules: list[dict[str, Any]]
    free_cancellation_until: dt.datetime | None = None


class ItemQuoteOut(Schema):
    offer: str
    product: str
    kind: str
    title: Text
    start_date: dt.date | None
    end_date: dt.date | None
    nights: int
    quantity: int
    adults: int
    children: int
    lines: list[LineOut]
    subtotal: MoneyOut
    taxes: MoneyOut
    total: MoneyOut
    cancellation_policy: PolicyOut | None


class QuoteOut(Schema):
    currency: str
    items: list[ItemQuoteOut]
    subtotal: MoneyOut
    taxes: MoneyOut
    total: MoneyOut
    display_total: MoneyOut | None = Field(
        default=None,
        description="The total converted to the requested display currency (charged in `currency`)",
    )


class PaymentOut(Schema):
    code: str
    provider: str
    status: str
    amount: MoneyOut
    refunded: MoneyOut


class OrderItemOut(Schema):
    position: int
    offer: str
    product: str
    title: Text
    start_date: dt.date | None
    end_date: dt.date | None
    valid_until: dt.date | None
    quantity: int
    adults: int
    children: int
    lines: list[LineOut]
    total: MoneyOut
    cancellation_policy: PolicyOut | None


class OrderOut(Schema):
    code: str
    status: str
    channel: str
    currency: str
    total: MoneyOut
    refunded: MoneyOut
    contact_name: str
    contact_email: str
    language: str
    created_at: dt.datetime
    hold_expires_at: dt.datetime | None
    items: list[OrderItemOut]
    payments: list[PaymentOut]


class OrderCreatedOut(Schema):
    order: OrderOut
    access_token: str = Field(description="Send as X-Order-Token to read or change this order")


class PaymentIn(Schema):
    provider: str = Field(
        "sandbox",
        max_length=32,
        description="sandbox, alipay, alipay_wap, wechatpay_native, wechatpay_h5, stripe; "
        "`wallet` (signed-in customer) or `account` (distributor API key) pay at once",
    )
    return_url: str = Field("", max_length=500)
    amount_minor: int | None = Field(
        None, gt=0, strict=True, description="Wallet only: pay part of what is due (default: all)"
    )


class PaymentStartedOut(Schema):
    payment: PaymentOut
    redirect_url: str
    qr_content: str


class CancelOut(Schema):
    order: OrderOut
    refund: MoneyOut
    penalty: MoneyOut


class VoucherOut(Schema):
    code: str
    display_code: str
    status: str
    item: int
    title: Text
    start_date: dt.date | None
    end_date: dt.date | None
    valid_until: dt.date | None
    qr_svg_url: str
    qr_png_url: str
    pdf_url: str


class RedeemIn(Schema):
    code: str = Field(min_length=4, max_length=64)


class RedeemOut(Schema):
    code: str
    status: str
    redeemed_at: dt.datetime | None
    order: str
    item: int
    product: str
    start_date: dt.date | None
    quantity: int
    guest_name: str


class DestinationOut(Schema):
    code: str
    name: Text
    path: str


class ImageOut(Schema):
    url: str
    alt: Text


class OfferOut(Schema):
    code: str
    name: Text
    room_type: str | None
    rate_plan: str | None
    meal_plan: str | None
    shares_inventory_with: str | None
    is_open_dated: bool
    validity_days: int | None
    min_party: int
    max_party: int
    departure_time: LocalTime | None
    arrival_time: LocalTime | None
    seat_class: str
    cancellation_policy: PolicyOut | None


class TaxOut(Schema):
    code: str
    name: Text
    basis: str
    rate: str
    amount: MoneyOut | None
    included: bool


class ProductSummaryOut(Schema):
    code: str
    kind: str
    title: Text
    destination: DestinationOut
    star_rating: int | None
    rating: float
    review_count: int
    image: ImageOut | None
    offer: str | None = Field(None, description="Cheapest bookable offer for the search")
    total: MoneyOut | None = Field(
        None, description="Total for the stay / party (supplier currency)"
    )
    display_total: MoneyOut | None = Field(None, description="The same, converted for display")


class SearchOut(Schema):
    total: int
    page: int
    pages: int
    page_size: int
    results: list[ProductSummaryOut]
    unavailable: int = Field(
        0,
        description="Products matching every filter but the dates (and price) that have no "
        "availability for the dates, e.g. for 'N properties are sold out'; 0 without dates",
    )


class ProductOut(Schema):
    code: str
    kind: str
    title: Text
    description: Text
    policies: Text
    destination: DestinationOut
    supplier: str
    currency: str
    timezone: str
    address: str
    latitude: float | None
    longitude: float | None
    star_rating: int | None
    rating: float
    review_count: int
    check_in_time: LocalTime | None
    check_out_time: LocalTime | None
    amenities: list[Text]
    images: list[ImageOut]
    offers: list[OfferOut]
    taxes: list[TaxOut]


class AvailabilityDayOut(Schema):
    date: dt.date | None
    remaining: int
    price: MoneyOut
    child_price: MoneyOut | None
    is_closed: bool
    min_stay: int
    max_stay: int | None
    closed_to_arrival: bool
    closed_to_departure: bool


class AvailabilityOut(Schema):
    offer: str
    currency: str
    days: list[AvailabilityDayOut]
