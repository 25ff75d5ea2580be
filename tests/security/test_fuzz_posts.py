"""Issue 16: generated values posted to every form field of every POST route and to the cXML and
OCI entry points. Whatever arrives, the answer is never a 5xx, and a refused request (a 4xx, or
a cXML Status 4xx) stores nothing.

The routes come from the app's url_map, so a new route is fuzzed without being listed here; its
fields are the names the view reads (recorded while it runs) and the inputs of every page's
forms that post to it (what a browser would send). Each blueprint is posted to by the kind of
user it serves, logged in through the form, with a valid CSRF token.

Hypothesis profiles: `fuzz-ci` (the default: a few derandomized examples a route, so CI is
deterministic and quick) and `fuzz-deep` (GATEWAY_FUZZ_PROFILE=fuzz-deep: many random ones).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from flask import Flask, Request
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import Rule
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from gateway import create_app
from gateway.auth import credentials
from gateway.cxml import Operation
from gateway.db import Base
from gateway.models import Budget, Role, TradingPartner, User
from gateway.services.demo import DEMO_ADMIN
from tests import buyer, shop
from tests.conftest import TEST_CONFIG
from tests.integration.test_cxml_punchout import punch_in
from tests.integration.test_nonsense_numbers import pending_order
from tests.oci_buyer import HOOK_URL, LOGIN

settings.register_profile(
    "fuzz-ci",
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz-deep",
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ = settings.get_profile(os.environ.get("GATEWAY_FUZZ_PROFILE", "fuzz-ci"))

# Values that broke number reading somewhere, and the kinds the issue names.
NASTY = (
    "",
    " ",
    "0",
    "-1",
    "1e21",
    "1e999999",
    "0.0001",
    "NaN",
    "-Infinity",
    "\u00b2",
    "\u0663\u0663",
    "\uff11",
    "9" * 400,
    "1,5",
    "\x00",
    "1\x00",
    "\x1f\x7f",
    "\u202e1",
    "x" * 5000,
)
_TEXT = st.characters(codec="utf-8")  # what a browser can send: no lone surrogates
VALUES = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=12),  # all digits
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers().map(str),
    st.floats().map(repr),
    st.text(_TEXT, max_size=40),
    st.text(st.characters(categories=["Cc", "Cf", "Zs"]), min_size=1, max_size=8),
    st.text(_TEXT, min_size=300, max_size=2000),
)

# Who posts to each blueprint; a new blueprint must be added here (the test below says so).
BLUEPRINT_ACTORS = {
    "shop": "buyer",
    "orders": "buyer",
    "guest": "guest",
    "account": "superuser",
    "approvals": "superuser",
    "staff": "staff",
    "desk": "staff",
    "lists": "buyer",
    "quotes": "buyer",
    "admin_partners": "admin",
    "admin_api_tokens": "admin",
    "admin_roles": "admin",
    "simulator": "admin",
    "tools": "admin",
    "punchout": "punchout",
}
ENDPOINT_ACTORS = {
    "shop.login": "guest",
    "shop.forgot_password": "guest",
    "shop.reset_password": "guest",
    "shop.set_locale": "guest",
    "account.invitation": "guest",
    "staff.staff_access": "superuser",
    "quotes.answer": "staff",
}
LOGINS = {
    "buyer": "buyer@1001.demo",
    "superuser": "superuser@1001.demo",
    "staff": "service@supplier.demo",
    "admin": DEMO_ADMIN,
}
# Tables that record refusals on purpose (the message log, failed-login counters, the audit
# trail); every other table must be untouched by a refused request.
RECORDS = frozenset({"message_log", "throttle_counter", "audit_entry"})
# Tables whose rows a refusal must not change either (quantities, amounts, statuses).
QUICK_HASH = "pbkdf2:sha256:1"
CSRF_REFUSED = "The form has expired or did not come from this shop."
# Views that read their form whole (`to_dict`, iteration), so no name is recorded: the fields a
# real caller sends them.
WHOLE_FORMS: dict[str, Callable[[dict[str, object]], dict[str, str]]] = {
    "simulator.act": lambda ids: {
        "partner": str(ids["partner_id"]),
        "action": "template",
        "operation": "edit",
        "items": "DEMO-0001||2",
        "document": "",
    },
    "tools.receive_cart": lambda _: {
        "NEW_ITEM-DESCRIPTION[1]": "Ballpoint pen",
        "NEW_ITEM-QUANTITY[1]": "2",
        "NEW_ITEM-UNIT[1]": "EA",
        "NEW_ITEM-PRICE[1]": "0.85",
        "NEW_ITEM-PRICEUNIT[1]": "1",
        "NEW_ITEM-CURRENCY[1]": "EUR",
        "NEW_ITEM-LEADTIME[1]": "2",
    },
    "punchout.oci_endpoint": lambda _: {
        **LOGIN,
        "HOOK_URL": HOOK_URL,
        "FUNCTION": "VALIDATE",
        "PRODUCTID": "DEMO-0001",
        "QUANTITY": "1",
        "SEARCHSTRING": "pen",
        "http_content_charset": "UTF-8",
    },
}
MUTABLE = ("cart_line", "customer_order", "order_line", "budget", "trading_partner", "address")


def _post_rules() -> list[Rule]:
    """Every POST route of the pages; the REST API's (JSON with a Bearer token, no forms) are
    fuzzed by schemathesis against its document (tests/integration/test_api_schemathesis.py)."""
    app = create_app(dict(TEST_CONFIG))
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or ()) and not rule.endpoint.startswith("api.")
        ),
        key=lambda rule: rule.endpoint,
    )


POST_RULES = _post_rules()
Post = Callable[[dict[str, str]], TestResponse]


# Reading field names: what the view reads, and what pages' forms post ------------------------


class _Recorder(ImmutableMultiDict[str, str]):
    """Form data that notes every name a view asks for."""

    asked: set[str] = set()  # noqa: RUF012 - one shared record, reset before each probe

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None, type: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default, type)

    def getlist(self, key: str, type: Any = None) -> list[Any]:
        self.asked.add(key)
        return super().getlist(key, type)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.asked.add(key)
        return super().__contains__(key)


class _RecordingRequest(Request):
    parameter_storage_class = _Recorder


@dataclass
class _Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """Every POST form of a page: its action and the values a browser would submit."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[_Form] = []
        self._open: _Form | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            post = values.get("method", "get").lower() == "post"
            self._open = _Form(action=values.get("action") or self.page) if post else None
            if self._open is not None:
                self.forms.append(self._open)
        elif self._open is None or not values.get("name"):
            return
        elif tag in ("input", "select", "button"):
            checkable = values.get("type") in ("radio", "checkbox")
            if not checkable or "checked" in values:
                self._open.fields[values["name"]] = values.get("value", "")
            else:
                self._open.fields.setdefault(values["name"], "")
        elif tag == "textarea":
            self._textarea = values["name"]
            self._open.fields[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._open is not None and self._textarea is not None:
            self._open.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._open = None


# Actors: a logged-in client each, with something to act on -----------------------------------


@dataclass
class Actor:
    """One kind of user: the ids its routes are called with, and a fresh browser session."""

    kind: str
    app: Flask
    ids: dict[str, object] = field(default_factory=dict)
    client: FlaskClient | None = None
    token: str = ""

    def start(self) -> FlaskClient:
        """A new browser session: logged in, punched in or a guest with a cart line (whatever
        the previous route did, such as logging out or ending the punchout)."""
        client = self.client = self.app.test_client()
        if self.kind == "guest":
            shop.post(client, "/guest/cart/items", {"sku": "DEMO-0001", "quantity": "2"})
        elif self.kind == "punchout":
            punch_in(client, buyer.setup_request(operation=Operation.CREATE))
        else:
            shop.login(client, LOGINS[self.kind])
        if self.kind in ("buyer", "punchout"):
            buyer.add_to_cart(client, "DEMO-0001", "2")
        page = client.get("/cart" if self.kind == "punchout" else "/login")
        self.token = buyer.csrf_token(page.text)  # valid for the whole session
        return client


@pytest.fixture
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """New and dummy password hashes of one round: the real ones take half a second each on a
    busy machine, and these tests log in (and fail to) hundreds of times."""
    monkeypatch.setattr(credentials, "PASSWORD_HASH_METHOD", QUICK_HASH)
    monkeypatch.setattr(
        credentials, "DUMMY_HASH", generate_password_hash(secrets.token_hex(), method=QUICK_HASH)
    )


def _quick_passwords(session: Session) -> None:
    """The demo logins this test uses, hashed with one round (see `quick_passwords`)."""
    cheap = generate_password_hash("demo", method=QUICK_HASH)
    emails = [*LOGINS.values(), "requester@1001.demo"]
    for user in session.scalars(select(User).where(User.email.in_(emails))):
        user.password_hash = cheap
    oci = session.scalars(select(TradingPartner).where(TradingPartner.name == "demo-oci")).one()
    oci.password_hash = cheap
    session.commit()


def _make_actor(kind: str, app: Flask, session: Session) -> Actor:
    """The actor, its session started, with something of its own to act on."""
    _quick_passwords(session)
    order_id = pending_order(app, session).id if kind == "superuser" else None
    actor = Actor(kind=kind, app=app)
    actor.start()
    actor.ids = {
        "order_id": order_id or 1,
        "budget_id": session.scalars(select(Budget.id)).first() or 1,
        "user_id": session.scalars(select(User.id).where(User.email == "limited@1001.demo")).one(),
        "partner_id": session.scalars(
            select(TradingPartner.id).where(TradingPartner.name == "demo-cxml")
        ).one(),
        "line_id": session.scalar(text("SELECT max(id) FROM cart_line")) or 1,
        # a template for the admin, customer 1001's own role for its superuser
        "role_id": session.scalars(
            select(Role.id).where(
                Role.name == ("buyer" if kind == "admin" else "Inkoper tot 250"),
                Role.organisation_id.is_(None)
                if kind == "admin"
                else Role.organisation_id.is_not(None),
            )
        ).one(),
        "list_id": session.scalar(text("SELECT min(id) FROM requisition_list")) or 1,
        "quote_id": session.scalar(text("SELECT max(id) FROM quote")) or 1,
        "number": "1001",
        "sku": "DEMO-0001",
    }
    return actor


def _url(rule: Rule, ids: dict[str, object]) -> str:
    """The rule's path with its arguments: the actor's own objects where it has them."""
    converters = rule._converters
    arguments = {
        name: ids.get(name, 1 if type(converters[name]).__name__ == "IntegerConverter" else "x")
        for name in rule.arguments
    }
    return rule.build(arguments, append_unknown=False)[1]  # type: ignore[index]


def _harvest(app: Flask, actor: Actor) -> dict[str, dict[str, str]]:
    """Endpoint → the fields (and default values) of the forms posting to it, on the pages of
    the blueprints the actor serves and the shop's (every page carries the shop's layout)."""
    adapter = app.url_map.bind("localhost")
    found: dict[str, dict[str, str]] = {}
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        if (
            "GET" not in (rule.methods or ())
            or rule.endpoint in ("static", "punchout.start")
            or (blueprint != "shop" and BLUEPRINT_ACTORS.get(blueprint) != actor.kind)
            or not rule.arguments <= actor.ids.keys()
        ):
            continue
        page = _url(rule, actor.ids)
        response = actor.client.get(page)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        reader = _Forms(page)
        reader.feed(response.text)
        for form in reader.forms:
            action = urlsplit(form.action)
            if action.netloc not in ("", "localhost"):
                continue
            try:
                endpoint, _ = adapter.match(action.path, method="POST")
            except Exception:  # noqa: S112 - not one of our routes
                continue
            found.setdefault(str(endpoint), {}).update(form.fields)
    return found


def _read_by(app: Flask, actor: Actor, url: str) -> set[str]:
    """The form fields the route's view asks for, when posted nothing but a CSRF token."""
    assert actor.client is not None
    app.request_class = _RecordingRequest
    _Recorder.asked = set()
    try:
        actor.client.post(url, data={"csrf_token": actor.token})
    finally:
        app.request_class = Request
    return _Recorder.asked - {"csrf_token"}


# What a refusal must leave alone ---------------------------------------------------------------


def _snapshot(connection: Connection) -> tuple[object, ...]:
    counts = connection.execute(
        text(
            " UNION ALL ".join(
                f"SELECT '{name}', count(*) FROM {name}"  # noqa: S608 - our own table names
                for name in sorted(Base.metadata.tables)
                if name not in RECORDS
            )
        )
    ).all()
    digest = hashlib.sha256()
    for name in MUTABLE:
        table = Base.metadata.tables[name]
        for row in connection.execute(table.select().order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    return (tuple(counts), digest.hexdigest())


def _status(response: TestResponse) -> int:
    """The answer's status: a cXML answer's is its Status code (it always comes with HTTP 200)."""
    if response.mimetype == "text/xml":
        status = re.search(rb'<Status code="(\d+)"', response.data)
        if status is not None:
            return int(status.group(1))
    return response.status_code


def _actor_kind(rule: Rule) -> str:
    return ENDPOINT_ACTORS.get(rule.endpoint) or BLUEPRINT_ACTORS[rule.endpoint.partition(".")[0]]


def test_every_post_route_has_a_kind_of_user_to_post_as() -> None:
    unmapped = {
        rule.endpoint
        for rule in POST_RULES
        if rule.endpoint not in ENDPOINT_ACTORS
        and rule.endpoint.partition(".")[0] not in BLUEPRINT_ACTORS
    }
    assert unmapped == set(), "add the blueprint to BLUEPRINT_ACTORS"
    assert len(POST_RULES) > 40  # the url_map was read, not an empty stand-in


class Checker:
    """Posts and checks: no 5xx, and a refusal leaves every table as it was. Only requests
    change the database, so the state after one request is the state before the next."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.state = _snapshot(connection)
        self.reached = False  # whether any post got past the CSRF check
        self.where = ""

    def check(self, post: Post, data: dict[str, str]) -> None:
        response = post(data)
        status = _status(response)
        assert status < 500, (data, response.text[:2000])
        self.reached = self.reached or CSRF_REFUSED not in response.text
        self.where = response.request.path
        before, self.state = self.state, _snapshot(self.connection)
        if status >= 400:  # refused: nothing stored
            assert self.state == before, data


def _fuzz(post: Post, connection: Connection, defaults: dict[str, str]) -> None:
    """Every field once with values that broke number reading, then Hypothesis's changes of up
    to three fields at a time, the others keeping what a browser would send."""
    checker = Checker(connection)
    for name in sorted(defaults):
        for value in ("1e999999", "9" * 400):
            checker.check(post, {**defaults, name: value})
    names = sorted(defaults) or ["anything"]

    @FUZZ
    @given(changes=st.lists(st.tuples(st.sampled_from(names), VALUES), min_size=1, max_size=3))
    def run(changes: list[tuple[str, str]]) -> None:
        checker.check(post, {**defaults, **dict(changes)})

    run()
    assert checker.reached, f"{checker.where}: every post was refused as a forged form"


def _poster(client: FlaskClient, url: str, token: str) -> Post:
    def post(data: dict[str, str]) -> TestResponse:
        return client.post(url, data={**data, "csrf_token": token})

    return post


KINDS = sorted({_actor_kind(rule) for rule in POST_RULES})


@pytest.mark.parametrize("kind", KINDS)
def test_no_post_answers_5xx_or_stores_a_refusal(
    app: Flask, connection: Connection, db_session: Session, kind: str, quick_passwords: None
) -> None:
    actor = _make_actor(kind, app, db_session)
    forms = _harvest(app, actor)
    for rule in (rule for rule in POST_RULES if _actor_kind(rule) == kind):
        url = _url(rule, actor.ids)
        actor.start()
        read = _read_by(app, actor, url)
        client = actor.start()  # afresh: the probe may have logged out or ended the punchout
        whole = WHOLE_FORMS.get(rule.endpoint, dict)(actor.ids)
        defaults = {**dict.fromkeys(read, ""), **forms.get(rule.endpoint, {}), **whole}
        defaults.pop("csrf_token", None)
        _fuzz(_poster(client, url, actor.token), connection, defaults)


def _document(kind: str, data: dict[str, str]) -> bytes:
    """An edit PunchOutSetupRequest or an OrderRequest, its numbers replaced by `data`'s."""
    if kind == "edit":
        body = buyer.setup_request(operation=Operation.EDIT, items=(("DEMO-0001", None, "7"),))
    else:
        body = buyer.order_request(
            order_id=f"PO-{uuid4()}", items=(("DEMO-0001", None, "7", "0.85"),)
        )
    for old, name, new in (
        (b'quantity="7"', "quantity", 'quantity="{}"'),
        (b'lineNumber="1"', "lineNumber", 'lineNumber="{}"'),
        (b">0.85<", "price", ">{}<"),
        (b">5.95<", "total", ">{}<"),
    ):
        body = body.replace(old, new.format(escape(data[name], quote=True)).encode(), 1)
    return body


@pytest.mark.parametrize("kind", ["edit", "order"])
def test_cxml_numbers_get_a_status_never_a_5xx(
    client: FlaskClient, connection: Connection, kind: str
) -> None:
    def post(data: dict[str, str]) -> TestResponse:
        return client.post("/cxml", data=_document(kind, data), content_type="text/xml")

    defaults = {"quantity": "7", "lineNumber": "1", "price": "0.85", "total": "5.95"}
    _fuzz(post, connection, defaults)
