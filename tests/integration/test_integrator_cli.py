"""`gateway cxml validate|send`, `gateway oci url` and `gateway messages purge`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from werkzeug.serving import make_server

from gateway import create_app
from gateway.cli import main
from gateway.db import utcnow
from gateway.models import MessageLogEntry
from gateway.services import message_log
from tests.paths import FIXTURES, dtd_setting, official_dtd_dir

VALID_SETUP = FIXTURES / "cxml/valid/punchout_setup_request/create_full.xml"
VALID_CART = FIXTURES / "cxml/expected/punchout_order_message_cart.xml"

BROKEN_CART = """\
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">
<cXML payloadID="1@x.example" timestamp="2024-05-01T10:15:00" xml:lang="en-US">
  <Header>
    <From><Credential domain="DUNS"><Identity>1</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>2</Identity></Credential></To>
    <Sender><Credential domain="DUNS"><Identity>1</Identity></Credential>
      <UserAgent>t</UserAgent></Sender>
  </Header>
  <Message>
    <PunchOutOrderMessage>
      <BuyerCookie>c</BuyerCookie>
      <PunchOutOrderMessageHeader operationAllowed="edit">
        <Total><Money currency="EUR">10.00</Money></Total>
      </PunchOutOrderMessageHeader>
      <ItemIn quantity="3">
        <ItemID><SupplierPartID>P-1</SupplierPartID></ItemID>
        <ItemDetail>
          <UnitPrice><Money currency="EUR">2.50</Money></UnitPrice>
          <Description xml:lang="en">Pen</Description>
          <UnitOfMeasure>EA</UnitOfMeasure>
        </ItemDetail>
      </ItemIn>
    </PunchOutOrderMessage>
  </Message>
</cXML>
"""


@pytest.fixture
def cli_app(tmp_path: Path) -> Flask:
    return create_app(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
            "GATEWAY_SECRET_KEY": "cli-secret",
            "GATEWAY_CXML_DTD_DIR": dtd_setting(),
            "GATEWAY_BASE_URL": "http://127.0.0.1:5000",
        }
    )


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, list(args))


def test_validate_accepts_valid_documents(cli_app: Flask) -> None:
    result = run(cli_app, "cxml", "validate", str(VALID_SETUP), str(VALID_CART))
    assert result.exit_code == 0, result.output
    assert f"{VALID_SETUP}: valid" in result.output
    assert f"{VALID_CART}: valid" in result.output


def test_validate_reports_every_problem_with_its_line(cli_app: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(BROKEN_CART)
    result = run(cli_app, "cxml", "validate", str(VALID_SETUP), str(broken))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    # timestamp without offset (our XSD), on the root element's line
    assert any(line.startswith(f"{broken}:3: [schema] /cXML/@timestamp") for line in lines)
    # Total 10.00 but 3 * 2.50 = 7.50, reported on the Total's Money line
    assert f"{broken}:14: [rule] PunchOutOrderMessageHeader/Total is 10.00 but" in result.output
    assert "add up to 7.50" in result.output
    # no Classification: our XSD (and the DTD, where installed) names the ItemDetail line
    assert any(
        line.startswith(f"{broken}:18: [schema]") and "Classification" in line for line in lines
    )
    if official_dtd_dir() is not None:
        assert any(
            line.startswith(f"{broken}:18: [dtd]") and "Classification+" in line for line in lines
        )
    assert "1 of 2 documents have problems" in result.output


def test_validate_reports_the_line_of_malformed_xml(cli_app: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "unclosed.xml"
    broken.write_text('<?xml version="1.0"?>\n<cXML>\n  <Header>\n</cXML>\n')
    result = run(cli_app, "cxml", "validate", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:4: [xml] not well-formed XML (mismatched tag at line 4" in result.output


def test_validate_refuses_hostile_documents_without_fetching(
    cli_app: Flask, tmp_path: Path
) -> None:
    hostile = FIXTURES / "cxml/invalid/punchout_setup_request/xxe_file.xml"
    result = run(cli_app, "cxml", "validate", str(hostile))
    assert result.exit_code == 1
    assert "[xml]" in result.output
    assert "root:" not in result.output  # /etc/passwd was not read


def test_validate_works_without_a_dtd_folder(tmp_path: Path) -> None:
    app = create_app(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
            "GATEWAY_SECRET_KEY": "cli-secret",
            "GATEWAY_CXML_DTD_DIR": "",
        }
    )
    no_cookie = tmp_path / "no-cookie.xml"
    minimal = FIXTURES / "cxml/valid/punchout_setup_request/create_minimal.xml"
    no_cookie.write_bytes(
        minimal.read_bytes().replace(b"<BuyerCookie>cookie-create-minimal</BuyerCookie>", b"")
    )
    result = run(app, "cxml", "validate", str(VALID_SETUP), str(no_cookie))
    assert result.exit_code == 1, result.output
    assert f"{VALID_SETUP}: valid" in result.output
    assert (
        f"{no_cookie}:26: [schema] /cXML/Request/PunchOutSetupRequest/BrowserFormPost: This "
        "element is not expected. Expected is ( BuyerCookie )."
    ) in result.output.splitlines()
    assert "checking against our own schemas only" in result.output
    assert "[dtd]" not in result.output
    assert "1 of 2 documents have problems" in result.output


@pytest.fixture
def live_gateway(tmp_path: Path) -> Iterator[str]:
    """A real gateway with demo data on a loopback port."""
    app = create_app(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
            "GATEWAY_SECRET_KEY": "live-secret",
            "GATEWAY_CXML_DTD_DIR": dtd_setting(),
        }
    )
    assert run(app, "seed-demo").exit_code == 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["gateway.db"].engine.dispose()


def test_send_posts_and_pretty_prints_the_answer(cli_app: Flask, live_gateway: str) -> None:
    result = run(cli_app, "cxml", "send", str(VALID_SETUP), "--url", f"{live_gateway}/cxml")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("HTTP 200 OK\n")
    assert "\n  <Response>\n" in result.output  # re-indented
    assert "<URL>http://127.0.0.1:5000/punchout/start/" in result.output
    assert "cXML Status 200 OK" in result.output


def test_send_fails_on_a_refusal(cli_app: Flask, live_gateway: str, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong-secret.xml"
    wrong.write_bytes(VALID_SETUP.read_bytes().replace(b"demo-secret", b"not-the-secret"))
    result = run(cli_app, "cxml", "send", str(wrong), "--url", f"{live_gateway}/cxml")
    assert result.exit_code == 1
    assert "cXML Status 401" in result.output
    assert "not a success (Status 401)" in result.output


def test_send_reports_an_unreachable_server(cli_app: Flask) -> None:
    result = run(cli_app, "cxml", "send", str(VALID_SETUP), "--url", "http://127.0.0.1:9/cxml")
    assert result.exit_code == 1
    assert "could not post to http://127.0.0.1:9/cxml: ConnectionError" in result.output


def test_send_refuses_a_non_http_url(cli_app: Flask) -> None:
    result = run(cli_app, "cxml", "send", str(VALID_SETUP), "--url", "file:///etc/passwd")
    assert result.exit_code == 2
    assert "--url must be an http(s) URL" in result.output


def test_oci_url_prints_a_working_login_url(cli_app: Flask) -> None:
    assert run(cli_app, "seed-demo").exit_code == 0
    result = run(cli_app, "oci", "url", "--partner", "demo-oci", "--password", "demo")
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith("http://127.0.0.1:5000/oci?USERNAME=demo-oci&PASSWORD=demo")
    assert "HOOK_URL=http%3A%2F%2F127.0.0.1%3A5000%2Ftools%2Fsimulator%2Freceive" in url
    parts = urlsplit(url)
    answer = cli_app.test_client().get(f"{parts.path}?{parts.query}")
    assert answer.status_code == 302
    assert "/punchout/start/" in answer.headers["Location"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--partner", "nobody"), "No partner named 'nobody'"),
        (("--partner", "demo-cxml"), "is not an OCI partner"),
        (
            ("--partner", "demo-oci", "--hook-url", "https://evil.example/"),
            "is not under the partner's allowed prefixes",
        ),
    ],
)
def test_oci_url_refuses_bad_arguments(cli_app: Flask, args: tuple[str, ...], message: str) -> None:
    assert run(cli_app, "seed-demo").exit_code == 0
    result = run(cli_app, "oci", "url", *args, "--password", "demo")
    assert result.exit_code == 2
    assert message in result.output


def test_messages_purge_keeps_recent_documents(cli_app: Flask) -> None:
    assert run(cli_app, "init").exit_code == 0
    database = cli_app.extensions["gateway.db"]
    with database.session_scope() as session:
        old = message_log.record(session, direction="in", document_type="old", body=b"<a/>")
        old.created_at = utcnow() - timedelta(days=100)
        message_log.record(session, direction="in", document_type="new", body=b"<b/>")
    result = run(cli_app, "messages", "purge")
    assert result.exit_code == 0, result.output
    assert "Deleted 1 logged documents older than 90 days." in result.output
    with database.session_scope() as session:
        kinds = session.scalars(select(MessageLogEntry.document_type)).all()
        assert kinds == ["new"]
    result = run(cli_app, "messages", "purge", "--days", "0")
    assert result.exit_code == 2
    with database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(MessageLogEntry)) == 1
