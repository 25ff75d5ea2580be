"""`gateway init`, `gateway seed-demo` and `gateway demo`: prepare a database and run a demo."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from xml.sax.saxutils import escape

import click
from flask import current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from gateway.cli._common import database
from gateway.migrate import upgrade
from gateway.services.demo import DEMO_PASSWORD, seed_demo
from gateway.services.partners.simulator import RECEIVE_PATH
from gateway.services.people.users import sync_default_roles

DEMO_FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "fixtures/cxml/valid/punchout_setup_request/create_full.xml"
)
#: where the fixture returns its cart: the simulator of a demo on the default port
FIXTURE_RETURN_URL = "http://127.0.0.1:5000" + RECEIVE_PATH


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema and the built-in roles (never drops data)."""
    _init()
    click.echo("Database is up to date.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo catalog, customers, users and partner (idempotent); print the logins."""
    _init()
    _seed()


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def demo_command(host: str, port: int) -> None:
    """init + seed-demo, then serve the shop and print a curl command that starts a punchout."""
    _init()
    _seed()
    current_app.config["GATEWAY_SIMULATOR"] = True  # the fixture returns its cart to it
    base_url = _demo_base_url(host, port)
    current_app.config["GATEWAY_BASE_URL"] = base_url
    request = _demo_setup_request(base_url)
    shown = request.relative_to(Path.cwd()) if request.is_relative_to(Path.cwd()) else request
    click.echo("\nStart a punchout as the demo buyer (then open the StartPage URL it prints):\n")
    click.echo(
        "  curl -s -H 'Content-Type: text/xml' --data-binary "
        f"@{shlex.quote(str(shown))} {base_url}/cxml\n"
    )
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


def _demo_base_url(host: str, port: int) -> str:
    """GATEWAY_BASE_URL when the operator set it, else the address the demo listens on (so
    StartPage URLs and the simulator's return URL follow `--port`)."""
    if "GATEWAY_BASE_URL" in os.environ:
        return str(current_app.config["GATEWAY_BASE_URL"])
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104 - a comparison
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _demo_setup_request(base_url: str) -> Path:
    """The fixture the printed curl command posts; on another address, a copy in the instance
    folder whose BrowserFormPost URL is this demo's simulator."""
    return_url = f"{base_url}{RECEIVE_PATH}"
    if return_url == FIXTURE_RETURN_URL:
        return DEMO_FIXTURE
    copy = Path(current_app.instance_path) / "demo-punchout-setup-request.xml"
    copy.parent.mkdir(parents=True, exist_ok=True)
    text = DEMO_FIXTURE.read_text(encoding="utf-8")
    copy.write_text(text.replace(FIXTURE_RETURN_URL, escape(return_url)), encoding="utf-8")
    return copy


def _init() -> None:
    upgrade(database().engine)
    with database().session_scope() as session:
        sync_default_roles(session)


def _seed() -> None:
    with database().session_scope() as session:
        summary = seed_demo(session, digest_key=current_app.config["GATEWAY_DIGEST_KEY"])
    click.echo(f"Demo data: {summary.products} products, customers {', '.join(summary.customers)}.")
    click.echo(f"Shop logins (password {DEMO_PASSWORD!r}):")
    for email in summary.users:
        click.echo(f"  {email}")
    click.echo(
        "cXML partner demo-cxml: identity NetworkID:AN01000000001, shared secret 'demo-secret', "
        "return URLs under http://127.0.0.1 and http://localhost"
    )
    click.echo(
        "OCI partner demo-oci: USERNAME 'demo-oci', PASSWORD 'demo', "
        "HOOK_URLs under http://127.0.0.1 and http://localhost; see fixtures/oci/"
    )
    click.echo(
        "Administration: log in as admin@supplier.demo for /admin/partners, /admin/messages "
        "and the buyer simulator at /tools/simulator (when GATEWAY_SIMULATOR is on)"
    )
