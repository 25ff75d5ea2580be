"""`gateway orders ...`: list a customer's orders; staff decisions on received cXML orders."""

from __future__ import annotations

import json
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli._common import database, usage_errors
from gateway.db import utcnow
from gateway.models import DeploymentMode
from gateway.punchout.settings import punchout_settings
from gateway.services.ordering import documents
from gateway.services.ordering.queries import list_orders


@click.group("orders")
def orders_group() -> None:
    """Customers' orders (shop, cXML and OCI)."""


@orders_group.command("list")
@click.option("--customer", required=True, help="Customer number.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array for scripts.")
@with_appcontext
def orders_list_command(customer: str, as_json: bool) -> None:
    """List a customer's orders: id, buyer PO number, source, status and total."""

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
                "total": str(order.total),
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
            f"{order.source:<5} {order.status:<16} {order.total} {order.currency}"
            + (" [test]" if order.deployment_mode == DeploymentMode.TEST else "")
        )


@orders_group.command("accept")
@click.argument("order_id", type=int)
@with_appcontext
def orders_accept_command(order_id: int) -> None:
    """Accept a received cXML order; queues the confirmation."""

    _staff_action(documents.accept, order_id=order_id)


@orders_group.command("reject")
@click.argument("order_id", type=int)
@click.option("--reason", required=True, help="Told to the buyer.")
@with_appcontext
def orders_reject_command(order_id: int, reason: str) -> None:
    """Reject a received cXML order; queues the confirmation."""

    _staff_action(documents.reject, order_id=order_id, reason=reason)


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
