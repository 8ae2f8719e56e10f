"""Reconciling a settlement file: every outcome, the period, idempotency, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from omnitrip.core.errors import InvalidInput
from omnitrip.payments.errors import UnknownProvider
from omnitrip.payments.models import Refund
from omnitrip.payments.states import PaymentStatus, RefundStatus
from omnitrip.reconciliation import services
from omnitrip.reconciliation.models import ReconciliationItem, ReconciliationRun
from omnitrip.reconciliation.queries import previous_run
from omnitrip.reconciliation.services import reconcile_file

from .factories import DAY, NOON, add_line, bill, edit_line, paid, refunded, staff_user

pytestmark = pytest.mark.django_db


def reconcile(content: bytes, **options) -> ReconciliationRun:
    return reconcile_file("sandbox", content, file_name="sandbox-2026-03-01.csv", **options)


def outcomes(run: ReconciliationRun) -> list[tuple[str, str, str]]:
    return list(run.items.order_by("position").values_list("outcome", "kind", "reference"))


def counts(run: ReconciliationRun) -> dict[str, int]:
    return {
        "matched": run.matched_count,
        "missing_in_file": run.missing_in_file_count,
        "extra_in_file": run.extra_in_file_count,
        "amount_mismatch": run.amount_mismatch_count,
        "currency_mismatch": run.currency_mismatch_count,
        "status_mismatch": run.status_mismatch_count,
    }


def only_discrepancy(run: ReconciliationRun) -> ReconciliationItem:
    (item,) = run.items.exclude(outcome="matched")
    return item


def test_a_bill_listing_exactly_our_payments_and_refunds_is_balanced():
    first, second = paid(amount_minor=10_000), paid(amount_minor=25_050)
    refund = refunded(first, amount_minor=2_500)

    run = reconcile(bill([first, second], [refund]))

    assert run.status == "balanced"
    assert run.provider == "sandbox"
    assert run.file_name == "sandbox-2026-03-01.csv"
    assert (run.period_start, run.period_end) == (DAY, DAY)
    assert (run.window_start, run.window_end) == (NOON.replace(hour=0), NOON.replace(day=2, hour=0))
    assert run.line_count == 3
    assert counts(run) == {
        "matched": 3,
        "missing_in_file": 0,
        "extra_in_file": 0,
        "amount_mismatch": 0,
        "currency_mismatch": 0,
        "status_mismatch": 0,
    }
    assert outcomes(run) == [
        ("matched", "payment", first.code),
        ("matched", "payment", second.code),
        ("matched", "refund", refund.code),
    ]
    items = list(run.items.order_by("position"))
    assert [(i.payment_id, i.refund_id) for i in items] == [
        (first.pk, None),
        (second.pk, None),
        (first.pk, refund.pk),
    ]
    assert [(i.file_amount_minor, i.our_amount_minor, i.fee_minor) for i in items] == [
        (10_000, 10_000, 60),
        (25_050, 25_050, 150),
        (2_500, 2_500, 0),
    ]
    assert items[0].provider_transaction_id == f"sbx_{first.code}"
    assert items[2].provider_transaction_id == f"sbx_rf_{refund.code}"
    assert items[0].detail == ""


def test_a_captured_payment_the_file_lacks_is_missing_in_file():
    listed = paid()
    unlisted = paid(amount_minor=7_700, at=NOON.replace(hour=23, minute=59))

    run = reconcile(bill([listed]))

    assert run.status == "discrepancies"
    assert outcomes(run) == [
        ("matched", "payment", listed.code),
        ("missing_in_file", "payment", unlisted.code),
    ]
    missing = only_discrepancy(run)
    assert missing.payment_id == unlisted.pk
    assert (missing.our_amount_minor, missing.our_currency) == (7_700, "CNY")
    assert (missing.file_amount_minor, missing.file_currency, missing.fee_minor) == (None, "", 0)
    assert missing.detail == "Captured by us at 2026-03-01 23:59:00 UTC; not in this file"
    assert run.missing_in_file_count == 1


def test_a_succeeded_refund_the_file_lacks_is_missing_in_file():
    payment = paid()
    refund = refunded(payment, amount_minor=1_000)

    run = reconcile(bill([payment]))

    assert outcomes(run) == [
        ("matched", "payment", payment.code),
        ("missing_in_file", "refund", refund.code),
    ]
    missing = only_discrepancy(run)
    assert (missing.refund_id, missing.payment_id) == (refund.pk, payment.pk)
    assert (missing.our_amount_minor, missing.our_currency) == (1_000, "CNY")


def test_a_refund_to_the_wallet_is_not_expected_in_the_provider_file():
    payment = paid()
    refunded(payment, destination=Refund.Destination.WALLET)

    run = reconcile(bill([payment]))

    assert run.status == "balanced"
    assert outcomes(run) == [("matched", "payment", payment.code)]


def test_our_rows_of_other_providers_and_other_days_are_not_missing():
    payment = paid()
    paid(provider="stripe")
    paid(at=NOON - dt.timedelta(days=1))
    paid(at=NOON.replace(day=2, hour=0))  # the first instant after the period
    paid(status=PaymentStatus.FAILED)
    refunded(paid(at=NOON - dt.timedelta(days=1)), status=RefundStatus.PENDING)

    run = reconcile(bill([payment]))

    assert run.status == "balanced"
    assert outcomes(run) == [("matched", "payment", payment.code)]


def test_a_given_period_widens_what_the_file_should_list():
    payment = paid()
    yesterday = paid(at=NOON - dt.timedelta(days=1))

    run = reconcile(bill([payment]), period_start=DAY - dt.timedelta(days=1))

    assert (run.period_start, run.period_end) == (DAY - dt.timedelta(days=1), DAY)
    assert outcomes(run) == [
        ("matched", "payment", payment.code),
        ("missing_in_file", "payment", yesterday.code),
    ]


def test_a_payment_an_earlier_file_listed_is_not_missing_from_the_next_one():
    # The provider booked it at 23:59:58 on the 1st; our capture was stamped after midnight.
    late = paid(at=NOON.replace(day=2, hour=0, minute=0, second=3))
    first_day = edit_line(bill([late]), late.code, date="2026-03-01T23:59:58+00:00")
    next_day_payment = paid(at=NOON.replace(day=2))

    first_run = reconcile(first_day)
    next_run = reconcile(bill([next_day_payment]))

    assert outcomes(first_run) == [("matched", "payment", late.code)]
    assert next_run.status == "balanced"
    assert outcomes(next_run) == [("matched", "payment", next_day_payment.code)]


def test_a_second_file_for_the_same_day_must_list_every_payment_again():
    first, second = paid(), paid()
    reconcile(bill([first, second]))

    corrected = reconcile(bill([first]))

    assert outcomes(corrected) == [
        ("matched", "payment", first.code),
        ("missing_in_file", "payment", second.code),
    ]


def test_a_line_we_have_no_record_of_is_extra_in_file():
    payment = paid()
    content = add_line(
        bill([payment]), payment="PAY-NOTOURS00001", transaction_id="sbx_x1", amount="5.00"
    )

    run = reconcile(content)

    assert outcomes(run) == [
        ("matched", "payment", payment.code),
        ("extra_in_file", "payment", "PAY-NOTOURS00001"),
    ]
    extra = only_discrepancy(run)
    assert (extra.payment_id, extra.refund_id) == (None, None)
    assert (extra.file_amount_minor, extra.file_currency) == (500, "CNY")
    assert (extra.our_amount_minor, extra.our_currency) == (None, "")
    assert extra.provider_transaction_id == "sbx_x1"
    assert extra.detail == "We have no payment PAY-NOTOURS00001"
    assert extra.raw["transaction_id"] == "sbx_x1"
    assert run.extra_in_file_count == 1


def test_a_refund_line_we_have_no_record_of_is_extra_in_file():
    payment = paid()
    content = add_line(
        bill([payment]), type="refund", payment=payment.code, refund="RF-NOTOURS00001"
    )

    run = reconcile(content)

    extra = only_discrepancy(run)
    assert (extra.outcome, extra.kind, extra.reference) == (
        "extra_in_file",
        "refund",
        "RF-NOTOURS00001",
    )
    assert extra.detail == "We have no refund RF-NOTOURS00001"


def test_a_payment_made_through_another_provider_is_extra_in_a_sandbox_file():
    payment = paid(provider="stripe")

    run = reconcile(bill([payment]))

    extra = only_discrepancy(run)
    assert (extra.outcome, extra.reference, extra.payment_id) == (
        "extra_in_file",
        payment.code,
        None,
    )
    assert extra.detail == f"Payment {payment.code} was made through stripe, not sandbox"


def test_a_line_listed_twice_is_extra_the_second_time():
    payment = paid()
    content = add_line(bill([payment]), payment=payment.code, transaction_id="sbx_again")

    run = reconcile(content)

    assert outcomes(run) == [
        ("matched", "payment", payment.code),
        ("extra_in_file", "payment", payment.code),
    ]
    assert only_discrepancy(run).detail == (
        f"The file lists this payment again (first as transaction sbx_{payment.code})"
    )


def test_a_different_amount_is_an_amount_mismatch():
    payment = paid(amount_minor=10_000)

    run = reconcile(edit_line(bill([payment]), payment.code, amount="99.99"))

    item = only_discrepancy(run)
    assert (item.outcome, item.reference, item.payment_id) == (
        "amount_mismatch",
        payment.code,
        payment.pk,
    )
    assert (item.file_amount_minor, item.our_amount_minor) == (9_999, 10_000)
    assert item.detail == "The file has 99.99 CNY, we have 100.00 CNY"
    assert run.amount_mismatch_count == 1
    assert run.status == "discrepancies"


def test_a_different_refund_amount_is_an_amount_mismatch():
    payment = paid()
    refund = refunded(payment, amount_minor=2_500)

    run = reconcile(edit_line(bill([payment], [refund]), refund.code, amount="30.00"))

    item = only_discrepancy(run)
    assert (item.outcome, item.kind, item.refund_id) == ("amount_mismatch", "refund", refund.pk)
    assert (item.file_amount_minor, item.our_amount_minor) == (3_000, 2_500)


def test_a_different_currency_is_a_currency_mismatch():
    payment = paid(amount_minor=10_000, currency="CNY")

    run = reconcile(edit_line(bill([payment]), payment.code, currency="USD"))

    item = only_discrepancy(run)
    assert item.outcome == "currency_mismatch"
    assert (item.file_amount_minor, item.file_currency) == (10_000, "USD")
    assert (item.our_amount_minor, item.our_currency) == (10_000, "CNY")
    assert item.detail == "The file has USD, we have CNY"
    assert run.currency_mismatch_count == 1


def test_a_payment_failed_with_us_but_paid_in_the_file_is_a_status_mismatch():
    payment = paid(status=PaymentStatus.FAILED)

    run = reconcile(bill([payment]))

    item = only_discrepancy(run)
    assert (item.outcome, item.reference, item.payment_id) == (
        "status_mismatch",
        payment.code,
        payment.pk,
    )
    assert item.detail == "The file has it paid; with us it is failed"
    assert run.status_mismatch_count == 1


def test_a_status_mismatch_outranks_an_amount_mismatch_and_the_detail_names_both():
    payment = paid(status=PaymentStatus.PENDING, amount_minor=10_000)

    run = reconcile(edit_line(bill([payment]), payment.code, amount="90.00"))

    item = only_discrepancy(run)
    assert item.outcome == "status_mismatch"
    assert item.detail == (
        "The file has it paid; with us it is pending; the file has 90.00 CNY, we have 100.00 CNY"
    )
    assert counts(run)["amount_mismatch"] == 0


def test_a_refund_still_pending_with_us_but_refunded_in_the_file_is_a_status_mismatch():
    payment = paid()
    refund = refunded(payment, status=RefundStatus.PENDING)

    run = reconcile(bill([payment], [refund]))

    assert outcomes(run) == [
        ("matched", "payment", payment.code),
        ("status_mismatch", "refund", refund.code),
    ]
    assert only_discrepancy(run).detail == "The file has it refunded; with us it is pending"


def test_the_same_file_twice_is_one_run():
    payment = paid()
    content = bill([payment])
    first = reconcile(content)

    again = reconcile_file(
        "sandbox",
        content,
        file_name="renamed.csv",
        uploaded_by=staff_user(),
        period_start=DAY - dt.timedelta(days=7),
    )

    assert again.pk == first.pk
    assert (again.file_name, again.uploaded_by_id, again.period_start) == (
        "sandbox-2026-03-01.csv",
        None,
        DAY,
    )
    assert ReconciliationRun.objects.count() == 1
    assert ReconciliationItem.objects.count() == 1


def test_losing_the_race_to_import_the_same_file_returns_the_winners_run(monkeypatch):
    payment = paid()
    content = bill([payment])
    winner = reconcile(content)
    looked_up = []

    def previous_run_as_seen_before_the_winner_committed(provider, digest):
        looked_up.append(provider)
        return None if len(looked_up) == 1 else previous_run(provider, digest)

    monkeypatch.setattr(services, "previous_run", previous_run_as_seen_before_the_winner_committed)

    loser = reconcile(content)

    assert loser.pk == winner.pk
    assert looked_up == ["sandbox", "sandbox"]
    assert ReconciliationRun.objects.count() == 1
    assert ReconciliationItem.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The sandbox bill must start with the header"),
        (b"when,what\n2026-03-01,payment\n", "The sandbox bill must start with the header"),
        (b"\xff\xfe not utf-8", "The sandbox bill is not UTF-8 text"),
        (
            b"date,type,payment,refund,transaction_id,amount,currency,fee\n"
            b"2026-03-01,payment,PAY-1,,sbx_1,12.345,CNY,0\n",
            "Sandbox bill row 2: amount '12.345' has more decimals than CNY allows",
        ),
        (
            b"date,type,payment,refund,transaction_id,amount,currency,fee\n"
            b"2026-03-01,chargeback,PAY-1,,sbx_1,12.00,CNY,0\n",
            "Sandbox bill row 2: type must be payment or refund",
        ),
        (
            b"date,type,payment,refund,transaction_id,amount,currency,fee\n"
            b"yesterday,payment,PAY-1,,sbx_1,12.00,CNY,0\n",
            "Sandbox bill row 2: 'yesterday' is not an ISO 8601 date",
        ),
    ],
    ids=["empty", "wrong-header", "not-utf8", "too-many-decimals", "unknown-type", "bad-date"],
)
def test_a_malformed_file_is_refused_and_nothing_is_stored(content, message):
    paid()

    with pytest.raises(InvalidInput) as caught:
        reconcile(content)

    assert caught.value.detail.startswith(message)
    assert caught.value.status == 422
    assert ReconciliationRun.objects.count() == 0
    assert ReconciliationItem.objects.count() == 0


def test_an_unknown_provider_is_refused_and_nothing_is_stored():
    with pytest.raises(UnknownProvider):
        reconcile_file("no-such-pay", b"anything", file_name="x.csv")

    assert ReconciliationRun.objects.count() == 0


def test_a_file_without_dates_needs_the_period_it_covers():
    payment = paid()
    empty = bill([])

    with pytest.raises(InvalidInput) as caught:
        reconcile(empty)

    assert caught.value.detail == "The file has no dated lines: give the period it covers"
    assert ReconciliationRun.objects.count() == 0

    run = reconcile(empty, period_start=DAY, period_end=DAY)

    assert (run.line_count, run.status) == (0, "discrepancies")
    assert outcomes(run) == [("missing_in_file", "payment", payment.code)]


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(InvalidInput) as caught:
        reconcile(bill([paid()]), period_start=DAY, period_end=DAY - dt.timedelta(days=1))

    assert caught.value.detail == "The period ends before it starts"
    assert ReconciliationRun.objects.count() == 0


def test_the_period_follows_the_time_zone_printed_in_the_file():
    # A Beijing-day bill: 1 March 00:00+08:00 is 28 February 16:00 UTC.
    early = paid(at=dt.datetime(2026, 2, 28, 16, 30, tzinfo=dt.UTC))
    after_the_day = paid(at=dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC))
    content = edit_line(bill([early]), early.code, date="2026-03-01T00:30:00+08:00")

    run = reconcile(content)

    assert (run.period_start, run.period_end) == (DAY, DAY)
    assert run.window_start == dt.datetime(2026, 2, 28, 16, 0, tzinfo=dt.UTC)
    assert run.window_end == dt.datetime(2026, 3, 1, 16, 0, tzinfo=dt.UTC)
    assert outcomes(run) == [("matched", "payment", early.code)]
    assert after_the_day.code not in {reference for _, _, reference in outcomes(run)}


def test_matching_costs_the_same_number_of_queries_for_three_lines_or_thirty():
    def queries_for(size: int, day: dt.datetime) -> int:
        payments = [paid(at=day) for _ in range(size)]
        refunds = [refunded(payment, amount_minor=100, at=day) for payment in payments[:2]]
        content = bill(payments, refunds)
        with CaptureQueriesContext(connection) as captured:
            reconcile(content)
        return len(captured.captured_queries)

    # Different days, so neither run sees the other's payments as missing.
    assert queries_for(3, NOON) == queries_for(30, NOON + dt.timedelta(days=7))
