"""Real buyers' documents, written by others, replayed through `POST /cxml`.

The corpus (`tests.paths.interop_corpus_dir`) is read, never copied into the project. Each
document the gateway receives is replayed as an integrator would set it up: a partner for the
document's From identities (with a SharedSecret of ours written into the Sender), products for
its part numbers at its prices, a customer ordering in its currency, an allowed return URL, and
a fresh payloadID and timestamp (in the document's own zone style). Everything else, quirks
included, is sent as found. Every document is either accepted or refused with a Status naming
the rule it breaks; `EXPECTED` records which, so a change of behaviour fails here.

Where the corpus is absent (a fresh clone), these tests are skipped with the reason, and the
terminal summary says once that the replay ran without it (`tests/conftest.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.cxml import parse_xml
from gateway.models import BuyerOrder, Order, OrderStatus, Organisation, TradingPartner
from gateway.services.ordering.price_check import problems_of
from tests import buyer
from tests.factories import make_cxml_partner, make_product
from tests.paths import INTEROP_WITHOUT_CORPUS, interop_corpus_dir

CORPUS = interop_corpus_dir()
RECEIVED = ("PunchOutSetupRequest", "OrderRequest", "ProfileRequest")  # what POST /cxml takes
SECRET = "interop-replay-secret"
RETURN_URL = "http://127.0.0.1:5000/tools/simulator/receive"

ACCEPTED = (200, "OK")
NO_RETURN_URL = (400, "Bad Request: BrowserFormPost URL missing")
SETUP = "cxml/PunchOutSetupRequest/"
#: corpus file -> the Status answered to its replay: (code, the whole text).
EXPECTED: dict[str, tuple[int, str]] = {
    # Its Total is not the sum of its lines: received, and held for staff under the default
    # order price policy (`test_a_corpus_order_whose_total_does_not_add_up_is_held`).
    "cxml/OrderRequest/ubala__aribaweb__PO1.xml": ACCEPTED,
    "cxml/OrderRequest/ubala__aribaweb__PO2.xml": (
        400,
        "Bad Request: ItemOut lineNumber 5: lineNumber used twice",
    ),
    "cxml/OrderRequest/ubala__aribaweb__PO3.xml": (
        406,
        "Not Acceptable: /cXML/Request/OrderRequest/OrderRequestHeader/@orderDate: is not a date "
        "that exists (months run from 1 to 12, days to the end of their month)",
    ),
    # Synthetic test inputs without a BrowserFormPost: the cart would have nowhere to go.
    f"{SETUP}andreaskviby__wix-plugin-punchout__ariba-setup-request.xml": NO_RETURN_URL,
    f"{SETUP}andreaskviby__wix-plugin-punchout__coupa-setup-request.xml": NO_RETURN_URL,
}


pytestmark = pytest.mark.skipif(CORPUS is None, reason=INTEROP_WITHOUT_CORPUS)


def received_documents(corpus: Path) -> list[str]:
    """The corpus files of every document type the gateway receives."""
    return sorted(
        str(path.relative_to(corpus))
        for kind in RECEIVED
        for path in (corpus / "cxml" / kind).glob("*.xml")
    )


@dataclass(frozen=True, slots=True)
class Replay:
    """What an integrator sets up for one document, and the document as it is then sent."""

    partner: TradingPartner
    body: bytes


def prepare(session: Session, original: bytes) -> Replay:
    """Configure a partner and products for `original`; return them and the rewritten body."""
    root = parse_xml(original)
    total = root.find("Request/OrderRequest/OrderRequestHeader/Total/Money")
    customer = Organisation(  # a customer ordering in the document's currency
        number=f"INTEROP-{uuid4().hex[:8]}",
        name="Interop corpus buyer",
        currency=total.get("currency", "EUR") if total is not None else "EUR",
    )
    session.add(customer)
    session.flush()
    partner = make_cxml_partner(
        session,
        customer_number=customer.number,
        identities=tuple(
            f"{credential.get('domain')}:{_text(credential, 'Identity')}"
            for credential in root.iterfind("Header/From/Credential")
        ),
        shared_secret=SECRET,
        allowed_urls=(RETURN_URL,),
    )
    _add_products(session, root)
    session.commit()
    return Replay(partner=partner, body=_rewritten(original))


def _text(element: etree._Element, path: str) -> str:
    return (element.findtext(path) or "").strip()


def _add_products(session: Session, root: etree._Element) -> None:
    """A product for each part number, at the document's unit price, currency and unit."""
    seen: set[str] = set()
    for item in root.iter("ItemOut", "ItemIn"):
        sku = _text(item, "ItemID/SupplierPartID")
        if sku in seen:
            continue
        seen.add(sku)
        money = item.find("ItemDetail/UnitPrice/Money")
        make_product(
            session,
            sku=sku,
            name=_text(item, "ItemDetail/Description") or sku,
            unit=_text(item, "ItemDetail/UnitOfMeasure") or "EA",
            list_price=Decimal((money.text or "0").strip()) if money is not None else Decimal(1),
            currency=money.get("currency", "EUR") if money is not None else "EUR",
        )


def _rewritten(original: bytes) -> bytes:
    """A fresh payloadID and timestamp, our SharedSecret, our return URL; nothing else."""
    body = re.sub(
        rb'payloadID="[^"]*"', f'payloadID="{uuid4()}@interop.test"'.encode(), original, count=1
    )
    body = re.sub(rb'timestamp="([^"]*)"', _now_like, body, count=1)
    body = re.sub(
        rb"(<Sender>.*?<SharedSecret>).*?(</SharedSecret>)",
        rb"\g<1>" + SECRET.encode() + rb"\g<2>",
        body,
        count=1,
        flags=re.DOTALL,
    )
    return re.sub(
        rb"(<BrowserFormPost>\s*<URL>).*?(</URL>)",
        rb"\g<1>" + RETURN_URL.encode() + rb"\g<2>",
        body,
        count=1,
        flags=re.DOTALL,
    )


def _now_like(match: re.Match[bytes]) -> bytes:
    """Now, written in the zone style of the document's timestamp (Z, an offset, or none)."""
    written = match[1].decode()
    now = datetime.now(UTC).replace(microsecond=0)
    if written.endswith("Z"):
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    elif re.search(r"[+-]\d{2}:\d{2}$", written):
        stamp = now.astimezone(datetime.fromisoformat(written).tzinfo).isoformat()
    else:
        stamp = now.replace(tzinfo=None).isoformat()
    return f'timestamp="{stamp}"'.encode()


def test_every_received_corpus_document_has_a_recorded_outcome() -> None:
    assert CORPUS is not None
    assert received_documents(CORPUS) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_corpus_document_is_answered_as_recorded(
    client: FlaskClient, db_session: Session, name: str
) -> None:
    assert CORPUS is not None
    replay = prepare(db_session, (CORPUS / name).read_bytes())
    response = client.post("/cxml", data=replay.body, content_type="text/xml")
    assert response.status_code == 200
    status = buyer.status_of(response.data)
    assert status == EXPECTED[name]
    if status != ACCEPTED:
        return
    if name.startswith(SETUP):
        opens_a_shop_session(client, response.data)
    else:
        orders = select(BuyerOrder).where(BuyerOrder.partner_id == replay.partner.id)
        assert len(db_session.scalars(orders).all()) == 1


def test_a_corpus_order_whose_total_does_not_add_up_is_held(
    client: FlaskClient, db_session: Session
) -> None:
    """Lenient in, never booked as sent: the order is kept (the buyer's document arrived) and
    waits for staff, its problem naming the sum of the lines."""
    assert CORPUS is not None
    replay = prepare(
        db_session, (CORPUS / "cxml/OrderRequest/ubala__aribaweb__PO1.xml").read_bytes()
    )
    response = client.post("/cxml", data=replay.body, content_type="text/xml")
    assert buyer.status_of(response.data) == ACCEPTED
    order = db_session.scalars(
        select(Order).join(BuyerOrder).where(BuyerOrder.partner_id == replay.partner.id)
    ).one()
    assert order.status == OrderStatus.ON_HOLD
    assert [problem.reason() for problem in problems_of(db_session, [order.id])[order.id]] == [
        "OrderRequestHeader/Total: does not equal the sum of the lines (24786.00)"
    ]


@pytest.mark.parametrize(
    "name", sorted(n for n, status in EXPECTED.items() if status == NO_RETURN_URL)
)
def test_a_corpus_setup_request_given_a_return_url_opens_a_punchout(
    client: FlaskClient, db_session: Session, name: str
) -> None:
    """Refused only for the missing BrowserFormPost: with one added, as the buyer's system would
    send it, every other quirk (Zulu timestamp, no UserAgent, odd domains) is accepted."""
    assert CORPUS is not None
    replay = prepare(db_session, (CORPUS / name).read_bytes())
    assert b"<BrowserFormPost>" not in replay.body
    form_post = f"<BrowserFormPost><URL>{RETURN_URL}</URL></BrowserFormPost>".encode()
    body = replay.body.replace(b"</PunchOutSetupRequest>", form_post + b"</PunchOutSetupRequest>")
    response = client.post("/cxml", data=body, content_type="text/xml")
    assert buyer.status_of(response.data) == ACCEPTED
    opens_a_shop_session(client, response.data)


def opens_a_shop_session(client: FlaskClient, answer: bytes) -> None:
    landing = client.get(buyer.start_path(answer))
    assert (landing.status_code, landing.location) == (302, "/catalog")
    assert 'action="/punchout/transfer"' in client.get("/cart").text
