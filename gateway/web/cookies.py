"""The session cookie: SameSite=Lax, except a punchout session served over TLS.

A buyer's procurement system may show the shop inside its own frame, where a Lax cookie is not
sent; a punchout session's cookie is therefore `SameSite=None; Secure` (only over https), and
the CSRF token on every form is then its defence. Every other session stays Lax.
"""

from __future__ import annotations

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

PUNCHOUT_KEY = "punchout"


class ShopSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with the SameSite rule above."""

    def get_cookie_samesite(self, app: Flask) -> str | None:
        if app.config["SESSION_COOKIE_SECURE"] and session.get(PUNCHOUT_KEY):
            return "None"
        return super().get_cookie_samesite(app)
