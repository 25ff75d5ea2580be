"""Content-Security-Policy and HSTS on every page (security-checklist.md §3, "Cookies, framing").

Pages load scripts, styles and images from the gateway only and post forms to it only; the one
exception, the cart-return page, names its stored return URL's origin itself (`form_action`).
Directives a view or `gateway.punchout.frames` already set (frame-ancestors per partner) are
kept. HSTS is sent when the gateway is served over TLS (GATEWAY_BASE_URL is https).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.wrappers import Response

CSP = "Content-Security-Policy"
BASE_POLICY = (
    ("default-src", "'self'"),
    ("style-src-attr", "'unsafe-inline'"),  # computed widths (the budget bar); no style tags
    ("object-src", "'none'"),
    ("base-uri", "'none'"),
    ("form-action", "'self'"),
)
HSTS_SECONDS = 365 * 24 * 3600


def form_action(url: str) -> str:
    """The policy letting a page post to `url`'s origin as well as to the gateway."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        target = f"{parts.scheme}://{parts.netloc}"
    else:  # SAPEVENT:POST and the like: the scheme is all a policy can name
        target = f"{parts.scheme.lower()}:"
    return f"form-action 'self' {target}"


def security_headers(response: Response) -> Response:
    """Complete the page's Content-Security-Policy; add HSTS over TLS."""
    if current_app.config["GATEWAY_BASE_URL"].startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
    if response.mimetype != "text/html":
        return response
    present = [part.strip() for part in response.headers.get(CSP, "").split(";") if part.strip()]
    names = {part.split()[0].lower() for part in present}
    policy = [f"{name} {value}" for name, value in BASE_POLICY if name not in names] + present
    response.headers[CSP] = "; ".join(policy)
    return response
