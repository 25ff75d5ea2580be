"""Shop pages: catalog, product, cart, login. Thin adapters over the services."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from sqlalchemy import select
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission, is_internal
from gateway.auth.policy import can
from gateway.db import utcnow
from gateway.errors import InvalidInput, NotFound
from gateway.models import Category, Product, ProductImage
from gateway.services.catalog import assortment, images, pricing, search
from gateway.services.ordering import carts, quantities
from gateway.services.people import impersonation, password_login, password_resets, shop_sessions
from gateway.shop import added, catalog_params, catalog_pictures, password_links
from gateway.web import context, i18n, throttling
from gateway.web.access import in_person
from gateway.web.database import get_session, keep_changes
from gateway.web.redirects import safe_target, same_site_path

blueprint = Blueprint("shop", __name__)

PAGE_SIZE = 48


@blueprint.get("/")
def home() -> Response:
    """A logged-in person starts at their start page; visitors and punchout users at the
    catalog."""
    shopper = context.current_shopper()
    if shopper is None or shopper.punchout is not None:
        return redirect(url_for("shop.catalog"))
    return redirect(url_for("start.page"))


@blueprint.get("/catalog")
def catalog() -> str:
    """Products of the viewer's assortment with their prices: searchable, by category,
    filtered, sorted and paged, as a list or a grid (all in the query string)."""
    db = get_session()
    shopper = context.current_shopper()
    params = catalog_params.read(request.args)
    category = _category(params.category)
    viewer = _assortment(shopper)
    basis = _price_basis(shopper)
    found = search.search_products(
        db,
        assortment=viewer,
        query=params.query,
        category_id=category.id if category else None,
        page=params.page,
        page_size=PAGE_SIZE,
        filters=search.Filters(
            manufacturer=params.manufacturer or None,
            price_min=params.price_min,
            price_max=params.price_max,
            contract_only=params.contract and shopper is not None,
            basis=basis,
        ),
        sort=params.sort,
        dutch_names=str(get_locale()) == "nl",
    )
    products = list(found.products)
    priced = _page_prices(products, shopper, basis)
    return render_template(
        "shop/catalog.html",
        products=products,
        prices=priced.prices,
        list_prices=_staff_at_home(shopper),
        contract=priced.contract,
        images=images.versions(db, [product.id for product in products]),
        params=params,
        query=params.query,
        category=category,
        categories=db.scalars(select(Category).order_by(Category.code)).all(),
        manufacturers=search.manufacturers(db, assortment=viewer),
        page=found.page,
        pages=found.pages,
        page_numbers=catalog_params.page_numbers(found.page, found.pages),
        total=found.total,
        more=found.more,
        first=(found.page - 1) * PAGE_SIZE + 1,
        last=(found.page - 1) * PAGE_SIZE + len(products),
        can_buy=_can_buy(shopper),
        sorts=tuple(search.Sort),
    )


@blueprint.get("/products/<sku>")
def product(sku: str) -> str:
    """One product, its price for the viewer (also as JSON-LD) and the add-to-cart form."""
    return _product_page(_find_product(sku))


@blueprint.get("/products/<sku>/image")
def product_image(sku: str) -> Response:
    """The product's stored picture, or a neutral placeholder; only for products the viewer
    may see. Cacheable by the browser: pages link it with its digest (`?v=`)."""
    product = _find_product(sku)
    image = get_session().get(ProductImage, product.id)
    if image is None:
        return catalog_pictures.placeholder()
    return catalog_pictures.stored_picture(image)


@blueprint.post("/cart/items")
def add_to_cart() -> Response | tuple[str, int] | tuple[Response, int]:
    """Add a product (`sku`, `quantity`) to the cart.

    From the product page: on to the cart. From a list (a same-site `next` path): back to
    that list with a message. Asked for JSON (`Accept: application/json`, the list's script):
    `{"ok", "message", "lines"}`, so the page stays where it is.
    """
    shopper = context.require_shopper()
    db = get_session()
    product = _find_product(request.form.get("sku", ""))
    target = request.form.get("next", "")
    try:
        quantity = carts.parse_quantity(request.form.get("quantity", ""))
        cart = context.cart_for(shopper)
        carts.add_item(db, actor=shopper.actor, cart=cart, sku=product.sku, quantity=quantity)
    except InvalidInput as exc:
        if added.wants_json() or target:
            return added.refused(str(exc), target=target)
        return _product_page(
            product, error=i18n.error_text(exc), quantity=request.form.get("quantity", "")
        ), 400
    lines = len(cart.lines)
    return added.answer(product, quantity, lines=lines, target=target, default=url_for("shop.cart"))


@blueprint.get("/cart")
def cart() -> str:
    """The cart, with quantity changes and, in a punchout, the transfer back to the buyer."""
    shopper = context.require_shopper()
    return _cart_page(shopper)


@blueprint.post("/cart/lines/<int:line_id>")
def update_line(line_id: int) -> Response | tuple[str, int]:
    """Change one line's quantity."""
    shopper = context.require_shopper()
    try:
        quantity = carts.parse_quantity(request.form.get("quantity", ""))
        carts.set_quantity(
            get_session(),
            actor=shopper.actor,
            cart=context.cart_for(shopper),
            line_id=line_id,
            quantity=quantity,
        )
    except InvalidInput as exc:
        return _cart_page(shopper, error=i18n.error_text(exc), error_line=line_id), 400
    return redirect(url_for("shop.cart"))


@blueprint.post("/cart/lines/<int:line_id>/delete")
def delete_line(line_id: int) -> Response:
    """Remove one line."""
    shopper = context.require_shopper()
    carts.remove_line(
        get_session(), actor=shopper.actor, cart=context.cart_for(shopper), line_id=line_id
    )
    return redirect(url_for("shop.cart"))


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    """Password login for direct shop users (fields `email`, `password`)."""
    if request.method == "GET":
        return render_template("shop/login.html", email="", reset=request.args.get("reset"))
    email = request.form.get("email", "").strip().lower()
    outcome = password_login.log_in(
        get_session(),
        email=email,
        password=request.form.get("password", ""),
        throttle_keys=throttling.login_keys(email),
        now=utcnow(),
        ttl_seconds=current_app.config["GATEWAY_SHOP_SESSION_TTL"],
    )
    if isinstance(outcome, password_login.Throttled):
        return throttling.too_many_attempts(outcome.retry_after)
    if isinstance(outcome, password_login.WrongCredentials):
        keep_changes()  # the failure counts although the answer is 401
        return render_template("shop/login.html", email=email, error=outcome.message), 401
    if isinstance(outcome, password_login.NotLinked):
        return render_template("shop/login.html", email=email, error=outcome.message), 403
    context.begin(outcome.token)
    return redirect(safe_target(request.args.get("next"), url_for("start.page")))


@blueprint.post("/logout")
def logout() -> Response:
    """End the shop session."""
    shopper = context.current_shopper()
    if shopper is not None:
        impersonation.log_out(
            get_session(), shop_session=shopper.shop_session, client=context.client(), now=utcnow()
        )
    context.finish()
    return redirect(url_for("shop.login"))


@blueprint.post("/customer")
@in_person
def switch_customer() -> Response:
    """Act for another of the user's customers (field `customer`: its number)."""
    shopper = context.require_shopper()
    shop_sessions.switch_customer(
        get_session(),
        shop_session=shopper.shop_session,
        number=request.form.get("customer", "").strip(),
    )
    return redirect(url_for("shop.catalog"))


@blueprint.post("/locale")
def set_locale() -> Response:
    """Choose Dutch or English (field `locale`): on the account when logged in, else in the
    browser session; back to the page the form was on (field `next`, a path on this site)."""
    chosen = request.form.get("locale", "")
    if chosen not in i18n.LOCALES:
        raise InvalidInput("Choose nl or en.")
    shopper = context.current_shopper()
    if shopper is not None and shopper.punchout is None:
        (shopper.acting_staff or shopper.user).locale = chosen  # staff assisting: their own
    session[i18n.SESSION_KEY] = chosen
    back = same_site_path(request.referrer, request.host_url, url_for("shop.catalog"))
    return redirect(safe_target(request.form.get("next"), back))


@blueprint.route("/password/forgot", methods=["GET", "POST"])
@in_person
def forgot_password() -> Response | str:
    """Ask for a reset link by e-mail; the answer is the same for unknown addresses (429 when
    the address or the client asked too often)."""
    if request.method == "GET":
        return render_template("shop/password_forgot.html", email="", sent=False)
    email = request.form.get("email", "").strip()[:254]
    wait = password_resets.request_reset(
        get_session(),
        email=email,
        now=utcnow(),
        ttl_seconds=current_app.config["GATEWAY_PASSWORD_RESET_TTL"],
        mail_key=current_app.config["GATEWAY_MAIL_KEY"],
        throttle_keys=throttling.reset_keys(email.lower()),
        locale=i18n.current_locale(),
    )
    if wait is not None:
        return throttling.too_many_attempts(wait)
    return render_template("shop/password_forgot.html", email=email, sent=True)


@blueprint.route("/password/reset/<token>", methods=["GET", "POST"])
@in_person
def reset_password(token: str) -> Response | tuple[str, int] | str:
    """Choose a new password through a reset link (fields `password`, `password_confirm`)."""
    return password_links.choose_password(
        token=token,
        template="shop/password_reset.html",
        check=password_resets.check_token,
        accept=password_resets.reset_password,
    )


def _assortment(shopper: context.Shopper | None) -> assortment.Assortment:
    if shopper is None and current_app.config["GATEWAY_SHOP_LOGIN_REQUIRED"]:
        raise context.LoginRequired
    if shopper is None:
        return assortment.for_guests(get_session())
    return assortment.for_customer(
        get_session(), organisation_id=shopper.organisation.id, user_id=shopper.user.id
    )


def _find_product(sku: str) -> Product:
    return assortment.find_product(
        get_session(), sku=sku, assortment=_assortment(context.current_shopper())
    )


def _category(code: str) -> Category | None:
    if not code:
        return None
    category = get_session().scalar(select(Category).where(Category.code == code))
    if category is None:
        raise NotFound(f"No category {code!r}.")
    return category


def _staff_at_home(shopper: context.Shopper | None) -> bool:
    """Whether the viewer is staff shopping for no customer: no customer prices to show."""
    return (
        shopper is not None
        and not can(shopper.actor, Permission.PRICE_READ)
        and any(is_internal(permission) for permission in shopper.actor.permissions)
    )


def _prices(products: list[Product], shopper: context.Shopper | None) -> dict[int, Decimal]:
    """Unit prices for the viewer: a customer's excl. VAT, a guest's list prices incl. VAT."""
    if shopper is None:
        rates = current_app.config["GATEWAY_VAT_RATES"]
        return {
            product.id: pricing.with_vat(
                product.list_price, pricing.vat_rate(product.vat_class, rates)
            )
            for product in products
        }
    if not can(shopper.actor, Permission.PRICE_READ):
        # Staff outside a customer see list prices (excl. VAT) rather than empty cells.
        return {p.id: p.list_price for p in products} if _staff_at_home(shopper) else {}
    return pricing.unit_prices(get_session(), shopper.organisation, products, on=context.today())


def _page_prices(
    products: list[Product], shopper: context.Shopper | None, basis: search.PriceBasis
) -> pricing.PagePrices:
    """A result page's prices for the viewer (as `_prices`) and its contract marks, on the
    price lists the page's filters already read (`basis`): one query for the page."""
    if shopper is None:
        return pricing.PagePrices(prices=_prices(products, shopper), contract=frozenset())
    page = pricing.page_prices(get_session(), basis.lists, products)
    if can(shopper.actor, Permission.PRICE_READ):
        return page
    return pricing.PagePrices(prices=_prices(products, shopper), contract=page.contract)


def _product_page(product: Product, *, error: str = "", quantity: str = "1") -> str:
    db = get_session()
    shopper = context.current_shopper()
    price = _prices([product], shopper).get(product.id)
    currency = shopper.organisation.currency if shopper else product.currency
    json_ld: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "sku": product.sku,
        "name": product.name,
        "description": product.description,
        "mpn": product.manufacturer_part_id,
    }
    if price is not None:
        json_ld["offers"] = {
            "@type": "Offer",
            "price": f"{price:.2f}",
            "priceCurrency": currency,
        }
    related = search.related(db, assortment=_assortment(shopper), product=product)
    shows_prices = price is not None
    tiers = (
        pricing.tiers(db, shopper.organisation, product, on=context.today())
        if shopper is not None and shows_prices
        else ()
    )
    return render_template(
        "shop/product.html",
        product=product,
        price=price,
        currency=currency,
        json_ld=json.dumps(json_ld).replace("<", "\\u003c"),
        error=error,
        quantity=quantity,
        can_buy=shopper is not None and can(shopper.actor, Permission.CART_WRITE),
        guest_can_buy=shopper is None and not current_app.config["GATEWAY_SHOP_LOGIN_REQUIRED"],
        tiers=tiers,
        contract=any(tier.contract and tier.min_quantity == 1 for tier in tiers),
        unit_step=quantities.step(product.unit),
        image_version=images.versions(db, [product.id]).get(product.id),
        related=related,
        related_prices=_prices(related, shopper),
        related_images=images.versions(db, [item.id for item in related]),
    )


def _can_buy(shopper: context.Shopper | None) -> bool:
    """Whether the viewer gets add-to-cart forms (a guest when the shop is open to guests)."""
    if shopper is None:
        return not current_app.config["GATEWAY_SHOP_LOGIN_REQUIRED"]
    return can(shopper.actor, Permission.CART_WRITE)


def _price_basis(shopper: context.Shopper | None) -> search.PriceBasis:
    """How prices are compared in filters and sorting: as the viewer sees them."""
    if shopper is None:
        rates = current_app.config["GATEWAY_VAT_RATES"]
        return search.PriceBasis(
            vat_factors={name: 1 + Decimal(rate) / 100 for name, rate in rates.items()}
        )
    return search.PriceBasis(
        lists=tuple(
            pricing.applicable_price_lists(get_session(), shopper.organisation, context.today())
        )
    )


def _cart_page(shopper: context.Shopper, *, error: str = "", error_line: int | None = None) -> str:
    db = get_session()
    priced = carts.price_cart(
        db,
        cart=context.cart_for(shopper, create=False),
        organisation=shopper.organisation,
        on=context.today(),
        vat_rates=current_app.config["GATEWAY_VAT_RATES"],
    )
    return render_template(
        "shop/cart.html",
        cart=priced,
        punchout=shopper.punchout,
        can_edit=can(shopper.actor, Permission.CART_WRITE),
        can_transfer=can(shopper.actor, Permission.PUNCHOUT_TRANSFER),
        error=error,
        error_line=error_line,
    )
