"""Voucher QR codes and the printable voucher PDF. Reads only; never writes.

QR content: ``OMNITRIP:V:<code>``, the prefix from :data:`~omnitrip.fulfilment.codes.QR_PREFIX`
followed by the bare 20-symbol code. Everything in it belongs to the QR alphanumeric
set, so the symbol stays small (version 2). Supplier scanners may send the payload as
read: :func:`~omnitrip.fulfilment.codes.normalise_code` removes the prefix.

The PDF has one A4 page per voucher in the order's language. Chinese text is set in
reportlab's built-in ``STSong-Light`` CID font, which PDF readers supply themselves, so
no font file is needed. Codes are set in Helvetica/Courier in both languages so they
stay unambiguous and searchable.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

import qrcode
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    Flowable,
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from omnitrip.orders.models import Order

from . import wording
from .codes import QR_PREFIX, format_code
from .models import Voucher, VoucherStatus
from .queries import vouchers_of_order
from .wording import Language, label

CJK_FONT = "STSong-Light"
QR_SIZE = 48 * mm
_PAGE_WIDTH = A4[0] - 2 * 18 * mm


# QR ---------------------------------------------------------------------------------------
def voucher_qr_payload(voucher: Voucher) -> str:
    """The text inside the voucher's QR code: ``OMNITRIP:V:`` and the bare code."""
    return f"{QR_PREFIX}{voucher.code}"


def _qr(voucher: Voucher, *, box_size: int) -> qrcode.QRCode:
    # Level M survives a crease or a cracked phone screen without a large symbol.
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4
    )
    qr.add_data(voucher_qr_payload(voucher))
    qr.make(fit=True)
    return qr


def voucher_qr_svg(voucher: Voucher) -> str:
    """The QR code as a standalone SVG document (one path; scales to any size)."""
    image = _qr(voucher, box_size=10).make_image(image_factory=SvgPathImage)
    return image.to_string(encoding="unicode")


def voucher_qr_png(voucher: Voucher) -> bytes:
    """The QR code as a black-on-white PNG, 10 pixels per module."""
    image = _qr(voucher, box_size=10).make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


# PDF --------------------------------------------------------------------------------------
@functools.cache
def _cjk_font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


# Babel puts narrow or thin spaces into some formats ("2:00\u202fPM"); the standard PDF
# fonts have no glyph for them.
_SPACES = str.maketrans({"\u202f": " ", "\u2009": " ", "\u2007": " "})


def _is_western(text: str) -> bool:
    # The standard Helvetica and Courier fonts are WinAnsi (cp1252) encoded; anything
    # outside it, Chinese above all, needs the CID font.
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


@functools.cache
def _style(
    font: str, size: float, *, colour: str = "#000000", centred: bool = False
) -> ParagraphStyle:
    return ParagraphStyle(
        f"{font}-{size}-{colour}-{centred}",
        fontName=font,
        fontSize=size,
        leading=size * 1.3,
        textColor=colors.HexColor(colour),
        alignment=TA_CENTER if centred else 0,
        wordWrap="CJK" if font == CJK_FONT else None,
    )


def _text(
    text: str,
    language: Language,
    size: float = 10,
    *,
    bold: bool = False,
    colour: str = "#000000",
    centred: bool = False,
) -> Paragraph:
    text = text.translate(_SPACES)
    if language == "zh" or not _is_western(text):
        font = _cjk_font()
        # The built-in Chinese font has no U+00B7 middle dot; its katakana twin renders.
        text = text.replace("\u00b7", "\u30fb")
    else:
        font = "Helvetica-Bold" if bold else "Helvetica"
    return Paragraph(escape(text), _style(font, size, colour=colour, centred=centred))


def _code_text(
    text: str, size: float, font: str = "Helvetica-Bold", *, centred: bool = False
) -> Paragraph:
    return Paragraph(escape(text), _style(font, size, centred=centred))


def _rows_table(rows: Sequence[tuple[str, Flowable]], language: Language, width: float) -> Table:
    label_width = 26 * mm
    table = Table(
        [[_text(name, language, 9, colour="#555555"), value] for name, value in rows],
        colWidths=[label_width, width - label_width],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _voucher_page(order: Order, voucher: Voucher, language: Language) -> list[Flowable]:
    item = voucher.order_item
    supplier = item.product.supplier
    story: list[Flowable] = []

    header = Table(
        [[_text("omnitrip", "en", 16, bold=True), _text(label("voucher", language), language, 14)]],
        colWidths=[_PAGE_WIDTH / 2, _PAGE_WIDTH / 2],
    )
    header.setStyle(
        TableStyle([("ALIGN", (1, 0), (1, 0), "RIGHT"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    story += [header, Spacer(1, 4 * mm)]
    if voucher.status != VoucherStatus.ISSUED:
        stamp = label(f"status_{voucher.status}", language)
        story += [_text(stamp, language, 22, bold=True, colour="#B00020"), Spacer(1, 3 * mm)]
    story += [
        _text(wording.product_title(item, language), language, 16, bold=True),
        _text(wording.offer_name(item, language), language, 12),
        Spacer(1, 6 * mm),
    ]

    rows: list[tuple[str, Flowable]] = []
    for name, value in wording.service_dates(item, language) + wording.party(item, language):
        rows.append((name, _text(value, language, 11)))
    rows += [
        (label("traveller", language), _text(order.contact_name, language, 11)),
        (label("order", language), _code_text(order.code, 11)),
        (label("paid", language), _text(wording.item_total(order, item, language), language, 11)),
    ]
    details_width = _PAGE_WIDTH - QR_SIZE - 8 * mm
    qr_image = Image(io.BytesIO(voucher_qr_png(voucher)), width=QR_SIZE, height=QR_SIZE)
    body = Table(
        [[_rows_table(rows, language, details_width), qr_image]],
        colWidths=[details_width, QR_SIZE + 8 * mm],
    )
    body.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)])
    )
    # The code on its own line, large and monospaced: it is read out over the phone.
    code_band = Table(
        [
            [_text(label("voucher_code", language), language, 9, colour="#555555", centred=True)],
            [_code_text(format_code(voucher.code), 18, "Courier-Bold", centred=True)],
        ],
        colWidths=[_PAGE_WIDTH],
    )
    code_band.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.75, colors.HexColor("#999999")),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story += [body, Spacer(1, 4 * mm), code_band, Spacer(1, 6 * mm)]

    terms: list[tuple[str, Flowable]] = [
        (label("supplier", language), _text(wording.supplier_name(item, language), language, 10))
    ]
    if item.product.address:
        terms.append((label("address", language), _text(item.product.address, language, 10)))
    if supplier.contact_phone:
        terms.append(
            (label("phone", language), _code_text(supplier.contact_phone, 10, "Helvetica"))
        )
    summary = wording.cancellation_summary(item.cancellation_policy or {}, language)
    terms.append((label("cancellation", language), _text(summary, language, 10)))
    story += [
        _rows_table(terms, language, _PAGE_WIDTH),
        Spacer(1, 8 * mm),
        _text(label("show_voucher", language), language, 9, colour="#555555"),
    ]
    return story


def order_vouchers_pdf(
    order: Order,
    language: str,
    *,
    vouchers: Sequence[Voucher] | None = None,
    compress: bool = True,
) -> bytes:
    """The order's vouchers as a PDF, one page each, in ``language`` (``zh-hans`` or ``en``).

    ``vouchers`` defaults to every voucher of the order; pages of redeemed or void
    vouchers carry a stamp saying so. ``compress=False`` leaves page streams readable
    (tests search them for text). Raises ``ValueError`` when there is nothing to render.
    """
    lang = wording.language_of(language)
    chosen = list(vouchers) if vouchers is not None else vouchers_of_order(order)
    if not chosen:
        raise ValueError(f"order {order.code} has no vouchers to render")
    story: list[Flowable] = []
    for index, voucher in enumerate(chosen):
        if index:
            story.append(PageBreak())
        story += _voucher_page(order, voucher, lang)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"omnitrip {label('voucher', lang)} {order.code}",
        author="omnitrip",
        lang="zh-Hans" if lang == "zh" else "en",
        pageCompression=1 if compress else 0,
    )
    document.build(story)
    return buffer.getvalue()
