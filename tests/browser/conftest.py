"""A live gateway on loopback and a headless Debian Chromium driven by Playwright.

The live server always uses its own SQLite file: it commits, so it must not share the database
that the rolled-back tests use.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from gateway import create_app
from gateway.migrate import upgrade
from gateway.services.demo import seed_demo
from gateway.services.people.users import sync_default_roles
from tests.paths import dtd_setting

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The gateway with demo data, served on a free loopback port; yields its base URL."""
    folder: Path = tmp_path_factory.mktemp("live")
    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    base_url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{folder / 'gateway.sqlite3'}",
            "GATEWAY_SECRET_KEY": "browser-test-secret",
            "GATEWAY_BASE_URL": base_url,
            "GATEWAY_CXML_DTD_DIR": dtd_setting(),
            "GATEWAY_SIMULATOR": True,
        }
    )
    database = app.extensions["gateway.db"]
    upgrade(database.engine)
    with database.session_scope() as session:
        sync_default_roles(session)
        seed_demo(session, digest_key=app.config["GATEWAY_DIGEST_KEY"])
    server.app = _closing_every_answer(app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base_url
    server.shutdown()
    thread.join(timeout=10)
    database.engine.dispose()


def _closing_every_answer(app: WSGIApplication) -> WSGIApplication:
    """`app`, each answer read whole and closed before the server sends it.

    When the browser drops a connection mid-answer (a page navigating on before its stylesheet
    arrived), Werkzeug's development server reads the socket before it closes the answer, the
    read fails, and a static file stays open until the garbage collector finds it: a
    ResourceWarning in whichever test runs then. gunicorn closes first; the shop's answers are
    small enough to buffer here.
    """

    def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = app(environ, start_response)
        try:
            return [b"".join(answer)]
        finally:
            if hasattr(answer, "close"):
                answer.close()

    return serve


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless (Playwright cannot download its own browser here)."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (see README)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (own cookies) and page."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
