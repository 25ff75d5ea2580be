"""`gateway partner add-oci` and the demo OCI partner, on a SQLite file of their own."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.security import check_password_hash

from gateway.models import TradingPartner
from tests.integration.test_cli import cli_app, count, run

__all__ = ["cli_app"]  # the fixture, re-used


def test_partner_add_oci_registers_the_partner(cli_app: Flask) -> None:
    run(cli_app, "seed-demo")
    result = run(
        cli_app,
        "partner", "add-oci",
        "--name", "srm-prod",
        "--customer", "1002",
        "--username", "SRM_CATALOG",
        "--password", "s3cret-pass",
        "--allow-url", "https://srm.buyer.example/sap/bc",
        "--allow-url", "https://s4.buyer.example/",
        "--version", "5.0",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "srm-prod" in result.output
    with cli_app.extensions["gateway.db"].session_scope() as session:
        query = select(TradingPartner).where(TradingPartner.name == "srm-prod")
        partner = session.scalars(query).one()
        assert partner.protocol == "oci"
        assert partner.organisation.number == "1002"
        assert partner.login_name == "SRM_CATALOG"
        assert partner.password_hash is not None
        assert "s3cret-pass" not in partner.password_hash
        assert check_password_hash(partner.password_hash, "s3cret-pass")
        assert partner.settings["version"] == "5.0"
        assert partner.allowed_url_prefixes == [
            "https://srm.buyer.example/sap/bc",
            "https://s4.buyer.example/",
        ]


def test_the_demo_oci_partner_is_seeded(cli_app: Flask) -> None:
    result = run(cli_app, "seed-demo")
    assert "demo-oci" in result.output
    with cli_app.extensions["gateway.db"].session_scope() as session:
        query = select(TradingPartner).where(TradingPartner.name == "demo-oci")
        partner = session.scalars(query).one()
        assert partner.organisation.number == "1001"
        assert partner.login_name == "demo-oci"
        assert partner.password_hash is not None
        assert check_password_hash(partner.password_hash, "demo")
        assert partner.allowed_url_prefixes == ["http://127.0.0.1", "http://localhost"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--customer": "9999"}, "No customer numbered"),
        ({"--username": " "}, "--username must be"),
        ({"--username": "demo-oci"}, "belongs to another partner"),
        ({"--password": "abc"}, "at least 4"),
        ({"--allow-url": "javascript:alert(1)"}, "not an absolute http(s) URL"),
        ({"--version": "3.0"}, "'3.0' is not one of"),
        ({"--name": "demo-oci"}, "exists already"),
        ({"--name": ""}, "must not be empty"),
    ],
)
def test_partner_add_oci_refuses_bad_arguments(
    cli_app: Flask, change: dict[str, str], message: str
) -> None:
    run(cli_app, "seed-demo")
    options = {
        "--name": "srm",
        "--customer": "1001",
        "--username": "srm-user",
        "--password": "long-enough",
        "--allow-url": "https://srm.example/",
        **change,
    }
    before = count(cli_app, TradingPartner)
    result = run(
        cli_app, "partner", "add-oci", *[part for pair in options.items() for part in pair]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert count(cli_app, TradingPartner) == before


def test_partner_add_oci_needs_its_options(cli_app: Flask) -> None:
    result = run(cli_app, "partner", "add-oci", "--name", "x")
    assert result.exit_code != 0
    assert "Missing option" in result.output


def test_partner_add_oci_takes_profile_settings(cli_app: Flask) -> None:
    run(cli_app, "seed-demo")
    settings = (
        '{"hook_url_field": "MM_HOOK_URL", "charset": "ISO-8859-1", "unit_map": {"EA": "ST"}}'
    )
    result = run(
        cli_app,
        "partner", "add-oci",
        "--name", "srm", "--customer", "1001", "--username", "srm", "--password", "long-enough",
        "--allow-url", "https://srm.example/", "--settings", settings,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with cli_app.extensions["gateway.db"].session_scope() as session:
        partner = session.scalars(select(TradingPartner).where(TradingPartner.name == "srm")).one()
        assert partner.settings["hook_url_field"] == "MM_HOOK_URL"
        assert partner.settings["unit_map"] == {"EA": "ST"}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("[1]", "must be a JSON object"),
        ("{not json", "must be a JSON object"),
        ('{"colour": "red"}', "Unknown OCI settings: colour"),
        ('{"matgroup": "gtin"}', "matgroup must be one of"),
        ('{"charset": "utf-7"}', "http_content_charset"),
        ('{"extra_fields": {"bad name": "x"}}', "upper-case NEW_ITEM field name"),
        ('{"cust_fields": {"6": {"constant": "x"}}}', "cust_fields keys are 1 to 5"),
        ('{"username_field": ""}', "must not be empty"),
    ],
)
def test_partner_add_oci_refuses_bad_settings(cli_app: Flask, settings: str, message: str) -> None:
    run(cli_app, "seed-demo")
    before = count(cli_app, TradingPartner)
    result = run(
        cli_app,
        "partner", "add-oci",
        "--name", "srm", "--customer", "1001", "--username", "srm", "--password", "long-enough",
        "--allow-url", "https://srm.example/", "--settings", settings,
    )  # fmt: skip
    assert result.exit_code != 0
    assert message in result.output
    assert count(cli_app, TradingPartner) == before


@pytest.mark.parametrize("role", ["admin", "customer_service", "sales_agent"])
def test_partner_add_oci_refuses_a_staff_default_role(cli_app: Flask, role: str) -> None:
    run(cli_app, "seed-demo")
    before = count(cli_app, TradingPartner)
    arguments = (
        "partner", "add-oci", "--name", "srm", "--customer", "1001", "--username", "SRM",
        "--password", "s3cret-pass", "--allow-url", "https://srm.buyer.example/",
    )  # fmt: skip
    refused = run(cli_app, *arguments, "--default-role", role)
    assert refused.exit_code != 0
    assert f"Role {role!r} is a staff role; a partner's punchout users get a customer role" in (
        refused.output
    )
    assert count(cli_app, TradingPartner) == before
    accepted = run(cli_app, *arguments, "--default-role", "viewer")
    assert accepted.exit_code == 0, accepted.output
    with cli_app.extensions["gateway.db"].session_scope() as session:
        partner = session.scalars(select(TradingPartner).where(TradingPartner.name == "srm")).one()
        assert partner.default_role == "viewer"
