"""A scripted procurement system: builds setup requests and reads what the gateway returns."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit
from uuid import uuid4

from flask.testing import FlaskClient

from gateway import cxml
from gateway.cxml import Credential, Header, ItemID, ItemOut, Operation, PunchOutSetupRequest

DEMO_IDENTITY = ("NetworkID", "AN01000000001")
RETURN_URL = "http://127.0.0.1:5000/tools/simulator/receive"


def setup_request(
    *,
    operation: Operation = Operation.CREATE,
    buyer_cookie: str = "cookie-1",
    url: str = RETURN_URL,
    items: tuple[tuple[str, str | None, str], ...] = (),
    identity: tuple[str, str] = DEMO_IDENTITY,
    secret: str = "demo-secret",
    email: str | None = "jane.doe@buyer.example",
    payload_id: str | None = None,
    timestamp: datetime | None = None,
    sender: Credential | None = None,
    deployment_mode: str | None = None,
    extrinsics: tuple[cxml.Extrinsic, ...] = (),
    contacts: tuple[cxml.Contact, ...] = (),
    selected_item: str | None = None,
) -> bytes:
    """A PunchOutSetupRequest as a buyer would post it; items are (SKU, SPAID, quantity), and
    `extrinsics` come before the UserEmail one; `selected_item` makes it a level-2 punchout."""
    domain, name = identity
    request = PunchOutSetupRequest(
        operation=operation,
        buyer_cookie=buyer_cookie,
        browser_form_post_url=url,
        extrinsics=extrinsics + ((cxml.Extrinsic(name="UserEmail", value=email),) if email else ()),
        contacts=contacts,
        ship_to=None,
        selected_item=ItemID(supplier_part_id=selected_item) if selected_item else None,
        items=tuple(
            ItemOut(
                quantity=Decimal(quantity),
                item_id=ItemID(supplier_part_id=sku, supplier_part_auxiliary_id=aux),
                line_number=index,
            )
            for index, (sku, aux, quantity) in enumerate(items, start=1)
        ),
    )
    header = Header(
        from_credentials=(Credential(domain=domain, identity=name),),
        to_credentials=(Credential(domain="DUNS", identity="123456789"),),
        sender_credentials=(
            sender or Credential(domain=domain, identity=name, shared_secret=secret),
        ),
        user_agent="Test Buyer 1.0",
    )
    return cxml.build(
        request,
        header=header,
        payload_id=payload_id or f"{uuid4()}@buyer.example",
        timestamp=timestamp or datetime.now(UTC),
        deployment_mode=deployment_mode,
    )


def status_of(answer: bytes) -> tuple[int, str]:
    """The code and text of a cXML Response."""
    document = cxml.parse(answer)
    assert isinstance(document.payload, cxml.Response)
    return int(document.payload.status.code), document.payload.status.text


def start_path(answer: bytes) -> str:
    """The path of the StartPage URL in a successful setup response."""
    document = cxml.parse(answer)
    assert isinstance(document.payload, cxml.Response)
    assert document.payload.body is not None, document.payload.status.text
    path = urlsplit(document.payload.body.start_page_url).path
    assert path.startswith("/punchout/start/")
    return path


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class _FormReader(HTMLParser):
    """Reads forms the way a browser would (entities decoded once)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, object]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": values, "fields": []})
        elif tag == "input" and self.forms and values.get("name"):
            fields = self.forms[-1]["fields"]
            assert isinstance(fields, list)
            fields.append((values["name"], values.get("value") or ""))


def read_forms(html: str) -> list[dict[str, object]]:
    """Every form on a page: its attributes and its (name, value) inputs in order."""
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def order_request(
    *,
    order_id: str = "PO-1001",
    items: tuple[tuple[str, str | None, str, str], ...] = (("DEMO-0001", None, "2", "0.77"),),
    request_type: cxml.OrderRequestType = cxml.OrderRequestType.NEW,
    reference: str | None = None,
    version: int | None = None,
    total: str | None = None,
    currency: str = "EUR",
    identity: tuple[str, str] = DEMO_IDENTITY,
    secret: str = "demo-secret",
    payload_id: str | None = None,
    comments: str = "Deliver to the back door",
    unit: str = "EA",
    sender: Credential | None = None,
    deployment_mode: str | None = None,
) -> bytes:
    """An OrderRequest as a buyer would post it; items are (SKU, SPAID, quantity, unit price).

    The default line is priced as demo customer 1001 pays (its contract price for DEMO-0001).

    `total` defaults to the sum of the lines.
    """
    domain, name = identity
    lines = tuple(
        ItemOut(
            quantity=Decimal(quantity),
            item_id=ItemID(supplier_part_id=sku, supplier_part_auxiliary_id=aux),
            line_number=index,
            requested_delivery_date=date(2026, 12, 1),
            detail=cxml.ItemDetail(
                unit_price=cxml.Money(amount=Decimal(price), currency=currency),
                description=f"Article {sku}",
                unit_of_measure=unit,
                classifications=(cxml.Classification(domain="UNSPSC", code="44121701"),),
            ),
        )
        for index, (sku, aux, quantity, price) in enumerate(items, start=1)
    )
    amount = (
        Decimal(total)
        if total is not None
        else sum((Decimal(q) * Decimal(p) for _, _, q, p in items), Decimal(0))
    )
    address = cxml.Address(
        address_id="HQ",
        name="Acme Municipality",
        streets=("Main Street 1",),
        city="Amsterdam",
        postal_code="1011 AA",
        country_code="NL",
    )
    request = cxml.OrderRequest(
        order_id=order_id,
        order_date=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
        type=request_type,
        order_version=version,
        total=cxml.Money(amount=amount, currency=currency),
        ship_to=address,
        bill_to=address,
        comments=comments,
        document_reference=reference,
        extrinsics=(cxml.Extrinsic(name="CostCenter", value="4711"),),
        items=lines,
    )
    header = Header(
        from_credentials=(Credential(domain=domain, identity=name),),
        to_credentials=(Credential(domain="DUNS", identity="123456789"),),
        sender_credentials=(
            sender or Credential(domain=domain, identity=name, shared_secret=secret),
        ),
        user_agent="Test Buyer 1.0",
    )
    return cxml.build(
        request,
        header=header,
        payload_id=payload_id or f"{uuid4()}@buyer.example",
        timestamp=datetime.now(UTC),
        deployment_mode=deployment_mode,
    )


def profile_request(
    *,
    identity: tuple[str, str] = DEMO_IDENTITY,
    secret: str = "demo-secret",
    sender: Credential | None = None,
) -> bytes:
    """A ProfileRequest (the ping) with the given Sender credentials."""
    domain, name = identity
    header = Header(
        from_credentials=(Credential(domain=domain, identity=name),),
        to_credentials=(Credential(domain="DUNS", identity="123456789"),),
        sender_credentials=(
            sender or Credential(domain=domain, identity=name, shared_secret=secret),
        ),
        user_agent="Test Buyer 1.0",
    )
    return cxml.build(
        cxml.ProfileRequest(),
        header=header,
        payload_id=f"{uuid4()}@buyer.example",
        timestamp=datetime.now(UTC),
    )


def mac_sender(
    secret: str,
    *,
    created: datetime,
    expires: datetime,
    identity: tuple[str, str] = DEMO_IDENTITY,
) -> Credential:
    """A Sender credential proving itself with a CredentialMac instead of the secret."""
    domain, name = identity
    own = Credential(domain=domain, identity=name)
    creation, expiration = (
        created.isoformat(timespec="seconds"),
        expires.isoformat(timespec="seconds"),
    )
    value = cxml.credential_mac.compute(
        secret=secret,
        from_credential=own,
        sender_credential=own,
        creation_date=creation,
        expiration_date=expiration,
    )
    return Credential(
        domain=domain,
        identity=name,
        credential_mac=cxml.CredentialMac(
            value=value,
            type="FromSenderCredentials",
            algorithm="HMAC-SHA1-96",
            creation_date=creation,
            expiration_date=expiration,
        ),
    )


def add_to_cart(client: FlaskClient, sku: str, quantity: str) -> None:
    """Add a product through its page's form, as a user would."""
    page = client.get(f"/products/{sku}")
    assert page.status_code == 200
    response = client.post(
        "/cart/items",
        data={"sku": sku, "quantity": quantity, "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 302, response.text
