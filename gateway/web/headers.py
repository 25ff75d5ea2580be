"""Content-Security-Policy and HSTS on every page (security-checklist.md §3, "Cookies, framing").

Pages load scripts, styles and images from the gateway only and post forms to it only; the one
exception, the cart-return page, names its stored return URL's origin itself (`form_action`).
No page may be framed (`frame-ancestors 'none'` and `X-Frame-Options: DENY`) except the pages of
a punchout, which the partner's listed hosts (and only they) may frame (`allow_framing`).
Directives a view or `gateway.punchout.frames` already set are kept. HSTS is sent when the
gateway is served over TLS (GATEWAY_BASE_URL is https).
"""

from __future__ import annotations

from collections.abc import Sequence
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
#: Sent with every answer, page or not (`gateway.web.app`, and the setup lane below Flask).
EVERY_ANSWER = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"))
FRAME_ANCESTORS = "frame-ancestors"
NOWHERE = "'none'"


def form_action(url: str) -> str:
    """The policy letting a page post to `url`'s origin as well as to the gateway."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        target = f"{parts.scheme}://{parts.netloc}"
    else:  # SAPEVENT:POST and the like: the scheme is all a policy can name
        target = f"{parts.scheme.lower()}:"
    return f"form-action 'self' {target}"


def allow_framing(response: Response, hosts: Sequence[str]) -> None:
    """Let exactly `hosts` (a punchout partner's frame hosts) frame this page; with none, no
    one may. Any frame-ancestors set before is replaced, the page's other directives kept."""
    kept = [part for part in _directives(response) if _name(part) != FRAME_ANCESTORS]
    response.headers[CSP] = "; ".join([*kept, f"{FRAME_ANCESTORS} {' '.join(hosts) or NOWHERE}"])


def security_headers(response: Response) -> Response:
    """Complete the page's Content-Security-Policy (framed nowhere unless a view allowed it);
    add HSTS over TLS."""
    transport_security = hsts(current_app.config["GATEWAY_BASE_URL"])
    if transport_security is not None:
        response.headers.setdefault("Strict-Transport-Security", transport_security)
    if response.mimetype != "text/html":
        return response
    present = _directives(response)
    names = {_name(part) for part in present}
    policy = [f"{name} {value}" for name, value in BASE_POLICY if name not in names] + present
    if FRAME_ANCESTORS not in names:
        policy.append(f"{FRAME_ANCESTORS} {NOWHERE}")
    response.headers[CSP] = "; ".join(policy)
    if f"{FRAME_ANCESTORS} {NOWHERE}" in policy:
        response.headers.setdefault("X-Frame-Options", "DENY")  # for browsers without CSP 2
    return response


def hsts(base_url: str) -> str | None:
    """The Strict-Transport-Security value when the gateway is served over TLS, else None."""
    return f"max-age={HSTS_SECONDS}" if base_url.startswith("https://") else None


def _directives(response: Response) -> list[str]:
    return [part.strip() for part in response.headers.get(CSP, "").split(";") if part.strip()]


def _name(directive: str) -> str:
    return directive.split(maxsplit=1)[0].lower()
