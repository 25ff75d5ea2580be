"""The `gateway` command: a Flask CLI group around the app factory, one module per group.

Commands call services inside one unit of work (commit on success, roll back on error) and
never touch the ORM themselves.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from gateway import create_app
from gateway.cli import (
    api,
    approvals,
    catalog,
    cxml,
    guests,
    instance,
    messages,
    oci,
    orders,
    outbox,
    partners,
)


def _app() -> Flask:
    return create_app()


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=True)
def main() -> None:
    """punchout-gateway: cXML and SAP OCI punchout with a B2B shop."""


for command in (
    instance.init_command,
    instance.seed_demo_command,
    instance.demo_command,
    partners.partner_group,
    orders.orders_group,
    outbox.worker_command,
    outbox.outbox_group,
    cxml.cxml_group,
    oci.oci_group,
    messages.messages_group,
    catalog.catalog_group,
    guests.guests_group,
    approvals.approvals_group,
    api.api_group,
):
    main.add_command(command)
