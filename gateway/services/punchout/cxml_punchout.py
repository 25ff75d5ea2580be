"""The cXML punchout: setup request → start token → shop session → cart back to the buyer.

Every function takes the database session and an explicit clock; none reads Flask globals, so
the web adapter, the CLI and the tests call the same code.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.auth.credentials import secret_matches
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.cxml import (
    CartEncoding,
    CXMLDocument,
    InboundDocumentError,
    Operation,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    StatusCode,
)
from gateway.errors import BudgetExceeded, GatewayError, InvalidInput, NotFound
from gateway.models import (
    CartLine,
    MessageDirection,
    PartnerProtocol,
    Product,
    PunchOutSession,
    ShopSession,
    TradingPartner,
)
from gateway.services import message_log
from gateway.services.catalog import assortment, pricing
from gateway.services.catalog.pricing import line_total
from gateway.services.ordering import carts, quotes
from gateway.services.partners.deployment import outbound_mode
from gateway.services.partners.order_settings import mac_matches
from gateway.services.partners.registry import find_by_credentials
from gateway.services.people import shop_sessions
from gateway.services.punchout import identities
from gateway.services.punchout.cart_mapping import CXMLMapping
from gateway.services.punchout.sessions import (
    CartReturn,
    PunchOutSettings,
    finish,
    open_punchout,
    punchout_cart,
)
from gateway.services.purchasing import budgets
from gateway.urls import url_allowed

MAX_AUX_ID_LENGTH = 100
SHOWN_PARTS = 5  # unknown part numbers named in a 412 Status text


def identify(session: Session, header: cxml.Header | None) -> TradingPartner | None:
    """The partner the header names, From first, then Sender (not yet authenticated)."""
    if header is None:
        return None
    return find_by_credentials(
        session, [(c.domain, c.identity) for c in header.from_credentials]
    ) or find_by_credentials(session, [(c.domain, c.identity) for c in header.sender_credentials])


def authenticate(
    session: Session,
    *,
    partner: TradingPartner | None,
    header: cxml.Header | None,
    digest_key: str,
    encryption_key: str | None = None,
    now: datetime | None = None,
) -> TradingPartner:
    """`partner` (as `identify` found it), if the Sender's SharedSecret (or CredentialMac) is right.

    No partner, a wrong secret and a disabled partner all raise the same CredentialError, after
    the same digest comparison. A CredentialMac is checked only for partners set up for it, and
    only with `now`.
    """
    if header is None:
        raise cxml.CredentialError()
    presented = [c.shared_secret for c in header.sender_credentials if c.shared_secret]
    digest = partner.secret_digest if partner is not None else "0" * 64
    matched = [secret_matches(secret, digest, digest_key) for secret in presented or [""]]
    if partner is not None and now is not None and not any(matched):
        matched = [
            mac_matches(session, partner=partner, header=header, key=encryption_key, now=now)
        ]
    if (
        partner is None
        or not partner.active
        or partner.protocol != PartnerProtocol.CXML
        or not any(matched)
    ):
        raise cxml.CredentialError()
    return partner


def start(
    session: Session,
    *,
    document: CXMLDocument,
    request: PunchOutSetupRequest,
    partner: TradingPartner,
    settings: PunchOutSettings,
    now: datetime,
) -> tuple[PunchOutSession, str]:
    """Open a punchout for `request` (the payload of `document`); returns it and its StartPage."""
    if request.operation not in (Operation.CREATE, Operation.EDIT, Operation.INSPECT):
        raise cxml.UnsupportedDocumentError(
            f"operation {request.operation.value!r} is not supported"
        )
    url = (request.browser_form_post_url or "").strip()
    if not url:
        raise InboundDocumentError("BrowserFormPost URL missing", status=StatusCode.BAD_REQUEST)
    if not url_allowed(url, partner.allowed_url_prefixes):
        raise InboundDocumentError(
            "BrowserFormPost URL not allowed for this buyer", status=StatusCode.BAD_REQUEST
        )
    if partner.replay_protection:
        _check_replay(session, document=document, partner=partner, settings=settings, now=now)
    lines = (
        _lines_from_items(session, request, organisation_id=partner.organisation_id)
        if request.operation != Operation.CREATE
        else []
    )
    try:
        user = identities.punchout_user(
            session,
            partner=partner,
            claim=identities.cxml_claim(request, partner_name=partner.name),
        )
    except identities.PunchOutUserRefused as exc:
        raise InboundDocumentError(str(exc), status=StatusCode.FORBIDDEN) from None
    except InvalidInput as exc:
        raise InboundDocumentError(str(exc), status=StatusCode.BAD_REQUEST) from None
    return open_punchout(
        session,
        partner=partner,
        user=user,
        operation=request.operation.value,
        buyer_cookie=request.buyer_cookie,
        return_url=url,
        payload_id=document.payload_id,
        buyer_credentials=[
            {"domain": c.domain, "identity": c.identity} for c in document.header.from_credentials
        ]
        if document.header
        else [],
        lines=lines,
        settings=settings,
        now=now,
        deployment_mode=document.deployment_mode,
        landing=_landing(session, request, partner=partner, user_id=user.id),
    )


def _landing(
    session: Session, request: PunchOutSetupRequest, *, partner: TradingPartner, user_id: int
) -> dict[str, str] | None:
    """A level-2 punchout (`create` with a SelectedItem) opens on that product, or searches for
    an item that is not (or no longer) in the user's assortment; otherwise the shop opens as
    usual (the catalog for `create`, the cart for `edit` and `inspect`)."""
    if request.selected_item is None or request.operation != Operation.CREATE:
        return None
    part = request.selected_item.supplier_part_id.strip()
    try:
        product = assortment.find_product(
            session,
            sku=part,
            assortment=assortment.for_customer(
                session, organisation_id=partner.organisation_id, user_id=user_id
            ),
        )
    except NotFound:
        return {"search": part, "selected": part}
    return {"product": product.sku}


def return_cart(
    session: Session,
    *,
    shop_session: ShopSession,
    settings: PunchOutSettings,
    now: datetime,
    cancel: bool = False,
    zone: str = pricing.DEFAULT_TIMEZONE,
) -> CartReturn:
    """Build the PunchOutOrderMessage for the buyer and end the punchout.

    `cancel` returns no cart: an empty message for create, Status 204 (no change) for edit.
    Inspect sessions always return an empty message, as the buyer ignores it. The buyer's
    procurement system approves the cart (A-10): budgets and approval rules refuse a transfer
    only when the partner is set to enforce them (BudgetExceeded), and reserve nothing.
    """
    punchout = shop_session.punchout
    if punchout is None:
        raise GatewayError("not a punchout session")
    actor = shop_sessions.actor_for(session, shop_session)
    cart = punchout_cart(session, shop_session)
    if not cancel:
        require(actor, Permission.PUNCHOUT_TRANSFER, cart)
    operation = Operation(punchout.operation)
    priced = carts.price_cart(session, cart=cart, organisation=shop_session.organisation)
    send_items = not cancel and operation != Operation.INSPECT
    if send_items and punchout.partner.enforce_budgets:
        _enforce_budgets(session, actor=actor, priced=priced, now=now, zone=zone)
    mapping = CXMLMapping.of(punchout.partner)
    items = (
        tuple(mapping.apply(_item_in(line, priced.currency), line.product) for line in priced.lines)
        if send_items
        else ()
    )
    total = priced.total if send_items else Decimal("0.00")
    if mapping.price_decimals is not None:  # the buyer's rounded prices make the Total
        total = sum(
            (line_total(i.detail.unit_price.amount, i.quantity) for i in items), Decimal("0.00")
        )
    message = PunchOutOrderMessage(
        buyer_cookie=punchout.buyer_cookie,
        operation_allowed=Operation(punchout.partner.operation_allowed),
        total=cxml.Money(amount=total, currency=priced.currency),
        items=items,
        status=cxml.Status(code=StatusCode.NO_CONTENT, text=StatusCode.NO_CONTENT.phrase)
        if cancel and operation == Operation.EDIT
        else None,
    )
    encoding = CartEncoding(punchout.partner.cart_encoding)
    payload_id = cxml.make_payload_id(settings.hostname)
    document = cxml.build(
        message,
        payload_id=payload_id,
        timestamp=now,
        header=_header(punchout, settings),
        encoding="US-ASCII" if encoding == CartEncoding.URLENCODED else "UTF-8",
        dtd_dir=settings.dtd_dir,  # an invalid document raises OutboundDocumentError, unsent
        deployment_mode=outbound_mode(punchout.deployment_mode),
    )
    message_log.record(
        session,
        direction=MessageDirection.OUT,
        document_type="PunchOutOrderMessage",
        body=document,
        payload_id=payload_id,
        status_code=message.status.code if message.status else None,
        partner_id=punchout.partner_id,
        punchout_session_id=punchout.id,
    )
    finish(
        session,
        shop_session=shop_session,
        cart=cart,
        cancel=cancel,
        now=now,
        cart_value=total,
        cart_lines=len(items),
    )
    return CartReturn(
        url=punchout.return_url, fields=(cxml.encode_cart(document, encoding),), document=document
    )


def _check_replay(
    session: Session,
    *,
    document: CXMLDocument,
    partner: TradingPartner,
    settings: PunchOutSettings,
    now: datetime,
) -> None:
    """Replay protection: a fresh timestamp and a payloadID this partner has not used. A refusal
    names the rule, the window and our clock, so the buyer's integrator can fix their side."""
    window = f"{settings.clock_skew} seconds"
    clock = f"our clock read {cxml.format_timestamp(now)}"
    if abs(now - document.timestamp) > timedelta(seconds=settings.clock_skew):
        raise InboundDocumentError(
            f"/cXML/@timestamp is outside the accepted window: a setup request must be sent "
            f"within {window} of our clock ({clock}; a timestamp without a zone is read as "
            "UTC); check the sender's clock and zone",
            status=StatusCode.BAD_REQUEST,
        )
    seen = session.scalar(
        select(PunchOutSession.id).where(
            PunchOutSession.partner_id == partner.id,
            PunchOutSession.payload_id == document.payload_id,
        )
    )
    if seen is not None:
        raise cxml.DuplicateDocumentError(
            "/cXML/@payloadID already used for a punchout: every setup request needs a new "
            f"payloadID (replay protection; timestamps are accepted within {window} of our "
            f"clock, and {clock})"
        )


def _lines_from_items(
    session: Session, request: PunchOutSetupRequest, *, organisation_id: int
) -> list[CartLine]:
    """Rebuild the buyer's cart (edit/inspect): keyed by part number, keeping each line's SPAID.

    A part outside the customer's assortment counts as unknown (412), like an inactive one.
    """
    skus = {item.item_id.supplier_part_id for item in request.items}
    visible = assortment.for_customer(session, organisation_id=organisation_id)
    products = {
        product.sku: product
        for product in session.scalars(
            select(Product).where(Product.sku.in_(skus), Product.active, visible.condition())
        )
    }
    unknown = sorted(skus - products.keys())
    if unknown:
        shown = ", ".join(unknown[:SHOWN_PARTS]) + (" …" if len(unknown) > SHOWN_PARTS else "")
        raise InboundDocumentError(
            f"unknown SupplierPartID {shown}", status=StatusCode.PRECONDITION_FAILED
        )
    lines: list[CartLine] = []
    used: set[str] = set()
    quoted = quotes.accepted_lines(
        session,
        organisation_id=organisation_id,
        aux_ids={(item.item_id.supplier_part_auxiliary_id or "").strip() for item in request.items},
    )
    for position, item in enumerate(request.items, start=1):
        product = products[item.item_id.supplier_part_id]
        try:
            carts.check_unit(product, item.quantity)
        except InvalidInput as exc:
            raise InboundDocumentError(
                f"ItemOut[{position}]/@quantity: {exc}", status=StatusCode.BAD_REQUEST
            ) from None
        aux_id = (item.item_id.supplier_part_auxiliary_id or "").strip()
        if len(aux_id) > MAX_AUX_ID_LENGTH:
            raise InboundDocumentError(
                f"SupplierPartAuxiliaryID longer than {MAX_AUX_ID_LENGTH} characters",
                status=StatusCode.BAD_REQUEST,
            )
        if not aux_id or aux_id in used:
            aux_id = carts.new_aux_id()
        used.add(aux_id)
        quote_line = quoted.get(aux_id)
        if quote_line is not None and (
            quote_line.product_id != product.id or quote_line.quantity != item.quantity
        ):
            quote_line = None  # the buyer changed the line: today's price applies
        lines.append(
            CartLine(product=product, quantity=item.quantity, aux_id=aux_id, quote_line=quote_line)
        )
    return lines


def _item_in(line: carts.PricedLine, currency: str) -> cxml.ItemIn:
    product = line.product
    return cxml.ItemIn(
        quantity=line.quantity,
        item_id=cxml.ItemID(supplier_part_id=product.sku, supplier_part_auxiliary_id=line.aux_id),
        detail=cxml.ItemDetail(
            unit_price=cxml.Money(amount=line.unit_price, currency=currency),
            description=product.description or product.name,
            short_name=product.name,
            unit_of_measure=product.unit,
            classifications=(cxml.Classification(domain="UNSPSC", code=product.unspsc),),
            manufacturer_part_id=product.manufacturer_part_id,
            manufacturer_name=product.manufacturer_name,
            url=None,
            lead_time=product.lead_time_days,
            extrinsics=(cxml.Extrinsic(name="QuoteID", value=line.quote_reference),)
            if line.quote_reference
            else (),
        ),
    )


def _enforce_budgets(
    session: Session, *, actor: Actor, priced: carts.PricedCart, now: datetime, zone: str
) -> None:
    check = budgets.check_order(
        session, actor=actor, amount=priced.total, currency=priced.currency, now=now, zone=zone
    )
    if check.objections:
        objections = " ".join(check.objections)
        raise BudgetExceeded(objections)


def _header(punchout: PunchOutSession, settings: PunchOutSettings) -> cxml.Header:
    ours = (cxml.Credential(domain=settings.supplier_domain, identity=settings.supplier_identity),)
    theirs = tuple(
        cxml.Credential(domain=c["domain"], identity=c["identity"])
        for c in punchout.buyer_credentials
    )
    return cxml.Header(
        from_credentials=ours,
        to_credentials=theirs or ours,
        sender_credentials=ours,
        user_agent=settings.user_agent,
    )


def sample_item(product: Product, unit_price: Decimal, currency: str) -> cxml.ItemIn:
    """One unit of `product` as a cart line, before the buyer's mapping (the admin preview)."""
    line = carts.PricedLine(
        line_id=0,
        product=product,
        aux_id="preview-1",
        quantity=Decimal(1),
        unit_price=unit_price,
        total=unit_price,
    )
    return _item_in(line, currency)
