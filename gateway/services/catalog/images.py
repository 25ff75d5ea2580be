"""Product images the gateway stores itself: checked on import, generated for the demo.

Images come from files next to an imported catalog (CSV `image_file`, BMEcat `MIME_SOURCE`),
never from the network. A file must stay inside the catalog's folder, be at most
`MAX_IMAGE_BYTES` and be a PNG, JPEG or WebP by its first bytes (whatever its name says). SVG is
refused on import: it can carry scripts and links. The only SVGs stored are the ones
`generated_svg` writes for demo products, from our own template with escaped text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.models import ProductImage

MAX_IMAGE_BYTES = 2 * 1024 * 1024
SVG = "image/svg+xml"
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)

# A neutral picture for products without one: a framed landscape in light grey.
PLACEHOLDER = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 160" role="img">'
    b'<rect width="160" height="160" fill="#eef1f4"/>'
    b'<rect x="44" y="50" width="72" height="60" rx="6" fill="none" stroke="#b3bcc6" '
    b'stroke-width="4"/><circle cx="66" cy="70" r="7" fill="#b3bcc6"/>'
    b'<path d="M48 106l22-22 14 14 10-10 18 18z" fill="#b3bcc6"/></svg>'
)

# Calm colours per top category of the demo catalogue (background, text).
_PALETTE = (
    ("#dbe7f3", "#1f4f82"),
    ("#e3efe4", "#2f6b3a"),
    ("#f4e9d8", "#7a5418"),
    ("#ece4f2", "#5a3d7a"),
    ("#f3e0e0", "#8a2f2f"),
    ("#e0eef0", "#1f6670"),
)


class ImageError(ValueError):
    """A product image that cannot be stored, and why (a sentence for the import report)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ImageFile:
    """A checked image file next to a catalog: read its bytes when writing."""

    path: Path
    content_type: str

    def read(self) -> bytes:
        data = self.path.read_bytes()[: MAX_IMAGE_BYTES + 1]
        if len(data) > MAX_IMAGE_BYTES or sniff(data) != self.content_type:
            raise ImageError(f"image file {self.path.name!r} changed during the import")
        return data


def sniff(head: bytes) -> str:
    """The content type of an image by its first bytes; ImageError for anything else."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"<svg" in head[:1024].lower() or head.lstrip()[:5].lower() == b"<?xml":
        raise ImageError("SVG images are not accepted: use PNG, JPEG or WebP")
    raise ImageError("is not a PNG, JPEG or WebP image")


def check_file(folder: Path, name: str) -> ImageFile:
    """A file named relative to `folder`, checked: inside it, small enough, a known image."""
    if not name or "\\" in name or name.startswith("/") or ":" in name:
        raise ImageError(f"image file {name!r} must be a path relative to the catalog's folder")
    base = folder.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base):
        raise ImageError(f"image file {name!r} is outside the catalog's folder")
    if not path.is_file():
        raise ImageError(f"image file {name!r} does not exist")
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise ImageError(f"image file {name!r} is larger than {MAX_IMAGE_BYTES // 1024} KiB")
    with path.open("rb") as stream:
        head = stream.read(1024)
    try:
        content_type = sniff(head)
    except ImageError as exc:
        raise ImageError(f"image file {name!r} {exc}") from None
    return ImageFile(path=path, content_type=content_type)


def store(session: Session, *, product_id: int, content_type: str, data: bytes) -> ProductImage:
    """Set a product's image (replacing the one it had)."""
    image = session.get(ProductImage, product_id)
    if image is None:
        image = ProductImage(product_id=product_id)
        session.add(image)
    image.content_type = content_type
    image.data = data
    image.digest = hashlib.sha256(data).hexdigest()
    image.updated_at = utcnow()
    return image


def versions(session: Session, product_ids: Iterable[int]) -> dict[int, str]:
    """The image digest of each product that has an image (one query for a whole page)."""
    ids = list(product_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ProductImage.product_id, ProductImage.digest).where(ProductImage.product_id.in_(ids))
    )
    return {row.product_id: row.digest for row in rows}


def generated_svg(*, name: str, family: int) -> bytes:
    """A demo product's picture: its initials on a calm colour of its family (our own SVG)."""
    background, ink = _PALETTE[family % len(_PALETTE)]
    words = [word for word in name.replace(",", " ").split() if word[:1].isalnum()]
    initials = escape("".join(word[0] for word in words[:2]).upper() or "?")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 160 160" role="img">'
        f'<rect width="160" height="160" fill="{background}"/>'
        f'<circle cx="80" cy="80" r="50" fill="#ffffff" fill-opacity="0.55"/>'
        f'<text x="80" y="96" text-anchor="middle" font-family="system-ui, sans-serif" '
        f'font-size="44" font-weight="600" fill="{ink}">{initials}</text></svg>'
    ).encode()
