"""`Content-Security-Policy: frame-ancestors` on a partner's punchout shop pages.

Buyers that embed the shop in a frame of their procurement system list their hosts on the
partner page; every page of that partner's punchout shop session then names them (and only them).
Every other page, and the pages of a partner that lists none, may be framed by no one
(`gateway.web.headers`).
"""

from __future__ import annotations

from flask import g
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from gateway.services.partners.admin import frame_ancestors
from gateway.web.headers import allow_framing


def frame_ancestors_header(response: Response) -> Response:
    """Add the partner's frame-ancestors policy to pages served to its punchout session."""
    shopper = g.get("shopper")
    if shopper is None or response.mimetype != "text/html":
        return response
    try:
        punchout = shopper.punchout
        hosts = frame_ancestors(punchout.partner) if punchout is not None else []
    except SQLAlchemyError:  # the database went away during the request: frame nowhere
        allow_framing(response, [])
        return response
    if punchout is not None:
        allow_framing(response, hosts)
    return response
