"""A cart receiver that stands in for the buyer's procurement system in demos and browser tests.

`POST /tools/simulator/receive` decodes the returned PunchOutOrderMessage and shows it. It is
off unless GATEWAY_SIMULATOR is set (`gateway demo` turns it on); the full buyer simulator
grows from here.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from gateway import cxml
from gateway.cxml import CXMLError, PunchOutOrderMessage

blueprint = Blueprint("tools", __name__, url_prefix="/tools")


@blueprint.post("/simulator/receive")
def receive_cart() -> tuple[str, int] | str:
    """Show the cart a punchout returned, as a buyer's system would read it."""
    if not current_app.config["GATEWAY_SIMULATOR"]:
        abort(404)
    try:
        document = cxml.parse(cxml.decode_cart(request.form))
    except CXMLError as exc:
        return render_template("tools/received.html", error=exc.text, message=None), 400
    message = document.payload
    if not isinstance(message, PunchOutOrderMessage):
        return render_template(
            "tools/received.html", error="not a PunchOutOrderMessage", message=None
        ), 400
    dtd_dir = current_app.config["GATEWAY_CXML_DTD_DIR"]
    dtd_errors = (
        list(cxml.dtd.iter_errors(cxml.decode_cart(request.form), dtd_dir)) if dtd_dir else None
    )
    return render_template(
        "tools/received.html",
        error=None,
        message=message,
        payload_id=document.payload_id,
        dtd_errors=dtd_errors,
    )
