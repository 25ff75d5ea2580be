"""Catalog files for buyers' procurement systems: CIF 3.0, a cXML Index and BMEcat 2005.

Pure: items in, text or bytes out to a stream the caller owns; no database, no Flask. Each
writer takes the items as an iterable so that a catalog of any size streams through.
"""

from __future__ import annotations

from gateway.catalogs.items import CatalogHeader, CatalogItem, PriceTier

__all__ = ["CatalogHeader", "CatalogItem", "PriceTier"]
