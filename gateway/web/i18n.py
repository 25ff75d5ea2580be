"""Dutch and English through Flask-Babel: the locale comes from the user's setting, the
browser session's choice or the browser's Accept-Language; amounts are formatted per locale,
times in the user's time zone (their setting, else the shop's `GATEWAY_TIMEZONE`)."""

from __future__ import annotations

import copy
import functools
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import (
    NumberPattern,
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    parse_pattern,
)
from flask import Flask, current_app, request, session
from flask_babel import Babel, get_locale, gettext

from gateway.numbers import plain
from gateway.web import budget_labels

CENT = Decimal("0.01")
LOCALES = ("en", "nl")
SESSION_KEY = "locale"
babel = Babel()


def select_locale() -> str:
    """The user's own setting (a staff member assisting a customer: theirs), else the choice
    made in this browser, else Accept-Language."""
    from gateway.web.context import current_shopper  # noqa: PLC0415 - avoids an import cycle

    shopper = current_shopper()
    if shopper is not None:
        person = shopper.acting_staff or shopper.user
        if person.locale in LOCALES:
            return person.locale
    chosen = session.get(SESSION_KEY)
    if isinstance(chosen, str) and chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(LOCALES) or LOCALES[0]


def error_text(exc: BaseException) -> str:
    """A refusal's message in the reader's language: services raise their errors in English with
    a constant message (extracted for translation), the page shows its translation. Messages
    with values in them stay English until their service gives them as a template."""
    template, values = getattr(exc, "template", None), getattr(exc, "values", {})
    if template is not None:
        return str(gettext(template)) % values
    return str(gettext(str(exc)))


def current_locale() -> str:
    """The request's language code (`nl`, `en`): for mails the request causes."""
    return str(get_locale())


def money(amount: Decimal | None, currency: str = "EUR") -> str:
    """An amount in the request's locale: `€ 1.234,56` in Dutch, `€1,234.56` in English."""
    if amount is None:
        return ""
    cents = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    locale = _babel_locale(str(get_locale()))
    currency_format = _currency_format(locale, currency)
    if currency_format is None:
        return format_currency(cents, currency, locale=locale)
    pattern, symbol = currency_format
    text: str = pattern.apply(cents, locale, currency=None)
    return text.replace("¤¤", currency.upper()).replace("¤", symbol)


def number(value: Decimal | str) -> str:
    """A quantity (or percentage) for people in the request's locale: `1.250,5` in Dutch,
    `1,250.5` in English; no trailing zeros and never an exponent (`1E+1`). Form fields take
    `plain` instead: digits and a decimal point, as the shop reads them back."""
    return format_decimal(Decimal(plain(value)), locale=_babel_locale(str(get_locale())))


def percent(rate: Decimal | str) -> str:
    """A VAT rate for people: `21 %`, `5,5 %` in Dutch, `5.5 %` in English."""
    value = Decimal(str(rate)).normalize()
    return f"{format_decimal(value, locale=_babel_locale(str(get_locale())))}\u00a0%"


def valid_time_zone(name: str) -> bool:
    """An IANA zone name this machine knows (`Europe/Amsterdam`, `UTC`)."""
    return name in time_zones()


@functools.cache
def time_zones() -> tuple[str, ...]:
    """Every IANA zone name, sorted (what the settings page offers)."""
    return tuple(sorted(available_timezones()))


def user_zone() -> ZoneInfo:
    """The zone times are shown in: the person's own setting (staff acting for a customer:
    theirs), else the shop's zone."""
    from gateway.web.context import current_shopper  # noqa: PLC0415 - avoids an import cycle

    shopper = current_shopper()
    if shopper is not None:
        person = shopper.acting_staff or shopper.user
        if person.time_zone and valid_time_zone(person.time_zone):
            return ZoneInfo(person.time_zone)
    return _zone(current_app.config["GATEWAY_TIMEZONE"])


def when(value: datetime | date | None, style: str = "datetime") -> str:
    """A moment for people, in their zone and language: `3 dec 2026 22:08` / `Dec 3, 2026,
    10:08 PM`; `style` "date" shows the day only, "seconds" adds the seconds (logs). A `date`
    (a delivery date, a period's last day) is shown as it is, without a zone."""
    if value is None:
        return ""
    locale = _babel_locale(str(get_locale()))
    if not isinstance(value, datetime):
        return format_date(value, format="medium", locale=locale)
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(user_zone())
    day = format_date(local, format="medium", locale=locale)
    if style == "date":
        return day
    clock = format_time(local, format="medium" if style == "seconds" else "short", locale=locale)
    return f"{day} {clock}"


@functools.cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@functools.cache
def _babel_locale(name: str) -> Locale:
    """Parsed once: Babel parses a locale name again on every call (a catalog page formats
    dozens of amounts), which costs six times the formatting itself."""
    return Locale.parse(name)


@functools.cache
def _currency_format(locale: Locale, currency: str) -> tuple[NumberPattern, str] | None:
    """The locale's currency pattern with the currency's decimals, and its symbol, read once.

    `format_currency` looks up the currency's plural name for every amount, even when the
    pattern has no place for it: that lookup was half the time of a catalog page. None for a
    pattern that does spell out the name (`¤¤¤`): those go through `format_currency`.
    """
    raw = locale.currency_formats["standard"].pattern
    if "¤¤¤" in raw:
        return None
    pattern = copy.copy(parse_pattern(raw))
    digits = get_currency_precision(currency)
    pattern.frac_prec = (digits, digits)
    return pattern, get_currency_symbol(currency, locale)


def init_app(app: Flask) -> None:
    """Bind Babel (translations in gateway/translations) and the `money`/`number`/`when`
    filters."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", LOCALES[0])
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["plain"] = plain
    app.jinja_env.filters["budget_policy"] = budget_labels.policy
    app.jinja_env.filters["budget_period"] = budget_labels.budget_period
    app.jinja_env.filters["period_kind"] = budget_labels.period_kind
    app.jinja_env.filters["period_name"] = budget_labels.period_name
    app.jinja_env.filters["period_span"] = budget_labels.period_span
    app.jinja_env.globals["month_name"] = budget_labels.month
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["percent"] = percent
    app.jinja_env.globals["get_locale"] = get_locale
