"""The SAP OCI punchout: launch (and FUNCTION calls) → shared punchout session → cart to HOOK_URL.

OCI partners are TradingPartner rows with protocol "oci"; their profile lives in
`TradingPartner.settings` (see `PartnerOptions`). The launch reuses the cXML punchout's start
token, shop session, cart and ending (`gateway.services.punchout`).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from http import HTTPStatus
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import oci
from gateway.auth.credentials import password_matches
from gateway.auth.permissions import Permission
from gateway.auth.policy import require
from gateway.cxml import Operation
from gateway.errors import InvalidInput, NotFound
from gateway.models import MessageDirection, PartnerProtocol, Product, ShopSession, TradingPartner
from gateway.oci import Function, InvalidSetupError, OCIError, OCIItem, OCISetup
from gateway.services import message_log
from gateway.services.catalog import assortment, search
from gateway.services.ordering import carts
from gateway.services.people import shop_sessions
from gateway.services.punchout import identities
from gateway.services.punchout.oci_mapping import PartnerOptions, item_from, priced_item
from gateway.services.punchout.sessions import (
    CartReturn,
    PunchOutSettings,
    finish,
    open_punchout,
    punchout_cart,
)
from gateway.urls import url_allowed

MAX_SEARCH_HITS = 500  # BACKGROUND_SEARCH answers every hit on one page; this bounds the page
SAPEVENT = "SAPEVENT:"


@dataclass(frozen=True, slots=True, kw_only=True)
class Redirect:
    """Open the shop: the browser goes to the single-use start URL."""

    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FormPage:
    """Answer on the called URL with an OCI form (VALIDATE, BACKGROUND_SEARCH)."""

    cart_return: CartReturn


@dataclass(frozen=True, slots=True, kw_only=True)
class JsonAnswer:
    """QUANTITYCHECK's answer."""

    body: dict[str, Any]


LaunchResult = Redirect | FormPage | JsonAnswer


class LoginRefused(OCIError):
    """Unknown user, wrong password or disabled partner: one answer for all."""

    default_status = HTTPStatus.UNAUTHORIZED

    def __init__(self) -> None:
        super().__init__("Unknown user or wrong password for this catalog.")


class UserRefused(OCIError):
    """The customer deactivated the punchout user this login acts as."""

    default_status = HTTPStatus.FORBIDDEN


def launch(
    session: Session,
    *,
    fields: Mapping[str, str],
    settings: PunchOutSettings,
    now: datetime,
) -> LaunchResult:
    """Answer an OCI call: check login and HOOK_URL, then open the shop or answer the FUNCTION.

    Raises OCIError (with its status) for anything the buyer must fix; nothing is stored then.
    """
    partner = authenticate(session, fields=fields)
    options = PartnerOptions.of(partner)
    setup = oci.parse_setup(fields, options.profile())
    _log_call(session, partner=partner, setup=setup)
    if setup.function == Function.QUANTITYCHECK:
        answer = JsonAnswer(body=_quantity_check(session, partner, setup))
        _log_answer(session, partner=partner, setup=setup, fields=sorted(answer.body.items()))
        return answer
    if not setup.hook_url:
        raise InvalidSetupError(f"{options.hook_url_field} is missing: nowhere to return the cart")
    if not hook_url_allowed(setup.hook_url, partner, options):
        raise InvalidSetupError(
            f"{options.hook_url_field} is not an allowed return address for this buyer"
        )
    charset = setup.charset or oci.fields.normalise_charset(options.charset)
    target = setup.return_target or _tilde(setup, "~TARGET") or _hook_target(setup.hook_url)
    if setup.function == Function.VALIDATE:
        product = _product(session, partner, setup.product_id)
        item = priced_item(
            session, partner.organisation, product, _quantity(product, setup), options
        )
        page = _cart_return([item], setup.hook_url, options, charset=charset, target=target)
        _log_answer(session, partner=partner, setup=setup, fields=page.fields)
        return FormPage(cart_return=page)
    if setup.function == Function.BACKGROUND_SEARCH:
        hits = _search(session, partner, setup.search_string)
        items = [priced_item(session, partner.organisation, p, Decimal(1), options) for p in hits]
        page = _cart_return(items, setup.hook_url, options, charset=charset, target=target)
        _log_answer(session, partner=partner, setup=setup, fields=page.fields)
        return FormPage(cart_return=replace(page, autosubmit=False))
    landing: dict[str, str] = {}
    if setup.function in (Function.DETAIL, Function.DETAILADD):
        landing = {"product": _product(session, partner, setup.product_id).sku}
    elif setup.function == Function.SOURCING:
        landing = {"search": setup.search_string}
    try:
        user = identities.punchout_user(
            session,
            partner=partner,
            claim=identities.oci_claim(setup.username, partner_name=partner.name),
        )
    except identities.PunchOutUserRefused as exc:
        raise UserRefused(str(exc)) from None
    except InvalidInput as exc:
        raise InvalidSetupError(str(exc)) from None
    _punchout, url = open_punchout(
        session,
        partner=partner,
        user=user,
        operation=Operation.CREATE,
        buyer_cookie="",
        return_url=setup.hook_url,
        payload_id=f"oci-{secrets.token_hex(12)}",
        buyer_credentials=[],
        lines=[],
        settings=settings,
        now=now,
        oci_parameters={
            "tilde": [list(pair) for pair in setup.tilde],
            "returntarget": target,
            "charset": charset,
        },
        landing=landing or None,
    )
    return Redirect(url=url)


def login_name(fields: Mapping[str, str]) -> str:
    """The login a launch claims under the default parameter name, USERNAME (for throttling;
    partners with other parameter names are throttled by client address alone)."""
    return next((v.strip() for n, v in fields.items() if n.casefold() == "username"), "")


def authenticate(session: Session, *, fields: Mapping[str, str]) -> TradingPartner:
    """The active OCI partner whose login the fields carry, or LoginRefused."""
    folded = {name.casefold(): value for name, value in fields.items()}
    values = {value.strip() for value in folded.values() if value.strip()}
    # Matched here, not in SQL: any field may be the login, so the values would include the
    # password, and query parameters reach the database's and SQLAlchemy's logs.
    partners = session.scalars(
        select(TradingPartner).where(TradingPartner.protocol == PartnerProtocol.OCI)
    )
    candidates = [partner for partner in partners if partner.login_name in values]
    for partner in candidates:
        options = PartnerOptions.of(partner)
        username = folded.get(options.username_field.casefold(), "").strip()
        if username != partner.login_name:
            continue
        password = folded.get(options.password_field.casefold(), "")
        if password_matches(partner.password_hash, password) and partner.active:
            return partner
        raise LoginRefused()
    password_matches(None, "")  # the same work for an unknown user
    raise LoginRefused()


def hook_url_allowed(url: str, partner: TradingPartner, options: PartnerOptions) -> bool:
    """HOOK_URL on the partner's allow-list; `SAPEVENT:` only where the partner enables it."""
    if url.upper().startswith(SAPEVENT):
        return options.allow_sapevent and url.upper() == "SAPEVENT:POST"
    return url_allowed(url, partner.allowed_url_prefixes)


def password_field_names(session: Session) -> set[str]:
    """The casefolded names an OCI login's password may come under: the usual ones and each
    OCI partner's own (never logged)."""
    return {"password", "passwd", "pwd"} | {
        PartnerOptions.of(partner).password_field.casefold()
        for partner in session.scalars(
            select(TradingPartner).where(TradingPartner.protocol == PartnerProtocol.OCI)
        )
    }


def record_refusal(session: Session, *, fields: Mapping[str, str], error: OCIError) -> None:
    """Log a refused OCI call (without the password) to the message log."""
    password_names = password_field_names(session)
    body = _lines(
        (name, value)
        for name, value in sorted(fields.items())
        if name.casefold() not in password_names
    )
    message_log.record(
        session,
        direction=MessageDirection.IN,
        document_type="OCI call refused",
        body=body,
        status_code=error.status.value,
        status_text=error.reason,
        protocol=PartnerProtocol.OCI,
    )


def return_cart(
    session: Session,
    *,
    shop_session: ShopSession,
    settings: PunchOutSettings,
    now: datetime,
    cancel: bool = False,
) -> CartReturn:
    """The OCI form for the buyer's HOOK_URL (empty when cancelled), and the punchout's end."""
    punchout = shop_session.punchout
    if punchout is None:
        raise InvalidSetupError("not a punchout session")
    actor = shop_sessions.actor_for(session, shop_session)
    cart = punchout_cart(session, shop_session)
    options = PartnerOptions.of(punchout.partner)
    parameters = punchout.oci_parameters or {}
    items: list[OCIItem] = []
    value = Decimal(0)
    if not cancel:
        require(actor, Permission.PUNCHOUT_TRANSFER, cart)
        priced = carts.price_cart(session, cart=cart, organisation=shop_session.organisation)
        items = [
            replace(
                item_from(line.product, line.quantity, line.unit_price, priced.currency, options),
                ext_quote_id=line.quote_reference,
                ext_quote_item=line.quote_item,
            )
            for line in priced.lines
        ]
        value = priced.total
    cart_return = _cart_return(
        items,
        punchout.return_url,
        options,
        charset=parameters.get("charset", "UTF-8"),
        target=parameters.get("returntarget", "_top"),
        tilde=[tuple(pair) for pair in parameters.get("tilde", [])],
    )
    message_log.record(
        session,
        direction=MessageDirection.OUT,
        document_type="OCI cart" if not cancel else "OCI cancel",
        body=_lines(cart_return.fields),
        status_text=cart_return.notice,
        partner_id=punchout.partner_id,
        punchout_session_id=punchout.id,
        protocol=PartnerProtocol.OCI,
    )
    finish(
        session,
        shop_session=shop_session,
        cart=cart,
        cancel=cancel,
        now=now,
        cart_value=value,
        cart_lines=len(items),
    )
    return cart_return


def _cart_return(
    items: list[OCIItem],
    hook_url: str,
    options: PartnerOptions,
    *,
    charset: str,
    target: str,
    tilde: list[tuple[str, ...]] | None = None,
) -> CartReturn:
    fields: list[tuple[str, str]] = []
    action = hook_url
    if options.split_hook_query and not hook_url.upper().startswith(SAPEVENT):
        action, query = oci.split_hook_url(hook_url)
        fields += query
    named = {name for name, _ in fields}
    fields += [(str(n), str(v)) for n, v, *_ in tilde or () if n not in named]
    fields += oci.build_return(items, options.profile())
    fitted: list[tuple[str, str]] = []
    replaced = False
    for name, value in fields:
        text, changed = oci.fields.fit_charset(value, charset)
        fitted.append((name, text))
        replaced |= changed
    return CartReturn(
        url=action,
        fields=tuple(fitted),
        target=target,
        charset=charset,
        notice=f"Characters that {charset} cannot carry were replaced by their closest letter "
        "or by “?”."
        if replaced
        else "",
    )


def _assortment(session: Session, partner: TradingPartner) -> assortment.Assortment:
    return assortment.for_customer(session, organisation_id=partner.organisation_id)


def _product(session: Session, partner: TradingPartner, product_id: str) -> Product:
    """A product of the partner's customer's assortment, or 404 (also for one outside it)."""
    try:
        return assortment.find_product(
            session, sku=product_id, assortment=_assortment(session, partner)
        )
    except NotFound:
        raise InvalidSetupError(
            "PRODUCTID is not in this catalog (any more).", status=HTTPStatus.NOT_FOUND
        ) from None


def _search(session: Session, partner: TradingPartner, text: str) -> list[Product]:
    """Every hit of the shop's search in the customer's assortment (none for a wordless text)."""
    if not search.has_words(text):
        return []
    found = search.search_products(
        session,
        assortment=_assortment(session, partner),
        query=text,
        page_size=MAX_SEARCH_HITS,
    )
    return list(found.products)


def _quantity_check(session: Session, partner: TradingPartner, setup: OCISetup) -> dict[str, Any]:
    product = _product(session, partner, setup.product_id)
    quantity = _quantity(product, setup)
    return {
        "EXT_PRODUCT_ID": product.sku,
        "AVAILABLE_QUANTITY": oci.fields.format_number(quantity),
        "LEADTIME": str(product.lead_time_days or ""),
    }


def _quantity(product: Product, setup: OCISetup) -> Decimal:
    """The call's QUANTITY (1 when absent) under the shop's quantity rule for the product."""
    try:
        return carts.check_unit(product, setup.quantity or Decimal(1))
    except InvalidInput as exc:
        raise InvalidSetupError(f"QUANTITY: {exc}") from None


def _tilde(setup: OCISetup, name: str) -> str:
    return next((v for n, v in setup.tilde if n.casefold() == name.casefold() and v), "")


def _log_call(session: Session, *, partner: TradingPartner, setup: OCISetup) -> None:
    message_log.record(
        session,
        direction=MessageDirection.IN,
        document_type=f"OCI {setup.function.value if setup.function else 'login'}",
        body=_lines(setup.login),
        partner_id=partner.id,
        protocol=PartnerProtocol.OCI,
    )


def _log_answer(session: Session, *, partner: TradingPartner, setup: OCISetup, fields: Any) -> None:
    message_log.record(
        session,
        direction=MessageDirection.OUT,
        document_type=f"OCI {setup.function.value if setup.function else 'login'} answer",
        body=_lines(fields),
        partner_id=partner.id,
        protocol=PartnerProtocol.OCI,
    )


def _hook_target(hook_url: str) -> str:
    """`~TARGET` from HOOK_URL's own query (OCI 3.0 style), checked like returntarget."""
    _action, query = oci.split_hook_url(hook_url)
    target = next((v for n, v in query if n.casefold() == "~target" and v), "")
    return oci.fields.check_target(target) if target else "_top"


def _lines(fields: Any) -> bytes:
    return "".join(f"{name}={value}\n" for name, value in fields).encode("utf-8")
