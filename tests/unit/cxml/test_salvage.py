"""`claimed_from`: the From credentials of a body that is never parsed."""

from __future__ import annotations

from gateway.cxml.salvage import claimed_from
from tests import buyer


def test_the_from_credentials_of_a_document_are_read_in_order() -> None:
    body = buyer.setup_request().replace(
        b"</From>",
        b"<Credential domain='DUNS'>\n<Identity>987&amp;654</Identity></Credential></From>",
    )
    assert claimed_from(body) == (("NetworkID", "AN01000000001"), ("DUNS", "987&654"))


def test_a_cut_or_odd_body_names_nobody() -> None:
    body = buyer.setup_request()
    assert claimed_from(body[: body.index(b"</From>")]) == ()  # cut inside From
    assert claimed_from(b"<cXML><Header><To/></Header></cXML>") == ()
    assert claimed_from(b"not xml at all") == ()
    no_domain = b"<From><Credential><Identity>x</Identity></Credential></From>"
    assert claimed_from(no_domain) == ()


def test_only_the_sender_of_the_from_header_counts() -> None:
    """The Sender's credential (or one after From) is not read as the From identity."""
    body = buyer.setup_request(identity=("NetworkID", "AN-FROM"))
    sender = body[body.index(b"<Sender>") :]
    assert claimed_from(sender) == ()
