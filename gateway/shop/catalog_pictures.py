"""Product pictures as responses: the shop's own picture URL and the signed links that catalog
files name for buyers' catalog loaders (`gateway.services.catalog.picture_links`).

A signed link needs no session: its signature is the permission, and it answers only while the
product is in the customer's assortment.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from werkzeug.wrappers import Response

from gateway.models import ProductImage
from gateway.services.catalog import images, picture_links
from gateway.web.database import get_session

blueprint = Blueprint("catalog_pictures", __name__)

# Never a document: no script, no links, even when opened on its own.
_SANDBOX = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@blueprint.get(f"{picture_links.PATH}/<customer>/<sku>/<name>")
def linked_picture(customer: str, sku: str, name: str) -> Response:
    """The picture a catalog file links to; 404 for a wrong signature or a product the
    customer no longer has."""
    image = picture_links.picture(
        get_session(),
        key=current_app.config["GATEWAY_PICTURE_KEY"],
        customer=customer,
        sku=sku,
        name=name,
    )
    return stored_picture(image)


def stored_picture(image: ProductImage) -> Response:
    """A stored picture, cacheable by its digest and answered 304 when unchanged."""
    response = Response(image.data, mimetype=image.content_type)
    response.set_etag(image.digest)
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Security-Policy"] = _SANDBOX
    response.make_conditional(request)
    return response


def placeholder() -> Response:
    """The neutral picture of a product without one."""
    response = Response(images.PLACEHOLDER, mimetype=images.SVG)
    response.headers["X-Placeholder"] = "1"
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Security-Policy"] = _SANDBOX
    return response
