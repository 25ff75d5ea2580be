"""Signed cXML: the layout, the pinned certificate, and the attacks of checklist §6 (24-33)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from gateway import cxml
from gateway.cxml import (
    SignatureInvalidError,
    SignatureRequiredError,
    SignatureUnacceptableError,
    StatusCode,
)
from gateway.cxml.hardened_xml import parse_xml
from gateway.cxml.signing import DS, sign, verified_document
from tests import buyer
from tests.cxml_checks import assert_valid_cxml
from tests.unit.cxml.conftest import Listener


def make_keypair(name: str) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    return (
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        certificate.public_bytes(serialization.Encoding.PEM),
    )


BUYER_KEY, BUYER_CERT = make_keypair("buyer")
ATTACKER_KEY, ATTACKER_CERT = make_keypair("attacker")


def signed_order(**changes: object) -> bytes:
    return sign(buyer.order_request(**changes), key_pem=BUYER_KEY, certificate_pem=BUYER_CERT)  # type: ignore[arg-type]


def tree(body: bytes) -> etree._Element:
    return parse_xml(body)


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root)


def ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def test_signed_order_verifies_and_parses() -> None:
    body = signed_order(order_id="PO-SIGNED")
    assert b'signatureVersion="1.0"' in body
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE cXML')
    assert_valid_cxml(body)
    document = cxml.parse(verified_document(body, certificate_pem=BUYER_CERT))
    assert isinstance(document.payload, cxml.OrderRequest)
    assert document.payload.order_id == "PO-SIGNED"
    signature = tree(body).find(ds("Signature"))
    assert signature is not None
    assert [etree.QName(child).localname for child in signature] == [
        "SignedInfo",
        "SignatureValue",
        "KeyInfo",
        "Object",
        "Object",
    ]


def test_unsigned_document_is_475() -> None:
    with pytest.raises(SignatureRequiredError) as caught:
        verified_document(buyer.order_request(), certificate_pem=BUYER_CERT)
    assert caught.value.status is StatusCode.SIGNATURE_REQUIRED


def test_signature_removed_is_475() -> None:
    root = tree(signed_order())
    root.remove(root.find(ds("Signature")))
    with pytest.raises(SignatureRequiredError):
        verified_document(serialise(root), certificate_pem=BUYER_CERT)


def test_tampered_content_is_476() -> None:
    body = signed_order().replace(b'quantity="2"', b'quantity="200"', 1)
    with pytest.raises(SignatureInvalidError) as caught:
        verified_document(body, certificate_pem=BUYER_CERT)
    assert caught.value.status is StatusCode.SIGNATURE_VERIFICATION_FAILED


def test_signed_request_moved_into_an_object_with_a_forged_one_in_place() -> None:
    root = tree(signed_order())
    signed_request = root.find("Request")
    forged = copy.deepcopy(signed_request)
    forged.find("OrderRequest/ItemOut").set("quantity", "999")
    forged.attrib.pop("Id")
    root.replace(signed_request, forged)
    object_element = etree.SubElement(root.find(ds("Signature")), ds("Object"))
    object_element.append(signed_request)
    with pytest.raises(SignatureInvalidError):
        verified_document(serialise(root), certificate_pem=BUYER_CERT)


def test_duplicate_id_with_the_forged_element_first() -> None:
    root = tree(signed_order())
    signed_request = root.find("Request")
    forged = copy.deepcopy(signed_request)
    forged.find("OrderRequest/ItemOut").set("quantity", "999")
    root.find("Header").append(forged)
    with pytest.raises(SignatureInvalidError, match="cXMLData must occur exactly once"):
        verified_document(serialise(root), certificate_pem=BUYER_CERT)


@pytest.mark.parametrize("uri", ["#cXMLSignedInfo", "http://127.0.0.1:{port}/"])
def test_extra_or_external_references_are_refused_without_fetching(
    uri: str, listener: Listener
) -> None:
    root = tree(signed_order())
    signed_info = root.find(f"{ds('Signature')}/{ds('SignedInfo')}")
    extra = copy.deepcopy(signed_info.find(ds("Reference")))
    extra.set("URI", uri.format(port=listener.port))
    signed_info.append(extra)
    with pytest.raises(SignatureInvalidError, match="SignedInfo must reference"):
        verified_document(serialise(root), certificate_pem=BUYER_CERT)
    assert listener.connections() == 0


def test_only_reference_to_an_irrelevant_element_is_refused() -> None:
    root = tree(signed_order())
    signed_info = root.find(f"{ds('Signature')}/{ds('SignedInfo')}")
    for reference in signed_info.findall(ds("Reference"))[1:]:
        signed_info.remove(reference)
    with pytest.raises(SignatureInvalidError):
        verified_document(serialise(root), certificate_pem=BUYER_CERT)


def test_attacker_key_and_certificate_are_477() -> None:
    body = sign(buyer.order_request(), key_pem=ATTACKER_KEY, certificate_pem=ATTACKER_CERT)
    with pytest.raises(SignatureUnacceptableError) as caught:
        verified_document(body, certificate_pem=BUYER_CERT)
    assert caught.value.status is StatusCode.SIGNATURE_UNACCEPTABLE


def test_attacker_key_with_the_pinned_certificate_in_key_info_is_476() -> None:
    root = tree(sign(buyer.order_request(), key_pem=ATTACKER_KEY, certificate_pem=ATTACKER_CERT))
    pinned = "".join(BUYER_CERT.decode().splitlines()[1:-1])
    for element in root.iter(ds("X509Certificate")):
        element.text = pinned
    with pytest.raises(SignatureInvalidError):
        verified_document(serialise(root), certificate_pem=BUYER_CERT)


def test_key_value_beside_the_certificate_is_refused() -> None:
    root = tree(signed_order())
    key_info = root.find(f"{ds('Signature')}/{ds('KeyInfo')}")
    etree.SubElement(key_info, ds("KeyValue")).text = "attacker"
    with pytest.raises(SignatureInvalidError, match="certificate only"):
        verified_document(serialise(root), certificate_pem=BUYER_CERT)


@pytest.mark.parametrize(
    ("tag", "algorithm"),
    [
        ("SignatureMethod", "http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
        ("DigestMethod", "http://www.w3.org/2000/09/xmldsig#sha1"),
    ],
)
def test_sha1_is_477(tag: str, algorithm: str) -> None:
    root = tree(signed_order())
    next(root.iter(ds(tag))).set("Algorithm", algorithm)
    with pytest.raises(SignatureUnacceptableError, match="SHA-1"):
        verified_document(serialise(root), certificate_pem=BUYER_CERT)


def test_payload_id_must_match_the_signed_info() -> None:
    root = tree(signed_order())
    root.set("payloadID", "replayed@attacker")
    with pytest.raises(SignatureInvalidError, match="payloadID"):
        verified_document(serialise(root), certificate_pem=BUYER_CERT)


def test_signature_must_follow_the_signed_body() -> None:
    root = tree(signed_order())
    signature = root.find(ds("Signature"))
    root.remove(signature)
    root.insert(0, signature)
    with pytest.raises(SignatureInvalidError, match="follow the signed body"):
        verified_document(serialise(root), certificate_pem=BUYER_CERT)


def test_comment_in_signed_text_does_not_change_what_is_read() -> None:
    root = tree(signed_order(order_id="PO-REAL"))
    header = root.find("Request/OrderRequest/OrderRequestHeader")
    header.append(etree.Comment("injected"))
    document = cxml.parse(verified_document(serialise(root), certificate_pem=BUYER_CERT))
    assert isinstance(document.payload, cxml.OrderRequest)
    assert document.payload.order_id == "PO-REAL"
