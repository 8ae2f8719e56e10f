"""The SQL behind a dated search: which offers are bookable, and each product's base price.

One grouped statement per search decides availability and the cheapest base price of
every product and, when it can do so exactly, sorts them and cuts the page, so no list of
ids ever leaves the database and comes back. The same SQL runs on SQLite and PostgreSQL.

How it decides, per *selling* offer (a standard offer, or a derived offer that sells its
pool offer's rooms), over the inventory offer's slots on the stay's dates:

- every needed date has a slot and none is closed (stop-sell);
- each has at least ``units`` left (rooms for a hotel, the party for anything else);
- the arrival date's rules allow the stay (closed to arrival, minimum / maximum stay);
- for a hotel, the check-out date's slot is not closed to departure;
- open-dated tickets (a slot without a date) only need their quota.

The base price is what the units cost before occupancy charges, stay discounts and taxes:
the nightly prices (a derived plan's rule applied night by night, rounded half up exactly
as :func:`omnitrip.pricing.quotes.derived_price` does) summed and multiplied by the units.
It orders and filters candidates; the hit then shows the exact quote.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from omnitrip.catalog.models import CancellationPolicy, Offer, Product, ProductKind, RatePlan
from omnitrip.inventory.models import InventorySlot

from .requests import local_today

Params = list[Any]

_SLOT = InventorySlot._meta.db_table
_OFFER = Offer._meta.db_table
_PRODUCT = Product._meta.db_table
_PLAN = RatePlan._meta.db_table
#: What the statement reads of a slot: the key and the columns of ``slot_date_offer_cover``.
_SLOT_COLUMNS = (
    "offer_id, date, capacity, held, sold, price_minor, is_closed, min_stay, max_stay, "
    "closed_to_arrival, closed_to_departure"
)


@dataclass(frozen=True)
class Window:
    """The dates a dated search needs from inventory, and the units it takes on each."""

    start: dt.date
    check_out: dt.date | None  # hotels: the day after the last night
    nights: int  # 0 when no check-out was given (a non-hotel search)
    rooms: int
    party: int

    @property
    def rule_nights(self) -> int:
        """The stay length the arrival date's min/max-stay rules are checked against."""
        return max(self.nights, 1)

    @property
    def hotel_dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.rule_nights)]


@dataclass(frozen=True)
class OfferFilters:
    """Filters on the selling offer: its rate plan's meal plan, its cancellation policy."""

    meal_plans: tuple[str, ...] = ()
    # (time zones, policy ids free to cancel for bookings made today in those zones)
    free_cancellation: tuple[tuple[tuple[str, ...], tuple[int, ...]], ...] | None = None


def _date(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _derived_night(price: str) -> str:
    """One night's price under the derived plan ``rp``, from the parent's price ``price``.

    Exactly as ``quotes.derived_price``: percent → round half up of
    ``price × (100 + value) / 100``, amount → ``price + value`` rounded half away from
    zero; never below 0. ``derivation_value`` has three decimals, so it is scaled to an
    integer (thousandths) and the arithmetic stays in integers on both databases.
    """
    milli = "CAST(ROUND(rp.derivation_value * 1000) AS INTEGER)"
    percent = f"({price} * (100000 + {milli}) + 50000) / 100000"
    amount_rounded = (
        f"(CASE WHEN {milli} >= 0 THEN ({milli} + 500) / 1000 ELSE -((500 - {milli}) / 1000) END)"
    )
    amount = f"{price} + {amount_rounded}"
    return (
        f"(CASE WHEN rp.derivation = 'percent' THEN "
        f"(CASE WHEN {percent} > 0 THEN {percent} ELSE 0 END) "
        f"ELSE (CASE WHEN {amount} > 0 THEN {amount} ELSE 0 END) END)"
    )


def offer_rows_sql(
    products: QuerySet[Product], window: Window, kinds: Sequence[str], filters: OfferFilters
) -> tuple[str, Params]:
    """``SELECT offer_id, product_id, base`` for every bookable selling offer.

    First the offers with inventory of their own that can be booked (``bookable``: one
    row per offer, its nightly prices alongside), each joining its slots on an exact
    ``(offer_id, date)`` condition the index answers (dated offers and open-dated
    tickets are two branches for that reason); then those offers themselves and the
    derived offers that sell their rooms, priced from the nightly prices.
    """
    hotel = ProductKind.HOTEL
    night_dates = window.hotel_dates if hotel in kinds else []
    bookable_sql, params = _inventory_offers(products, window, kinds, night_dates, False)
    if ProductKind.ATTRACTION in kinds:
        open_sql, open_params = _inventory_offers(
            products, window, [ProductKind.ATTRACTION], night_dates, True
        )
        bookable_sql, params = f"{bookable_sql} UNION ALL {open_sql}", [*params, *open_params]
    units = "(CASE WHEN b.kind = %s THEN %s ELSE %s END)"
    units_params: Params = [hotel, window.rooms, window.party]
    own_filter, own_params = _offer_filter(filters, "b")
    derived_filter, derived_params = _offer_filter(filters, "sell")
    nights = " + ".join(_derived_night(f"b.n{i}") for i in range(len(night_dates))) or "0"
    # Only table names and fixed fragments are formatted in; every value is a parameter.
    sql = (
        f"WITH bookable AS ({bookable_sql}) "  # noqa: S608
        f"SELECT b.offer_id AS offer_id, b.product_id AS product_id, b.total * {units} AS base "
        f"FROM bookable b LEFT JOIN {_PLAN} rp ON rp.id = b.rate_plan_id "
        f"WHERE {own_filter} "
        "UNION ALL "
        f"SELECT sell.id, sell.product_id, ({nights}) * {units} "
        f"FROM bookable b JOIN {_OFFER} sell ON sell.inventory_pool_id = b.offer_id "
        f"JOIN {_PLAN} rp ON rp.id = sell.rate_plan_id "
        # A pooled offer is priced by its derived plan's rule; without one it is not sold.
        f"WHERE b.kind = %s AND sell.is_active = %s AND rp.parent_id IS NOT NULL AND {derived_filter}"
    )
    params += [*units_params, *own_params, *units_params, hotel, True, *derived_params]
    return sql, params


def _offer_filter(filters: OfferFilters, offer: str) -> tuple[str, Params]:
    """The offer filters on the selling offer ``offer`` (its plan joined as ``rp``)."""
    where = ["1 = 1"]
    params: Params = []
    if filters.meal_plans:
        where.append(f"rp.meal_plan IN ({_placeholders(filters.meal_plans)})")
        params += list(filters.meal_plans)
    if filters.free_cancellation is not None:
        terms = []
        for zones, policy_ids in filters.free_cancellation:
            if not policy_ids:
                continue
            terms.append(
                f"(b.timezone IN ({_placeholders(zones)}) AND "
                f"COALESCE(rp.cancellation_policy_id, {offer}.cancellation_policy_id) "
                f"IN ({_placeholders(policy_ids)}))"
            )
            params += [*zones, *policy_ids]
        where.append(f"({' OR '.join(terms)})" if terms else "1 = 0")
    return " AND ".join(where), params


def _inventory_offers(
    products: QuerySet[Product],
    window: Window,
    kinds: Sequence[str],
    night_dates: Sequence[dt.date],
    open_dated: bool,
) -> tuple[str, Params]:
    """Offers with their own inventory, bookable for the window: one row each."""
    # The products' own filters, as a derived table with just what this statement reads.
    product_sql, product_params = products.values("id", "kind", "timezone").query.sql_with_params()
    hotel = ProductKind.HOTEL
    start = _date(window.start)
    where = ["base.is_active = %s", "base.inventory_pool_id IS NULL"]
    where_params: Params = [True]
    if open_dated:
        slot_join, slot_params = "s.date IS NULL", []
        where.append("p.kind = %s")
        where_params.append(ProductKind.ATTRACTION)
    else:
        # The dates any kind needs: a hotel's nights and check-out day, else the one date.
        dates = [window.start]
        if hotel in kinds:
            dates = window.hotel_dates
            if window.check_out is not None and window.nights:
                dates = [*dates, window.check_out]
        slot_join = f"s.date IN ({_placeholders(dates)})"
        slot_params = [_date(d) for d in dates]
        kind_terms = []
        if hotel in kinds:
            kind_terms.append("p.kind = %s")
            where_params.append(hotel)
        if dated_kinds := [k for k in kinds if k != hotel]:
            kind_terms.append(f"(p.kind IN ({_placeholders(dated_kinds)}) AND s.date = %s)")
            where_params += [*dated_kinds, start]
        where.append(f"({' OR '.join(kind_terms)})")

    # "A stay date" and "the check-out date" of a slot row; a non-hotel row is always a
    # stay date (its one date, or the open-dated quota).
    if not open_dated and window.check_out is not None and window.nights:
        is_stay_date = "(p.kind <> %s OR s.date < %s)"
        stay_params: Params = [hotel, _date(window.check_out)]
        is_departure = "(p.kind = %s AND s.date = %s)"
        departure_params: Params = [hotel, _date(window.check_out)]
    else:
        is_stay_date, stay_params = "1 = 1", []
        is_departure, departure_params = "1 = 0", []
    units = "(CASE WHEN p.kind = %s THEN %s ELSE %s END)"
    units_params: Params = [hotel, window.rooms, window.party]
    needed = "(CASE WHEN p.kind = %s THEN %s ELSE 1 END)"
    needed_params: Params = [hotel, window.rule_nights]
    # Each night's price on its own (a derived plan rounds night by night); 0 when open.
    # As integers: PostgreSQL's SUM of a bigint is a numeric, whose division is not integral.
    night_columns = "".join(
        f", CAST(SUM(CASE WHEN s.date = %s THEN s.price_minor ELSE 0 END) AS BIGINT) AS n{i}"
        for i in range(len(night_dates))
    )
    night_params: Params = [] if open_dated else [_date(d) for d in night_dates]
    if open_dated:
        night_columns = "".join(f", 0 AS n{i}" for i in range(len(night_dates)))
    select = (
        "SELECT base.id AS offer_id, base.product_id AS product_id, p.kind AS kind, "  # noqa: S608
        "p.timezone AS timezone, base.rate_plan_id AS rate_plan_id, "
        "base.cancellation_policy_id AS cancellation_policy_id, "
        f"SUM(CASE WHEN {is_stay_date} THEN s.price_minor ELSE 0 END) AS total{night_columns} "
        f"FROM ({product_sql}) p "
        f"JOIN {_OFFER} base ON base.product_id = p.id "
        f"JOIN {_SLOT} s ON s.offer_id = base.id AND {slot_join} "
        f"WHERE {' AND '.join(where)} "
        "GROUP BY base.id, base.product_id, p.kind, p.timezone, base.rate_plan_id, "
        "base.cancellation_policy_id "
        f"HAVING SUM(CASE WHEN {is_stay_date} AND s.is_closed = %s THEN 1 ELSE 0 END) = {needed} "
        f"AND MIN(CASE WHEN {is_stay_date} THEN s.capacity - s.held - s.sold END) >= {units} "
        "AND SUM(CASE WHEN s.date = %s AND (s.closed_to_arrival = %s OR s.min_stay > %s "
        "OR s.max_stay < %s) THEN 1 ELSE 0 END) = 0 "
        f"AND SUM(CASE WHEN {is_departure} AND s.closed_to_departure = %s THEN 1 ELSE 0 END) = 0"
    )
    params = [*stay_params, *night_params, *product_params, *slot_params, *where_params]
    params += [*stay_params, False, *needed_params]
    params += [*stay_params, *units_params]
    params += [start, True, window.rule_nights, window.rule_nights]
    params += [*departure_params, True]
    return select, params


@dataclass(frozen=True)
class Candidate:
    """A product with availability, its cheapest base price in its own currency."""

    pk: int
    currency: str
    rating: Decimal
    popularity: int
    base: int


@dataclass(frozen=True)
class Candidates:
    rows: list[Candidate]
    total: int  # rows in the price range (all of them without a range)
    available: int  # rows with availability, price range or not
    is_page: bool  # rows is already the sorted page (else every candidate, unsorted)


_ORDER = {
    "price": "base, pk",
    "-price": "base DESC, pk",
    "rating": "rating DESC, base, pk",
    "popularity": "popularity DESC, base, pk",
}


def candidates(
    offers_sql: str,
    params: Params,
    *,
    sort: str,
    price_range: tuple[int | None, int | None],
    page: tuple[int, int] | None,
) -> Candidates:
    """Each bookable product with its cheapest base price.

    With ``page`` = (offset, limit) the database sorts by ``sort`` and returns only that
    page, counting the rest with window functions: exact when every product is priced in
    the display currency (the caller's promise), since then the display price is the base
    price. ``price_range`` is then applied in SQL too: rows outside it sort last and are
    counted apart. Without ``page`` every candidate comes back for the caller to convert.
    """
    low, high = price_range
    in_range = "1 = 1"
    range_params: Params = []
    if low is not None:
        in_range += " AND pp.base >= %s"
        range_params.append(low)
    if high is not None:
        in_range += " AND pp.base <= %s"
        range_params.append(high)
    per_product = (
        "SELECT pp.product_id AS pk, p.currency AS currency, p.rating AS rating, "  # noqa: S608
        "p.popularity AS popularity, pp.base AS base, "
        f"CASE WHEN {in_range} THEN 1 ELSE 0 END AS in_range "
        f"FROM (SELECT product_id, MIN(base) AS base FROM ({offers_sql}) o GROUP BY product_id) pp "
        f"JOIN {_PRODUCT} p ON p.id = pp.product_id"
    )
    all_params = [*range_params, *params]  # the range is in the select list, before FROM
    with connection.cursor() as cursor:
        if page is None:
            cursor.execute(per_product, all_params)
            rows = [Candidate(r[0], r[1], Decimal(str(r[2])), r[3], int(r[4])) for r in cursor]
            return Candidates(rows, len(rows), len(rows), is_page=False)
        offset, limit = page
        cursor.execute(
            "SELECT pk, currency, rating, popularity, base, in_range, "  # noqa: S608
            "SUM(in_range) OVER () AS total, COUNT(*) OVER () AS available "
            f"FROM ({per_product}) c ORDER BY in_range DESC, {_ORDER[sort]} LIMIT %s OFFSET %s",
            [*all_params, limit, offset],
        )
        fetched = cursor.fetchall()
    if not fetched:
        # Past the end: count without a page.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COALESCE(SUM(in_range), 0), COUNT(*) FROM ({per_product}) c",  # noqa: S608
                all_params,
            )
            total, available = cursor.fetchone()
        return Candidates([], int(total), int(available), is_page=True)
    rows = [Candidate(r[0], r[1], Decimal(str(r[2])), r[3], int(r[4])) for r in fetched if r[5]]
    return Candidates(rows, int(fetched[0][6]), int(fetched[0][7]), is_page=True)


def bookable_offers(offers_sql: str, params: Params, product_ids: Sequence[int]) -> list[int]:
    """The ids of the bookable selling offers of these products (a page's few products)."""
    if not product_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT offer_id FROM ({offers_sql}) o "  # noqa: S608
            f"WHERE product_id IN ({_placeholders(product_ids)})",
            [*params, *product_ids],
        )
        return [row[0] for row in cursor]


# --- free cancellation ---------------------------------------------------------------


def penalty_percent_at(rules: list[dict[str, Any]], days_before: int) -> Decimal:
    """The penalty of a ``free`` policy's rules for a cancellation ``days_before`` the date.

    The same rule as ``orders.policy.penalty_percent`` (which pricing cannot import): the
    step with the largest ``days_before`` that still applies wins; none applies → 100 %.
    """
    if days_before < 0:
        return Decimal(100)
    for step in sorted(rules or [], key=lambda r: -int(r["days_before"])):
        if days_before >= int(step["days_before"]):
            return Decimal(str(step["penalty_percent"]))
    return Decimal(100)


def free_to_cancel(kind: str, rules: list[dict[str, Any]], days_before: int | None) -> bool:
    """Whether a booking made now can be cancelled for nothing right after it is made.

    A policy qualifies when its kind is ``free`` and the penalty for cancelling on the day
    of booking (``days_before`` = service date − today in the product's time zone) is 0 %.
    Without a date (an undated search), when any step of a ``free`` policy costs 0 %.
    """
    if kind != CancellationPolicy.Kind.FREE:
        return False
    if days_before is None:
        return any(Decimal(str(r["penalty_percent"])) == 0 for r in rules or [])
    return penalty_percent_at(rules, days_before) == 0


def free_cancellation_filter(
    products: QuerySet[Product], check_in: dt.date | None, now: dt.datetime | None = None
) -> tuple[tuple[tuple[str, ...], tuple[int, ...]], ...]:
    """For each group of the products' time zones sharing a local today, the free policies."""
    policies = list(CancellationPolicy.objects.values_list("pk", "kind", "rules"))
    zones = sorted(set(products.values_list("timezone", flat=True).distinct()))
    by_today: dict[dt.date, list[str]] = {}
    for zone in zones:
        by_today.setdefault(local_today(zone, now), []).append(zone)
    groups = []
    for today, same in sorted(by_today.items()):
        days = (check_in - today).days if check_in is not None else None
        free = tuple(pk for pk, kind, rules in policies if free_to_cancel(kind, rules, days))
        groups.append((tuple(same), free))
    return tuple(groups)
