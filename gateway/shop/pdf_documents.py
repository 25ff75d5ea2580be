"""Customers' documents as PDF (fpdf2, pure Python): the order confirmation and the invoice.

Texts and amounts follow the request's locale: the caller sets the customer's language
(`flask_babel.force_locale`). Only the PDF core fonts are used (no font files to ship): text
they cannot show is spelled in Latin-1 (`€` as `EUR`, other characters as `?`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from fpdf import FPDF

from gateway.models import Invoice, Order, Organisation
from gateway.services.ordering.documents import SupplierParty, vat_per_rate
from gateway.web.i18n import money, number

_REPLACEMENTS = {
    "\u20ac": "EUR",  # euro sign
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2026": "...",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class _Line:
    number: int
    sku: str
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal


def confirmation_pdf(
    *,
    order: Order,
    customer: Organisation,
    supplier: SupplierParty,
    confirmed_prices: dict[int, Decimal],
    vat_rates: dict[int, Decimal],
) -> bytes:
    """The order confirmation: the order's lines at the confirmed prices, VAT per rate."""
    lines = [
        _Line(
            number=line.line_number,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=confirmed_prices.get(line.line_number, line.unit_price),
            amount=(line.quantity * confirmed_prices[line.line_number]).quantize(Decimal("0.01"))
            if line.line_number in confirmed_prices
            else line.net_amount,
            vat_rate=vat_rates.get(line.line_number, line.vat_rate),
        )
        for line in order.lines
    ]
    facts = [(_("Order date"), _date(order.placed_at))]
    return _document(
        title=_("Order confirmation %(number)s", number=order.number),
        order=order,
        customer=customer,
        supplier=supplier,
        facts=facts,
        lines=lines,
        footer=_("Thank you for your order."),
    )


def invoice_pdf(
    *,
    order: Order,
    invoice: Invoice,
    customer: Organisation,
    supplier: SupplierParty,
) -> bytes:
    """The invoice: what was shipped and invoiced, VAT per rate, payment terms."""
    lines = [
        _Line(
            number=line.line_number,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            amount=line.net_amount,
            vat_rate=line.vat_rate,
        )
        for line in invoice.lines
    ]
    facts = [
        (_("Invoice date"), _date(invoice.invoiced_at)),
        (_("Order date"), _date(order.placed_at)),
    ]
    footer = _(
        "Please pay within %(days)s days to %(iban)s, quoting %(number)s.",
        days=customer.payment_terms_days,
        iban=supplier.iban,
        number=invoice.number,
    )
    return _document(
        title=_("Invoice %(number)s", number=invoice.number),
        order=order,
        customer=customer,
        supplier=supplier,
        facts=facts,
        lines=lines,
        footer=footer,
    )


def _document(
    *,
    title: str,
    order: Order,
    customer: Organisation,
    supplier: SupplierParty,
    facts: list[tuple[str, str]],
    lines: list[_Line],
    footer: str,
) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(title))
    pdf.set_author(_latin1(supplier.name))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=14)
    _text(pdf, supplier.name, height=7)
    pdf.set_font("Helvetica", size=9)
    for part in (
        supplier.street,
        f"{supplier.postcode} {supplier.city}".strip(),
        supplier.country,
        f"{_('VAT number')}: {supplier.vat_number}" if supplier.vat_number else "",
        f"{_('Chamber of Commerce')}: {supplier.coc_number}" if supplier.coc_number else "",
        f"IBAN: {supplier.iban}" if supplier.iban else "",
        supplier.email,
    ):
        if part:
            _text(pdf, part)
    pdf.ln(4)
    pdf.set_font("Helvetica", style="B", size=11)
    _text(pdf, customer.name, height=6)
    pdf.set_font("Helvetica", size=9)
    address = order.bill_to or order.ship_to or {}
    for part in (
        address.get("street", ""),
        f"{address.get('postcode', '')} {address.get('city', '')}".strip(),
        address.get("country", ""),
        f"{_('Customer number')}: {customer.number}",
        f"{_('VAT number')}: {customer.vat_number}" if customer.vat_number else "",
    ):
        if part:
            _text(pdf, part)
    pdf.ln(4)
    pdf.set_font("Helvetica", style="B", size=13)
    _text(pdf, title, height=8)
    pdf.set_font("Helvetica", size=9)
    rows = [
        (_("Our order number"), order.number),
        (_("Your PO number"), order.buyer_reference or "-"),
        *facts,
    ]
    for label, value in rows:
        pdf.cell(45, 5, _latin1(label))
        pdf.cell(0, 5, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _table(pdf, lines, currency=order.currency)
    pdf.ln(4)
    pdf.set_font("Helvetica", size=9)
    _text(pdf, footer)
    return bytes(pdf.output())


_WIDTHS = (8, 25, 62, 22, 25, 25, 13)
_TEXT_COLUMN = 2  # the description, left-aligned; every other column is right-aligned


def _table(pdf: FPDF, lines: list[_Line], *, currency: str) -> None:
    headings = ("#", _("Product"), _("Description"), _("Quantity"), _("Unit price"))
    pdf.set_font("Helvetica", style="B", size=8)
    for column, heading in enumerate((*headings, _("Amount"), _("VAT"))):
        align = "L" if column == _TEXT_COLUMN else "R"
        pdf.cell(_WIDTHS[column], 6, _latin1(heading), border="B", align=align)
    pdf.ln()
    pdf.set_font("Helvetica", size=8)
    for line in lines:
        cells = (
            str(line.number),
            line.sku,
            line.description[:45],
            f"{number(line.quantity)} {line.unit}",
            money(line.unit_price, currency),
            money(line.amount, currency),
            f"{number(line.vat_rate)} %",
        )
        for column, cell in enumerate(cells):
            align = "L" if column == _TEXT_COLUMN else "R"
            pdf.cell(_WIDTHS[column], 5, _latin1(cell), align=align)
        pdf.ln()
    net = sum((line.amount for line in lines), Decimal(0))
    vat = vat_per_rate((line.vat_rate, line.amount) for line in lines)
    tax = sum((Decimal(rate["vat"]) for rate in vat), Decimal(0))
    pdf.ln(2)
    _total(pdf, _("Total excl. VAT"), money(net, currency), bold=True)
    for rate in vat:
        label = _(
            "VAT %(rate)s%% over %(base)s",
            rate=number(Decimal(rate["rate"])),
            base=money(Decimal(rate["base"]), currency),
        )
        _total(pdf, label, money(Decimal(rate["vat"]), currency))
    _total(pdf, _("Total incl. VAT"), money(net + tax, currency), bold=True)


def _total(pdf: FPDF, label: str, amount: str, *, bold: bool = False) -> None:
    pdf.set_font("Helvetica", style="B" if bold else "", size=9)
    pdf.cell(sum(_WIDTHS[:-2]), 5, _latin1(label), align="R")
    pdf.cell(_WIDTHS[-2], 5, _latin1(amount), align="R", new_x="LMARGIN", new_y="NEXT")


def _text(pdf: FPDF, text: str, *, height: float = 4.5) -> None:
    pdf.multi_cell(0, height, _latin1(text), new_x="LMARGIN", new_y="NEXT")


def _date(moment: datetime) -> str:
    return moment.date().isoformat()


def _latin1(text: str) -> str:
    """What the core fonts can show."""
    for character, replacement in _REPLACEMENTS.items():
        text = text.replace(character, replacement)
    return text.encode("latin-1", "replace").decode("latin-1")
