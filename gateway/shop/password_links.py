"""The page behind a single-use password link (an invitation or a reset): one flow for both."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.web import context, i18n
from gateway.web.database import get_session


def choose_password(
    *,
    token: str,
    template: str,
    check: Callable[..., object],
    accept: Callable[..., object],
) -> Response | str | tuple[str, int]:
    """GET shows the form (410 for a used or expired link); POST sets the password (fields
    `password`, `password_confirm`), ends every session and sends the user to the login."""
    db: Session = get_session()
    now: datetime = utcnow()
    if request.method == "GET":
        try:
            check(db, token=token, now=now)
        except InvalidInput as exc:
            return render_template(
                "message.html", title=gettext("Link expired"), message=i18n.error_text(exc)
            ), 410
        return render_template(template, error="")
    try:
        accept(
            db,
            token=token,
            password=request.form.get("password", ""),
            confirmation=request.form.get("password_confirm", ""),
            now=now,
        )
    except InvalidInput as exc:
        return render_template(template, error=i18n.error_text(exc)), 400
    context.finish()
    return redirect(url_for("shop.login", reset="done"))
