"""What support can still read from a body that was refused unparsed: who it claims to be from.

The body is never parsed. A bounded, linear scan of its head finds the first `<From>` element
and the (domain, identity) pairs of its Credentials, so that a document that was too large,
mislabelled or broken can be traced to its sender. Nothing read here is trusted: it only names
the partner of a refusal in the message log.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import unescape

HEAD_BYTES = 64 * 1024  # the From header sits in the first few hundred bytes of a cXML document
_FROM_BYTES = 8 * 1024
_CREDENTIAL = re.compile(
    rb"<Credential\b([^<>]*)>\s*<Identity\b[^<>]*>([^<]{1,400})</Identity\s*>", re.DOTALL
)
_DOMAIN = re.compile(rb"""\bdomain\s*=\s*(?:"([^"<]{1,200})"|'([^'<]{1,200})')""")


def claimed_from(body: bytes) -> tuple[tuple[str, str], ...]:
    """The (domain, identity) pairs of the first From header in `body`'s head, in order."""
    head = body[:HEAD_BYTES]
    start = head.find(b"<From")
    end = head.find(b"</From", start)
    if start < 0 or end < 0:
        return ()
    pairs = []
    for attributes, identity in _CREDENTIAL.findall(head[start : min(end, start + _FROM_BYTES)]):
        domain = _DOMAIN.search(attributes)
        if domain is not None:
            pairs.append((_text(domain[1] or domain[2]), _text(identity)))
    return tuple((domain, identity) for domain, identity in pairs if domain and identity)


def _text(raw: bytes) -> str:
    return unescape(raw.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"}).strip()
