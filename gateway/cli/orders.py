"""`gateway orders ...`: list a customer's orders; staff decisions on received cXML orders,
and on orders held for their problems (`release`, `reject --staff`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli._common import database, usage_errors
from gateway.db import utcnow
from gateway.errors import NotFound, PermissionDenied
from gateway.models import DeploymentMode, Order, Organisation
from gateway.punchout.settings import punchout_settings, supplier_party
from gateway.services.ordering import documents, holds
from gateway.services.ordering.price_check import problems_of
from gateway.services.ordering.queries import find_order, list_orders
from gateway.services.people.staff import staff_actor

ORDER_HELP = "The order's id or number."
STAFF_HELP = "E-mail address of the staff member who decides (needs staff:order:decide)."


@click.group("orders")
def orders_group() -> None:
    """Customers' orders (shop, cXML and OCI)."""


@orders_group.command("list")
@click.option("--customer", required=True, help="Customer number.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array for scripts.")
@with_appcontext
def orders_list_command(customer: str, as_json: bool) -> None:
    """List a customer's orders: id, buyer PO number, source, status and total excl. VAT."""
    with usage_errors(), database().session_scope() as session:
        orders = list_orders(session, customer_number=customer)
    if as_json:
        rows = [
            {
                "id": order.id,
                "number": order.number,
                "buyer_po_number": order.buyer_reference,
                "source": order.source,
                "status": order.status,
                "problems": [problem.as_json() for problem in order.problems],
                "total": str(order.total),
                "total_incl_vat": str(order.total_incl_vat),
                "currency": order.currency,
                "placed_at": order.placed_at.isoformat(),
                "deployment_mode": order.deployment_mode,
            }
            for order in orders
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for order in orders:
        click.echo(
            f"{order.id:>6}  {order.number:<18} {order.buyer_reference or '-':<20} "
            f"{order.source:<5} {order.status:<16} {order.total} {order.currency} excl. VAT"
            + (" [test]" if order.deployment_mode == DeploymentMode.TEST else "")
            + (f"  ({len(order.problems)} problem(s))" if order.problems else "")
        )


@orders_group.command("show")
@click.argument("order")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object for scripts.")
@with_appcontext
def orders_show_command(order: str, as_json: bool) -> None:
    """Show one order: status, lines, the problems found on receipt, and its history."""

    with usage_errors(), database().session_scope() as session:
        found = find_order(session, order)
        details = _details(found, customer=session.get_one(Organisation, found.organisation_id))
        details["problems"] = [
            p.as_json() for p in problems_of(session, [found.id]).get(found.id, [])
        ]
    if as_json:
        click.echo(json.dumps(details, indent=2))
        return
    click.echo(
        f"Order {details['number']} (id {details['id']}) of customer {details['customer']}: "
        f"{details['status']}, {details['net_total']} {details['currency']} excl. VAT, "
        f"buyer PO {details['buyer_po_number'] or '-'}"
    )
    for line in details["lines"]:
        click.echo(
            f"  {line['line_number']:>4}  {line['sku']:<20} {line['quantity']} {line['unit']} "
            f"x {line['unit_price']} = {line['net_amount']}"
        )
    for problem in details["problems"]:
        click.echo(f"  problem: {problem['reason']}")
    for change in details["history"]:
        click.echo(f"  {change['changed_at']}  {change['status']}  {change['note']}")


def _details(order: Order, *, customer: Organisation) -> dict[str, Any]:
    return {
        "id": order.id,
        "number": order.number,
        "customer": customer.number,
        "buyer_po_number": order.buyer_reference,
        "source": order.source,
        "status": order.status,
        "currency": order.currency,
        "net_total": str(order.net_total),
        "placed_at": order.placed_at.isoformat(),
        "lines": [
            {
                "line_number": line.line_number,
                "sku": line.sku,
                "known_product": line.product_id is not None,
                "quantity": str(line.quantity),
                "unit": line.unit,
                "unit_price": str(line.unit_price),
                "net_amount": str(line.net_amount),
            }
            for line in order.lines
        ],
        "history": [
            {
                "status": change.status,
                "changed_at": change.changed_at.isoformat(),
                "note": change.note,
            }
            for change in order.history
        ],
    }


@orders_group.command("release")
@click.argument("order")
@click.option("--staff", required=True, help=STAFF_HELP)
@with_appcontext
def orders_release_command(order: str, staff: str) -> None:
    """Release an order on hold: its problems are accepted and it becomes a received order,
    to accept or confirm as usual."""

    with usage_errors(), _refusals(), database().session_scope() as session:
        released = holds.release(
            session, actor=staff_actor(session, email=staff), reference=order, now=utcnow()
        )
        click.echo(f"Order {released.number} is now {released.status}.")


@orders_group.command("accept")
@click.argument("order_id", type=int)
@with_appcontext
def orders_accept_command(order_id: int) -> None:
    """Accept a received cXML order; queues the confirmation."""

    _staff_action(documents.accept, order_id=order_id)


@orders_group.command("reject")
@click.argument("order")
@click.option("--reason", required=True, help="Told to the buyer.")
@click.option("--staff", help=f"{STAFF_HELP} Required for an order on hold.")
@with_appcontext
def orders_reject_command(order: str, reason: str, staff: str | None) -> None:
    """Reject a received cXML order, or one on hold (with --staff); queues the confirmation."""

    with usage_errors(), _refusals(), database().session_scope() as session:
        settings, now = punchout_settings(current_app.config), utcnow()
        if staff is None:
            rejected = documents.reject(
                session,
                actor=None,
                order_id=find_order(session, order).id,
                reason=reason,
                settings=settings,
                now=now,
            )
        else:
            rejected = holds.reject(
                session,
                actor=staff_actor(session, email=staff),
                reference=order,
                reason=reason,
                settings=settings,
                now=now,
            )
        click.echo(f"Order {rejected.number} is now {rejected.status}; documents queued.")


@contextmanager
def _refusals() -> Iterator[None]:
    """A decision the policy refuses ends the command with the reason (exit status 1)."""
    try:
        yield
    except (PermissionDenied, NotFound) as exc:
        raise click.ClickException(f"Refused: {exc}") from exc


@orders_group.command("ship")
@click.argument("order_id", type=int)
@click.option("--shipment-id", required=True)
@click.option("--carrier", help="Carrier name.")
@click.option("--tracking", help="Tracking number.")
@with_appcontext
def orders_ship_command(
    order_id: int, shipment_id: str, carrier: str | None, tracking: str | None
) -> None:
    """Record the shipment of a cXML order; queues the ship notice."""

    _staff_action(
        documents.ship,
        order_id=order_id,
        shipment_id=shipment_id,
        carrier=carrier,
        tracking_number=tracking,
    )


@orders_group.command("invoice")
@click.argument("order_id", type=int)
@with_appcontext
def orders_invoice_command(order_id: int) -> None:
    """Invoice what was shipped of an order and not yet invoiced; a cXML order's buyer gets
    the InvoiceDetailRequest."""

    with usage_errors(), database().session_scope() as session:
        config = current_app.config
        invoice = documents.invoice(
            session,
            actor=None,
            order_id=order_id,
            supplier=supplier_party(config),
            settings=punchout_settings(config),
            now=utcnow(),
            vat_rates=config["GATEWAY_VAT_RATES"],
        )
        total = invoice.net_total + invoice.tax_total
        click.echo(f"Invoice {invoice.number} over {total} {invoice.currency}; documents queued.")


def _staff_action(action: Any, **arguments: Any) -> None:

    with usage_errors(), database().session_scope() as session:
        order = action(
            session,
            actor=None,
            settings=punchout_settings(current_app.config),
            now=utcnow(),
            **arguments,
        )
        click.echo(f"Order {order.number} is now {order.status}; documents queued.")
