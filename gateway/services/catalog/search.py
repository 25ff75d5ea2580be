"""Catalog search and category browsing, on the index the migrations build.

SQLite: the FTS5 table `product_search` (kept in sync by triggers); PostgreSQL: a GIN index on
`to_tsvector('simple', …)` (hyphens read as spaces, so part numbers split into words as FTS5
splits them). Both match every word of the query as a prefix, in SKU, names, manufacturer part
number and descriptions; the service API is the same on both engines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnExpressionArgument, SQLColumnExpression, select, text
from sqlalchemy.orm import Session

from gateway.models import Category, Product
from gateway.services.catalog.assortment import Assortment

MAX_TERMS = 8
PAGE_SIZE = 48
COUNT_LIMIT = 1_000  # hits counted exactly; a search with more says "more than 1,000"
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
    """One page of results and where it sits among all of them.

    Hits are counted up to `COUNT_LIMIT`: `more` says there are more than `total`, and `pages`
    then covers the first `COUNT_LIMIT` hits (narrow the search to reach the rest).
    """

    products: tuple[Product, ...]
    total: int
    page: int
    pages: int
    more: bool = False


def search_products(
    session: Session,
    *,
    assortment: Assortment,
    query: str = "",
    category_id: int | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> SearchPage:
    """Active products of the assortment matching `query` (all words, as prefixes), by SKU.

    Costs about the same at any catalog size: hits are found up to `COUNT_LIMIT`; when there
    are no more, those are sorted, else (hits are dense) the SKU index is walked and filtered.
    """
    terms = _WORD.findall(query.lower())[:MAX_TERMS]
    categories = None if category_id is None else category_and_descendants(session, category_id)
    conditions = _conditions(session, assortment, terms, categories, walk_sku_index=False)
    hits = session.scalars(select(Product.id).where(*conditions).limit(COUNT_LIMIT + 1)).all()
    if not hits:  # nothing to fetch; also spares PostgreSQL a walk along the SKU index
        return SearchPage(products=(), total=0, page=1, pages=1)
    more = len(hits) > COUNT_LIMIT
    total = min(len(hits), COUNT_LIMIT)
    pages = max((total + page_size - 1) // page_size, 1)
    page = min(max(page, 1), pages)
    if more:  # many hits: walk the SKU index until the page is full, filtering as it goes
        found = select(Product).where(
            *_conditions(session, assortment, terms, categories, walk_sku_index=True)
        )
    else:  # few: sort those already found, without matching the text again
        found = select(Product).where(Product.id.in_(hits))
    products = session.scalars(
        found.order_by(Product.sku).offset((page - 1) * page_size).limit(page_size)
    )
    return SearchPage(products=tuple(products), total=total, page=page, pages=pages, more=more)


def _conditions(
    session: Session,
    assortment: Assortment,
    terms: list[str],
    categories: list[int] | None,
    *,
    walk_sku_index: bool,
) -> list[ColumnExpressionArgument[bool]]:
    """The WHERE clause of a search. `walk_sku_index` keeps SQLite from driving the query by
    the text or category index (unary `+ 0` disqualifies a term from index use): with many
    hits, walking the SKU index until a page is full beats sorting every hit. PostgreSQL's
    planner weighs this itself, from its statistics."""
    unindexed = walk_sku_index and session.get_bind().dialect.name == "sqlite"
    product_id = Product.id + 0 if unindexed else Product.id
    category = Product.category_id + 0 if unindexed else Product.category_id
    conditions: list[ColumnExpressionArgument[bool]] = [Product.active, assortment.condition()]
    if terms:
        conditions.append(_matches(session, terms, product_id))
    if categories is not None:
        conditions.append(category.in_(categories))
    return conditions


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


def _matches(
    session: Session, terms: list[str], product_id: SQLColumnExpression[int]
) -> ColumnExpressionArgument[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return text(_PG_MATCH).bindparams(terms=" & ".join(f"{term}:*" for term in terms))
    return product_id.in_(
        text(_SQLITE_MATCH)
        .bindparams(terms=" ".join(f'"{term}"*' for term in terms))
        .columns(rowid=Product.id.type)
    )
