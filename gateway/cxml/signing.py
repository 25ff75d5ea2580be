"""cXML digital signatures (protocol-notes A.10, security-checklist §2), wrapping signxml.

Layout (XAdES, enveloped): `cXML@signatureVersion="1.0"`; the Request, Message or Response
carries `Id="cXMLData"`; `ds:Signature Id="cXMLSignature"` is the root's last child, right
after it; SignedInfo references, in order, `#cXMLSignedInfo` (a ds:Object whose
`cXMLSignedInfo@payloadID` equals the root's), `#cXMLData` and `#XAdESSignedProps`.

Verification checks that layout on the hardened parse first, pins the partner's
certificate (never one the document brings), refuses SHA-1, then reads data only from what
signxml verified. No I/O.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml.algorithms import SignatureConstructionMethod
from signxml.exceptions import InvalidInput, InvalidSignature
from signxml.signer import XMLSigner
from signxml.verifier import SignatureConfiguration, XMLVerifier

from gateway.cxml.errors import (
    SignatureInvalidError,
    SignatureRequiredError,
    SignatureUnacceptableError,
)
from gateway.cxml.hardened_xml import parse_xml

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
REFERENCES = ("#cXMLSignedInfo", "#cXMLData", "#XAdESSignedProps")
_BODIES = ("Request", "Message", "Response")
_ID_ATTRIBUTES = ("Id", "ID", "id")


def _ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def verified_document(body: bytes, *, certificate_pem: bytes) -> bytes:
    """The document rebuilt from its verified parts: the signed body replaces the sent one.

    Raises SignatureRequiredError (475) when unsigned, SignatureInvalidError (476) when the
    layout or the signature is wrong, SignatureUnacceptableError (477) for another
    certificate or a SHA-1 algorithm.
    """
    root = parse_xml(body)
    signatures = list(root.iter(_ds("Signature")))
    if not signatures:
        raise SignatureRequiredError("this partner must sign its documents")
    signature = _check_layout(root, signatures)
    _check_algorithms(signature)
    pinned = x509.load_pem_x509_certificate(certificate_pem)
    _check_certificate(signature, pinned)
    try:
        results = XMLVerifier().verify(
            root,
            x509_cert=pinned,
            expect_config=SignatureConfiguration(expect_references=len(REFERENCES)),
        )
    except (InvalidSignature, InvalidInput) as exc:
        raise SignatureInvalidError("the signature does not verify") from exc
    signed = [result.signed_xml for result in results]  # type: ignore[union-attr]
    info, data = signed[0], signed[1]
    if info is None or data is None or etree.QName(info).localname != "cXMLSignedInfo":
        raise SignatureInvalidError("the signed references are not the cXML layout")
    if info.get("payloadID") != root.get("payloadID"):
        raise SignatureInvalidError("cXMLSignedInfo payloadID differs from the document's")
    if etree.QName(data).localname not in _BODIES:
        raise SignatureInvalidError("the signed data is not the Request, Message or Response")
    original = next(root.iterchildren(*_BODIES))
    root.replace(original, data)
    root.remove(signature)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def sign(body: bytes, *, key_pem: bytes, certificate_pem: bytes) -> bytes:
    """Sign one of our documents in the cXML layout (RSA-SHA256), keeping its DOCTYPE line."""
    root = parse_xml(body)
    container = next(root.iterchildren(*_BODIES))
    container.set("Id", "cXMLData")
    root.set("signatureVersion", "1.0")
    placeholder = etree.SubElement(root, _ds("Signature"), Id="placeholder", nsmap={"ds": DS})
    info = etree.SubElement(etree.SubElement(placeholder, _ds("Object")), "cXMLSignedInfo")
    info.attrib.update(
        {"Id": "cXMLSignedInfo", "signatureVersion": "1.0", "payloadID": root.get("payloadID", "")}
    )
    qualifying = etree.SubElement(
        etree.SubElement(placeholder, _ds("Object")),
        f"{{{XADES}}}QualifyingProperties",
        Target="#cXMLSignature",
        nsmap={"xades": XADES},
    )
    properties = etree.SubElement(qualifying, f"{{{XADES}}}SignedProperties", Id="XAdESSignedProps")
    signature_properties = etree.SubElement(properties, f"{{{XADES}}}SignedSignatureProperties")
    signing_time = etree.SubElement(signature_properties, f"{{{XADES}}}SigningTime")
    signing_time.text = datetime.now(UTC).isoformat(timespec="seconds")
    certificate = x509.load_pem_x509_certificate(certificate_pem)
    cert_element = etree.SubElement(
        etree.SubElement(signature_properties, f"{{{XADES}}}SigningCertificate"),
        f"{{{XADES}}}Cert",
    )
    digest = etree.SubElement(cert_element, f"{{{XADES}}}CertDigest")
    etree.SubElement(
        digest, _ds("DigestMethod"), Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"
    )
    etree.SubElement(digest, _ds("DigestValue")).text = base64.b64encode(
        certificate.fingerprint(SHA256())
    ).decode()
    issuer_serial = etree.SubElement(cert_element, f"{{{XADES}}}IssuerSerial")
    etree.SubElement(
        issuer_serial, _ds("X509IssuerName")
    ).text = certificate.issuer.rfc4514_string()
    etree.SubElement(issuer_serial, _ds("X509SerialNumber")).text = str(certificate.serial_number)
    signed = XMLSigner(method=SignatureConstructionMethod.enveloped).sign(
        root, key=key_pem, cert=certificate_pem.decode(), reference_uri=list(REFERENCES)
    )
    signature = signed.find(_ds("Signature"))
    if signature is None:  # pragma: no cover - signxml always places it
        raise SignatureInvalidError("signing produced no signature")
    for element in signature.findall(_ds("Object")):  # XML-DSig order: Objects last
        signature.remove(element)
        signature.append(element)
    signature.set("Id", "cXMLSignature")
    prolog = body[: body.index(b"<cXML")]
    return prolog + etree.tostring(signed, encoding="UTF-8")


def _check_layout(root: etree._Element, signatures: list[etree._Element]) -> etree._Element:
    if len(signatures) != 1:
        raise SignatureInvalidError("exactly one ds:Signature is allowed")
    signature = signatures[0]
    if signature.getparent() is not root or signature.get("Id") != "cXMLSignature":
        raise SignatureInvalidError("ds:Signature must be the cXML element's child cXMLSignature")
    if root.get("signatureVersion") != "1.0":
        raise SignatureInvalidError("cXML@signatureVersion must be 1.0")
    previous = signature.getprevious()
    if previous is None or previous.tag not in _BODIES or previous.get("Id") != "cXMLData":
        raise SignatureInvalidError("ds:Signature must follow the signed body cXMLData")
    for wanted in ("cXMLData", "cXMLSignedInfo", "XAdESSignedProps", "cXMLSignature"):
        holders = [
            element
            for element in root.iter(etree.Element)
            if any(element.get(name) == wanted for name in _ID_ATTRIBUTES)
        ]
        if len(holders) != 1:
            raise SignatureInvalidError(f"the Id {wanted} must occur exactly once")
    uris = tuple(
        reference.get("URI")
        for reference in signature.iterfind(f"{_ds('SignedInfo')}/{_ds('Reference')}")
    )
    if uris != REFERENCES:
        raise SignatureInvalidError("SignedInfo must reference cXMLSignedInfo, cXMLData, XAdES")
    if signature.find(f".//{_ds('KeyValue')}") is not None:
        raise SignatureInvalidError("KeyInfo must carry the certificate only")
    return signature


def _check_algorithms(signature: etree._Element) -> None:
    methods = [
        element.get("Algorithm", "")
        for element in signature.iter(_ds("SignatureMethod"), _ds("DigestMethod"))
    ]
    if any("sha1" in method.lower() for method in methods):
        raise SignatureUnacceptableError("SHA-1 signatures are not accepted")


def _check_certificate(signature: etree._Element, pinned: x509.Certificate) -> None:
    presented = [
        "".join((element.text or "").split()) for element in signature.iter(_ds("X509Certificate"))
    ]
    expected = base64.b64encode(pinned.public_bytes(Encoding.DER)).decode()
    if any(certificate != expected for certificate in presented):
        raise SignatureUnacceptableError("the certificate is not the one agreed for this partner")
