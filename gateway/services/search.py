"""Catalogue search and category browsing, on the index the migrations build.

SQLite: the FTS5 table `product_search` (kept in sync by triggers); PostgreSQL: a GIN index on
`to_tsvector('simple', …)` (hyphens read as spaces, so part numbers split into words as FTS5
splits them). Both match every word of the query as a prefix, in SKU, names, manufacturer part
number and descriptions; the service API is the same on both engines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import Session

from gateway.models import Category, Product
from gateway.services.assortment import Assortment

MAX_TERMS = 8
PAGE_SIZE = 48
_WORD = re.compile(r"[^\W_]+")

# The same expression as the GIN index of migration 0005, so PostgreSQL can use it.
_PG_MATCH = (
    "to_tsvector('simple', translate(coalesce(sku, '') || ' ' || coalesce(name, '') || ' ' || "
    "coalesce(name_nl, '') || ' ' || coalesce(manufacturer_part_id, '') || ' ' || "
    "coalesce(description, '') || ' ' || coalesce(description_nl, ''), '-', ' ')) "
    "@@ to_tsquery('simple', :terms)"
)
_SQLITE_MATCH = "SELECT rowid FROM product_search WHERE product_search MATCH :terms"


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchPage:
    """One page of results and where it sits among all of them."""

    products: tuple[Product, ...]
    total: int
    page: int
    pages: int


def search_products(
    session: Session,
    *,
    assortment: Assortment,
    query: str = "",
    category_id: int | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SearchPage:
    """Active products of the assortment matching `query` (all words, as prefixes), by SKU."""
    conditions = [Product.active, assortment.condition()]
    terms = _WORD.findall(query.lower())[:MAX_TERMS]
    if terms:
        conditions.append(_matches(session, terms))
    if category_id is not None:
        conditions.append(Product.category_id.in_(category_and_descendants(session, category_id)))
    total = session.scalar(select(func.count(Product.id)).where(*conditions)) or 0
    pages = max((total + page_size - 1) // page_size, 1)
    page = min(max(page, 1), pages)
    if not total:  # nothing to fetch; also spares PostgreSQL a walk along the SKU index
        return SearchPage(products=(), total=0, page=1, pages=1)
    products = session.scalars(
        select(Product)
        .where(*conditions)
        .order_by(Product.sku)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return SearchPage(products=tuple(products), total=total, page=page, pages=pages)


def has_words(query: str) -> bool:
    """True when `query` holds something to search for (punctuation alone matches nothing)."""
    return bool(_WORD.search(query))


def category_and_descendants(session: Session, category_id: int) -> list[int]:
    """The category and every category below it (the tree is small: one query, walked here)."""
    children: dict[int | None, list[int]] = {}
    for node_id, parent_id in session.execute(select(Category.id, Category.parent_id)):
        children.setdefault(parent_id, []).append(node_id)
    found, todo = [], [category_id]
    while todo:
        node = todo.pop()
        found.append(node)
        todo.extend(children.get(node, []))
    return found


def _matches(session: Session, terms: list[str]) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return text(_PG_MATCH).bindparams(terms=" & ".join(f"{term}:*" for term in terms))
    return Product.id.in_(
        text(_SQLITE_MATCH)
        .bindparams(terms=" ".join(f'"{term}"*' for term in terms))
        .columns(rowid=Product.id.type)
    )
