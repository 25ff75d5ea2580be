"""A cart receiver that stands in for the buyer's procurement system in demos and browser tests.

`POST /tools/simulator/receive` decodes the returned PunchOutOrderMessage (or an OCI form of
`NEW_ITEM-*` fields) and shows it. It is
off unless GATEWAY_SIMULATOR is set (`gateway demo` turns it on); the full buyer simulator
grows from here.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, abort, current_app, render_template, request

from gateway import cxml, oci
from gateway.cxml import CXMLError, PunchOutOrderMessage

blueprint = Blueprint("tools", __name__, url_prefix="/tools")


@blueprint.post("/simulator/receive")
def receive_cart() -> tuple[str, int] | str:
    """Show the cart a punchout returned, as a buyer's system would read it."""
    if not current_app.config["GATEWAY_SIMULATOR"]:
        abort(404)
    body = request.get_data(cache=True)  # read first: the form is then parsed from the copy
    if request.mimetype == "application/x-www-form-urlencoded" and not any(
        key.lower() in ("cxml-base64", "cxml-urlencoded") for key in request.form
    ):
        return _receive_oci(body)
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


def _receive_oci(body: bytes) -> str:
    """Show an OCI cart (NEW_ITEM-* fields) read as SRM would; an empty form is a cancel.

    The form's charset is not sent by browsers: UTF-8 when the body decodes as such, else
    ISO-8859-1 (the two charsets the gateway answers OCI buyers in).
    """
    text = body.decode("ascii", "replace")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
        charset = "UTF-8"
    except UnicodeDecodeError:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="iso-8859-1")
        charset = "ISO-8859-1"
    returned = oci.parse_return(pairs)
    return render_template("tools/received_oci.html", returned=returned, charset=charset)
