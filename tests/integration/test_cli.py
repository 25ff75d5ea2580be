"""The `gateway` command line, on a SQLite file of its own (it commits)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from gateway import create_app
from gateway.cli import main
from gateway.models import (
    ApprovalTier,
    Organisation,
    PartnerIdentity,
    Product,
    TradingPartner,
    User,
)


@pytest.fixture
def cli_app(tmp_path: Path) -> Flask:
    return create_app(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
            "GATEWAY_SECRET_KEY": "cli-secret",
        }
    )


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, list(args))


def count(app: Flask, model: type) -> int:
    with app.extensions["gateway.db"].session_scope() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_init_is_repeatable(cli_app: Flask) -> None:
    assert run(cli_app, "init").exit_code == 0
    result = run(cli_app, "init")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_seed_demo_is_idempotent_and_prints_the_logins(cli_app: Flask) -> None:
    first = run(cli_app, "seed-demo")
    assert first.exit_code == 0, first.output
    counts = (count(cli_app, Product), count(cli_app, User), count(cli_app, TradingPartner))
    second = run(cli_app, "seed-demo")
    assert second.exit_code == 0, second.output
    assert (count(cli_app, Product), count(cli_app, User), count(cli_app, TradingPartner)) == counts
    assert counts[0] >= 200
    for login in ("buyer@1001.demo", "buyer@1002.demo", "multi@demo.test", "demo-secret"):
        assert login in second.output
    assert count(cli_app, ApprovalTier) == 1  # customer 1001's demo chain, made once


def test_the_demo_chain_lets_a_superuser_or_supervisor_approve(cli_app: Flask) -> None:
    run(cli_app, "seed-demo")
    with cli_app.extensions["gateway.db"].session_scope() as session:
        tier = session.scalars(select(ApprovalTier)).one()
        assert tier.name == "Leidinggevende of superuser"
        (group,) = tier.groups
        assert group.supervisors
        assert [member.role.name for member in group.members if member.role] == ["superuser"]
        assert (
            tier.organisation_id
            == session.scalars(select(Organisation.id).where(Organisation.number == "1001")).one()
        )


def test_partner_add_cxml_registers_the_partner(cli_app: Flask) -> None:
    run(cli_app, "seed-demo")
    result = run(
        cli_app,
        "partner", "add-cxml",
        "--name", "acme",
        "--customer", "1002",
        "--identity", "NetworkID:AN555",
        "--identity", "duns:987654321",
        "--shared-secret", "a-long-secret",
        "--allow-url", "https://buyer.example/return",
        "--encoding", "urlencoded",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with cli_app.extensions["gateway.db"].session_scope() as session:
        partner = session.scalars(select(TradingPartner).where(TradingPartner.name == "acme")).one()
        assert partner.cart_encoding == "urlencoded"
        assert partner.organisation.number == "1002"
        assert "a-long-secret" not in partner.secret_digest
        identities = session.scalars(
            select(PartnerIdentity.domain).where(PartnerIdentity.partner_id == partner.id)
        ).all()
        assert sorted(identities) == ["duns", "networkid"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"--customer": "9999"}, "No customer numbered"),
        ({"--identity": "no-colon"}, "DOMAIN:IDENTITY"),
        ({"--identity": "NetworkID:AN01000000001"}, "belongs to another partner"),
        ({"--shared-secret": "short"}, "at least 8"),
        ({"--allow-url": "ftp://buyer.example/"}, "not an absolute http(s) URL"),
        ({"--encoding": "gzip"}, "'gzip' is not one of"),
        ({"--name": "demo-cxml"}, "exists already"),
        ({"--default-role": "admin"}, "'admin' is a staff role"),
        ({"--default-role": "customer_service"}, "'customer_service' is a staff role"),
        ({"--default-role": "sales_agent"}, "'sales_agent' is a staff role"),
        ({"--default-role": "emperor"}, "No role named 'emperor'"),
    ],
)
def test_partner_add_cxml_refuses_bad_arguments(
    cli_app: Flask, change: dict[str, str], message: str
) -> None:
    run(cli_app, "seed-demo")
    options = {
        "--name": "acme",
        "--customer": "1001",
        "--identity": "NetworkID:AN777",
        "--shared-secret": "a-long-secret",
        "--allow-url": "https://buyer.example/",
        **change,
    }
    before = count(cli_app, TradingPartner)
    result = run(
        cli_app, "partner", "add-cxml", *[part for pair in options.items() for part in pair]
    )
    assert result.exit_code != 0
    assert message in result.output
    assert count(cli_app, TradingPartner) == before
