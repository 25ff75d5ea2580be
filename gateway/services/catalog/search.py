"""Catalog search and category browsing, on the index the migrations build.

SQLite: the FTS5 table `product_search` (kept in sync by triggers); PostgreSQL: the stored
column `product.search_words`, `to_tsvector('simple', …)` of the texts (hyphens read as spaces,
so part numbers split into words as FTS5 splits them), with a GIN index (migration 0028). Both
match every word of the query as a prefix, in SKU, names, manufacturer part number and
descriptions; the service API is the same on both engines.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    ColumnExpressionArgument,
    Integer,
    Numeric,
    ScalarSelect,
    Select,
    SQLColumnExpression,
    case,
    column,
    exists,
    func,
    literal,
    select,
    table,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from gateway.models import Category, PriceListItem, Product
from gateway.models.catalog import PRICE
from gateway.services.catalog.assortment import Assortment

MAX_TERMS = 8
PAGE_SIZE = 48
COUNT_LIMIT = 1_000  # hits counted exactly; a search with more says "more than 1,000"
_WORD = re.compile(r"[^\W_]+")

# Not in the model: the migrations keep them (a stored column on PostgreSQL, FTS5 on SQLite).
_PG_MATCH = "product.search_words @@ to_tsquery('simple', :terms)"
_SQLITE_MATCH = "SELECT rowid FROM product_search WHERE product_search MATCH :terms"
_SQLITE_SEARCH = table("product_search", column("rowid", Integer))


class Sort(StrEnum):
    """The orders a result list can be sorted in (the `sort` query parameter)."""

    SKU = "sku"
    NAME = "name"
    PRICE_ASC = "price"
    PRICE_DESC = "-price"


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceBasis:
    """How the price a viewer sees is computed in SQL, for price filters and sorting.

    A customer: its price for one unit, the lowest over its valid price lists (`lists`) that
    have a price from 1 unit, else the list price. A guest (`vat_factors` set): the list price
    times 1 + the VAT rate of the product's VAT class.
    """

    lists: tuple[int, ...] = ()
    vat_factors: Mapping[str, Decimal] | None = None

    def expression(self) -> ColumnElement[Decimal]:
        """The price as stored: an amount scaled by 10**PRICE.scale (compare with `scaled`)."""
        price: ColumnElement[Decimal] = type_coerce(Product.list_price, Numeric())
        if self.lists:
            contract = (
                select(func.min(type_coerce(PriceListItem.unit_price, Numeric())))
                .where(
                    PriceListItem.product_id == Product.id,
                    PriceListItem.price_list_id.in_(self.lists),
                    PriceListItem.min_quantity <= 1,
                )
                .scalar_subquery()
            )
            price = func.coalesce(contract, price)
        if self.vat_factors:
            factor = case(
                *(
                    (Product.vat_class == name, literal(factor, Numeric(6, 4)))
                    for name, factor in self.vat_factors.items()
                ),
                else_=literal(Decimal(1), Numeric(6, 4)),
            )
            price = price * factor
        return price


def scaled(amount: Decimal) -> ColumnElement[int]:
    """An amount as prices are stored (a scaled integer), for comparing with `expression()`."""
    return literal(int(amount.scaleb(PRICE.scale).to_integral_value()), BigInteger())


@dataclass(frozen=True, slots=True, kw_only=True)
class Filters:
    """Narrowing a result list: manufacturer, price range (as the viewer sees prices), and
    "only products with a contract price" (a price from one unit on one of the customer's
    lists, as `pricing.page_prices` marks them)."""

    manufacturer: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    contract_only: bool = False
    basis: PriceBasis = field(default_factory=PriceBasis)

    def conditions(self) -> list[ColumnExpressionArgument[bool]]:
        found: list[ColumnExpressionArgument[bool]] = []
        if self.manufacturer:
            found.append(Product.manufacturer_name == self.manufacturer)
        if self.price_min is not None:
            found.append(self.basis.expression() >= scaled(self.price_min))
        if self.price_max is not None:
            found.append(self.basis.expression() <= scaled(self.price_max))
        if self.contract_only:
            found.append(
                exists().where(
                    PriceListItem.product_id == Product.id,
                    PriceListItem.price_list_id.in_(self.basis.lists or (-1,)),
                    PriceListItem.min_quantity <= 1,
                )
            )
        return found


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
    filters: Filters | None = None,
    sort: Sort = Sort.SKU,
    dutch_names: bool = False,
) -> SearchPage:
    """Active products of the assortment matching `query` (all words, as prefixes) and the
    filters, in the order `sort` asks (by name: the Dutch names with `dutch_names`).

    Costs about the same at any catalog size: hits are found up to `COUNT_LIMIT`; when there
    are no more, those are sorted, else (hits are dense) the SKU index is walked and filtered.
    """
    filters = filters or Filters()
    terms = _WORD.findall(query.lower())[:MAX_TERMS]
    categories = None if category_id is None else category_and_descendants(session, category_id)
    narrowing = filters.conditions()
    # SQLite: FTS5 drives the count through a join, so it stops at the limit; matched as an IN
    # list, every match was read first (20,000 of 100,000 products for "blue").
    fts5 = bool(terms) and session.get_bind().dialect.name == "sqlite"
    counted = select(Product.id)
    if fts5:
        counted = counted.select_from(
            _SQLITE_SEARCH.join(Product, Product.id == _SQLITE_SEARCH.c.rowid)
        ).where(text("product_search MATCH :terms").bindparams(terms=_fts5_query(terms)))
    conditions = [
        *_conditions(session, assortment, [] if fts5 else terms, categories, walk_sku_index=False),
        *narrowing,
    ]
    hits = session.scalars(counted.where(*conditions).limit(COUNT_LIMIT + 1)).all()
    if not hits:  # nothing to fetch; also spares PostgreSQL a walk along the SKU index
        return SearchPage(products=(), total=0, page=1, pages=1)
    more = len(hits) > COUNT_LIMIT
    total = min(len(hits), COUNT_LIMIT)
    pages = max((total + page_size - 1) // page_size, 1)
    page = min(max(page, 1), pages)
    if more:  # many hits: walk the SKU index until the page is full, filtering as it goes
        found = select(Product).where(
            *_conditions(session, assortment, terms, categories, walk_sku_index=sort is Sort.SKU),
            *narrowing,
        )
    else:  # few: sort those already found, without matching the text again
        found = select(Product).where(Product.id.in_(hits))
    products = session.scalars(
        found.order_by(*_order(sort, filters.basis, dutch_names=dutch_names))
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return SearchPage(products=tuple(products), total=total, page=page, pages=pages, more=more)


def _order(
    sort: Sort, basis: PriceBasis, *, dutch_names: bool
) -> tuple[ColumnExpressionArgument[object], ...]:
    if sort is Sort.NAME:
        name = func.coalesce(func.nullif(Product.name_nl, ""), Product.name)
        return (func.lower(name if dutch_names else Product.name), Product.sku)
    if sort is Sort.PRICE_ASC:
        return (basis.expression().asc(), Product.sku)
    if sort is Sort.PRICE_DESC:
        return (basis.expression().desc(), Product.sku)
    return (Product.sku,)


def manufacturers(session: Session, *, assortment: Assortment) -> list[str]:
    """The manufacturers of the assortment's active products, by name (for a filter).

    A loose index scan: each step asks the manufacturer index for the next name after the last
    one that has an active product in the assortment, so the cost follows the number of
    manufacturers, not of products (a DISTINCT over every product made each catalog page's
    cost grow with the catalog)."""
    return [name for name in session.scalars(_manufacturer_names(assortment)) if name is not None]


@functools.lru_cache(maxsize=256)
def _manufacturer_names(assortment: Assortment) -> Select[str | None]:
    """The statement of `manufacturers`, built once per assortment (statements are immutable;
    building this one took more time than running it)."""
    maker = aliased(Product)

    def first_after(after: ColumnElement[bool]) -> ScalarSelect[str | None]:
        return (  # ORDER BY ... LIMIT 1, not min(): PostgreSQL then walks the index too
            select(maker.manufacturer_name)
            .where(after, maker.active, assortment.condition_on(maker))
            .order_by(maker.manufacturer_name)
            .limit(1)
            .scalar_subquery()
        )

    names = select(first_after(maker.manufacturer_name.is_not(None)).label("name")).cte(
        "maker_name", recursive=True
    )
    names = names.union_all(
        select(first_after(maker.manufacturer_name > names.c.name)).where(names.c.name.is_not(None))
    )
    return select(names.c.name)


def related(
    session: Session, *, assortment: Assortment, product: Product, limit: int = 6
) -> list[Product]:
    """Other active products of the same category in the assortment, nearest SKUs first."""
    if product.category_id is None:
        return []
    return list(
        session.scalars(
            select(Product)
            .where(
                Product.active,
                assortment.condition(),
                Product.category_id == product.category_id,
                Product.id != product.id,
            )
            .order_by(func.abs(Product.id - product.id), Product.sku)
            .limit(limit)
        )
    )


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
        text(_SQLITE_MATCH).bindparams(terms=_fts5_query(terms)).columns(rowid=Product.id.type)
    )


def _fts5_query(terms: list[str]) -> str:
    """Every term as a prefix, in FTS5's query syntax (quoted: a term is never an operator)."""
    return " ".join(f'"{term}"*' for term in terms)
