from __future__ import annotations

import io
import re
from xml.etree import ElementTree

import pytest
from PIL import Image

from omnitrip.catalog.tests import factories as catalog
from omnitrip.fulfilment.codes import format_code
from omnitrip.fulfilment.models import VoucherStatus
from omnitrip.fulfilment.rendering import (
    order_vouchers_pdf,
    voucher_qr_payload,
    voucher_qr_png,
    voucher_qr_svg,
)
from omnitrip.fulfilment.services import issue_vouchers, void_vouchers
from omnitrip.fulfilment.wording import cancellation_summary

from . import factories

pytestmark = pytest.mark.django_db

PAGE = re.compile(rb"/Type /Page\b(?!s)")
FREE_UNTIL_THREE_DAYS = {
    "kind": "free",
    "rules": [
        {"days_before": 0, "penalty_percent": "100"},
        {"days_before": 3, "penalty_percent": "0"},
        {"days_before": 1, "penalty_percent": "50"},
    ],
}


def test_qr_payload_is_the_prefixed_bare_voucher_code():
    voucher = factories.issued_voucher()

    assert voucher_qr_payload(voucher) == f"OMNITRIP:V:{voucher.code}"


def test_qr_svg_is_a_well_formed_svg_document():
    voucher = factories.issued_voucher()

    root = ElementTree.fromstring(voucher_qr_svg(voucher))  # noqa: S314 - our own output

    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert len(root.findall("{http://www.w3.org/2000/svg}path")) == 1


def test_qr_png_is_a_square_png_image():
    voucher = factories.issued_voucher()

    png = voucher_qr_png(voucher)

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.width == image.height


def test_english_pdf_has_one_page_per_voucher_with_the_order_and_voucher_codes():
    hotel = catalog.hotel_offer(product_fields={"address": "1 Dianchi Road, Kunming"})
    order = factories.confirmed_order(hotel, catalog.open_dated_ticket())
    vouchers = issue_vouchers(order)

    pdf = order_vouchers_pdf(order, "en", compress=False)

    assert pdf.startswith(b"%PDF")
    assert len(PAGE.findall(pdf)) == 2
    assert pdf.count(f"({order.code}) Tj".encode()) == 2
    for voucher in vouchers:
        assert format_code(voucher.code).encode() in pdf
    for text in [
        hotel.product.title_en,
        "Double, flexible",
        "2 nights",
        "Li Wei",
        "1 Dianchi Road, Kunming",
    ]:
        assert f"({text}) Tj".encode() in pdf
    # "¥" is byte 0xA5 of the font's WinAnsi encoding, written as an octal escape.
    assert rb"(CN\2451,060.00) Tj" in pdf
    assert b"Cancelling at least 3 days before: free" in pdf


def test_chinese_pdf_is_set_in_the_built_in_cid_font_and_keeps_codes_readable():
    order = factories.confirmed_order(catalog.hotel_offer(), language="zh-hans")
    (voucher,) = issue_vouchers(order)

    pdf = order_vouchers_pdf(order, "zh-hans", compress=False)

    assert pdf.startswith(b"%PDF")
    assert len(PAGE.findall(pdf)) == 1
    assert b"/BaseFont /STSong-Light" in pdf
    assert order.code.encode() in pdf
    assert format_code(voucher.code).encode() in pdf


def test_compressed_pdf_is_smaller_than_the_readable_one():
    order = factories.confirmed_order(catalog.hotel_offer())
    issue_vouchers(order)

    assert len(order_vouchers_pdf(order, "en")) < len(
        order_vouchers_pdf(order, "en", compress=False)
    )


def test_void_vouchers_page_is_stamped_void():
    order = factories.confirmed_order(catalog.hotel_offer())
    (voucher,) = issue_vouchers(order)
    void_vouchers(order, reason="cancelled")
    voucher.refresh_from_db()
    assert voucher.status == VoucherStatus.VOID

    pdf = order_vouchers_pdf(order, "en", compress=False)

    assert b"(VOID)" in pdf


def test_pdf_of_an_order_without_vouchers_is_refused():
    order = factories.confirmed_order()

    with pytest.raises(ValueError, match="has no vouchers to render"):
        order_vouchers_pdf(order, "en")


def test_cancellation_summary_reads_the_steps_from_the_earliest_down():
    assert cancellation_summary(FREE_UNTIL_THREE_DAYS, "en") == (
        "Cancelling at least 3 days before: free; at least 1 day before: 50% of the price; "
        "later: 100% of the price"
    )
    assert cancellation_summary(FREE_UNTIL_THREE_DAYS, "zh") == (
        "提前3天及以上取消：免费；提前1天及以上取消：收取50%费用；其后取消：收取100%费用"
    )


def test_cancellation_summary_of_a_non_refundable_or_empty_policy():
    assert cancellation_summary({"kind": "non_refundable", "rules": []}, "en") == "Non-refundable"
    assert cancellation_summary({"kind": "non_refundable"}, "zh") == "不可取消，不可退款"
    assert cancellation_summary({}, "en") == "As stated in the booking terms"
