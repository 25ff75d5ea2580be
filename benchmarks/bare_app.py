"""The reference for `setup_rps_ratio`: a bare Flask app that reads the body and answers a
constant cXML Response, served by the same gunicorn with the same load."""

from __future__ import annotations

from flask import Flask, Response, request

ANSWER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">\n'
    b'<cXML payloadID="1@bench" timestamp="2026-01-01T00:00:00+00:00"><Response>'
    b'<Status code="200" text="OK"/><PunchOutSetupResponse><StartPage>'
    b"<URL>http://127.0.0.1/punchout/start/token</URL></StartPage></PunchOutSetupResponse>"
    b"</Response></cXML>"
)

app = Flask(__name__)


@app.post("/cxml")
def cxml() -> Response:
    """Read the body, answer a constant document."""
    request.get_data()
    return Response(ANSWER, content_type="text/xml; charset=UTF-8")
