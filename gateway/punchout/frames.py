"""`Content-Security-Policy: frame-ancestors` on a partner's punchout shop pages.

Buyers that embed the shop in a frame of their procurement system list their hosts on the
partner page; every page of that partner's punchout shop session then names them (and only them).
"""

from __future__ import annotations

from flask import g
from werkzeug.wrappers import Response

from gateway.services.partner_admin import frame_ancestors


def frame_ancestors_header(response: Response) -> Response:
    """Add the partner's frame-ancestors policy to pages served to its punchout session."""
    shopper = g.get("shopper")
    punchout = shopper.punchout if shopper is not None else None
    if punchout is None or response.mimetype != "text/html":
        return response
    hosts = frame_ancestors(punchout.partner)
    if hosts:
        response.headers["Content-Security-Policy"] = "frame-ancestors 'self' " + " ".join(hosts)
    return response
