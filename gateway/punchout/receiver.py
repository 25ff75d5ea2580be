"""A cart receiver that stands in for the buyer's procurement system in demos and browser tests.

`POST /tools/simulator/receive` decodes the returned PunchOutOrderMessage (or an OCI form of
`NEW_ITEM-*` fields) and shows it. It is
off unless GATEWAY_SIMULATOR is set (`gateway demo` turns it on). It needs no login: the
StartPage replaced the integrator's login in this browser. The simulator itself
(`gateway.admin.simulator`) turns a received cart into an edit request.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Blueprint, abort, current_app, render_template, request

from gateway import cxml, oci
from gateway.cxml import CXMLError, PunchOutOrderMessage
from gateway.services.partners.simulator import check_oci_return

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
    dtd_dir = current_app.config["GATEWAY_CXML_DTD_DIR"]
    try:
        raw = cxml.decode_cart(request.form)
    except CXMLError as exc:
        return render_template("tools/received.html", error=exc.text, message=None), 400
    problems = cxml.lint.check(raw, dtd_dir=dtd_dir)
    text = raw.decode("utf-8", "replace")
    try:
        document = cxml.parse(raw)
    except CXMLError as exc:
        return render_template(
            "tools/received.html", error=exc.text, message=None, problems=problems, raw=text
        ), 400
    message = document.payload
    if not isinstance(message, PunchOutOrderMessage):
        return render_template(
            "tools/received.html",
            error="not a PunchOutOrderMessage",
            message=None,
            problems=problems,
            raw=text,
        ), 400
    return render_template(
        "tools/received.html",
        error=None,
        message=message,
        payload_id=document.payload_id,
        dtd_errors=[str(p) for p in problems if p.check == "dtd"] if dtd_dir else None,
        problems=problems,
        raw=text,
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
    return render_template(
        "tools/received_oci.html",
        returned=returned,
        charset=charset,
        problems=check_oci_return(returned),
    )
