"""The approval inbox in a real browser (issue 17): a take-over that adds a line, and a stand-in
approving during the approver's absence."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from gateway import create_app
from gateway.auth.permissions import DEFAULT_ROLES, Permission
from gateway.migrate import upgrade
from gateway.models import Role
from gateway.services.demo import seed_demo
from gateway.services.people.users import sync_default_roles
from tests.factories import make_user
from tests.paths import dtd_setting

pytestmark = pytest.mark.browser

DEPUTY = "deputy@1001.test"


def _login(page: Page, server: str, email: str) -> None:
    page.goto(f"{server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/start")
    page.goto(f"{server}/catalog")  # the catalogue, as before the start page


def _order_awaiting_approval(page: Page, server: str, sku: str, quantity: str) -> str:
    """The requester (every order needs approval) orders; the new order's id."""
    page.goto(f"{server}/products/{sku}")
    page.fill("input[name=quantity]", quantity)
    page.click("form[action='/cart/items'] button[type=submit]")
    expect(page).to_have_url(f"{server}/cart")
    page.goto(f"{server}/checkout")
    page.click("form.checkout button[type=submit]")
    order = page.locator("article[data-order-id]")
    expect(order).to_have_attribute("data-order-status", "pending_approval")
    order_id = order.get_attribute("data-order-id")
    assert order_id is not None
    return order_id


def test_a_superuser_takes_over_an_order_and_adds_a_line(
    live_server: str, page: Page, browser: Browser
) -> None:
    _login(page, live_server, "requester@1001.demo")
    order_id = _order_awaiting_approval(page, live_server, "DEMO-0042", "3")

    approver = browser.new_context().new_page()
    approver.set_default_timeout(15_000)
    try:
        _login(approver, live_server, "superuser@1001.demo")
        approver.click("nav >> text=Approvals")
        request = approver.locator(f"section[data-order-id='{order_id}']")
        expect(request.locator("[data-requester]")).to_have_attribute(
            "data-requester", "requester@1001.demo"
        )
        expect(request.locator("[data-reason]")).to_contain_text("approval for every order")
        request.locator("input[name=quantity_1]").fill("2")
        request.locator("input[name=add_sku]").fill("DEMO-0043")
        request.locator("input[name=add_quantity]").fill("5")
        request.locator("form.take-over input[name=comment]").fill("Two are enough; add paper")
        request.locator("[data-action=take-over]").click()
        expect(approver.locator("[data-decided]")).to_be_visible()
        expect(approver.locator(f"section[data-order-id='{order_id}']")).to_have_count(0)
    finally:
        approver.context.close()

    page.goto(f"{live_server}/orders/{order_id}")
    expect(page.locator("article[data-order-id]")).to_have_attribute("data-order-status", "placed")
    expect(page.locator("tr[data-sku='DEMO-0043']")).to_be_visible()
    decision = page.locator("[data-decision='take_over']")
    expect(decision).to_have_attribute("data-decided-by", "superuser@1001.demo")
    expect(decision.locator("[data-change-sku='DEMO-0042']")).to_have_attribute("data-after", "2")
    expect(decision.locator("[data-change-sku='DEMO-0043']")).to_contain_text("Line 2 added")
    expect(decision.locator("[data-decision-comment]")).to_have_text("Two are enough; add paper")


@pytest.fixture(scope="module")
def deputy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo shop plus a colleague at 1001 who may approve but, seeing nobody's orders and
    supervising nobody, approves nothing unless they stand in; yields its base URL."""
    folder: Path = tmp_path_factory.mktemp("deputy")
    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    base_url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{folder / 'gateway.sqlite3'}",
            "GATEWAY_SECRET_KEY": "browser-test-secret",
            "GATEWAY_BASE_URL": base_url,
            "GATEWAY_CXML_DTD_DIR": dtd_setting(),
        }
    )
    database = app.extensions["gateway.db"]
    upgrade(database.engine)
    with database.session_scope() as session:
        sync_default_roles(session)
        seed_demo(session, digest_key=app.config["GATEWAY_DIGEST_KEY"])
        rights = sorted(DEFAULT_ROLES["buyer"] | {Permission.ORDER_APPROVE})
        session.add(Role(name="deputy", permissions=rights))
        session.flush()
        user = make_user(session, DEPUTY, role="deputy")
        user.name = "Dee Deputy (1001)"
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=10)
    database.engine.dispose()


def test_a_stand_in_approves_during_the_approvers_absence(
    deputy_server: str, page: Page, browser: Browser
) -> None:
    stand_in = browser.new_context().new_page()
    stand_in.set_default_timeout(15_000)
    approver = browser.new_context().new_page()
    approver.set_default_timeout(15_000)
    try:
        _login(stand_in, deputy_server, DEPUTY)
        _login(page, deputy_server, "requester@1001.demo")
        before = _order_awaiting_approval(page, deputy_server, "DEMO-0042", "1")
        stand_in.goto(f"{deputy_server}/approvals")
        expect(stand_in.locator(f"section[data-order-id='{before}']")).to_have_count(0)

        _login(approver, deputy_server, "superuser@1001.demo")
        approver.goto(f"{deputy_server}/approvals")
        approver.click("[data-absence-link]")
        form = approver.locator("form[data-absence-form]")
        today = datetime.now(UTC).date()
        # A stand-in of another customer is not even offered; a wrong order of days is refused.
        expect(form.locator("select[name=stand_in] option")).to_have_count(1)
        form.locator("input[name=starts_on]").fill((today + timedelta(days=3)).isoformat())
        form.locator("input[name=ends_on]").fill(today.isoformat())
        form.locator("select[name=stand_in]").select_option(label=f"Dee Deputy (1001) ({DEPUTY})")
        form.locator("button[type=submit]").click()
        expect(approver.locator("[data-problem=absence]")).to_contain_text(
            "cannot end before it starts"
        )
        form = approver.locator("form[data-absence-form]")
        form.locator("input[name=starts_on]").fill((today - timedelta(days=1)).isoformat())
        form.locator("input[name=ends_on]").fill((today + timedelta(days=7)).isoformat())
        form.locator("select[name=stand_in]").select_option(label=f"Dee Deputy (1001) ({DEPUTY})")
        form.locator("button[type=submit]").click()
        expect(approver.locator("[data-saved]")).to_be_visible()
        expect(approver.locator(f"tr[data-stand-in='{DEPUTY}']")).to_be_visible()

        order_id = _order_awaiting_approval(page, deputy_server, "DEMO-0042", "2")
        stand_in.goto(f"{deputy_server}/approvals")
        request = stand_in.locator(f"section[data-order-id='{order_id}']")
        expect(request.locator("[data-on-behalf-of]")).to_have_attribute(
            "data-on-behalf-of", "superuser@1001.demo"
        )
        expect(stand_in.locator(f"section[data-order-id='{before}']")).to_be_visible()
        request.locator("[data-action=approve]").click()
        expect(stand_in.locator("[data-decided]")).to_be_visible()
        expect(stand_in.locator(f"section[data-order-id='{order_id}']")).to_have_count(0)
    finally:
        stand_in.context.close()
        approver.context.close()

    page.goto(f"{deputy_server}/orders/{order_id}")
    expect(page.locator("article[data-order-id]")).to_have_attribute("data-order-status", "placed")
    decision = page.locator("[data-decision='approve']")
    expect(decision).to_have_attribute("data-decided-by", DEPUTY)
    expect(decision).to_have_attribute("data-on-behalf-of", "superuser@1001.demo")
    expect(decision).to_contain_text("on behalf of Sam Superuser (1001)")
