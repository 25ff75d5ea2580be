"""The punchout funnel page and its CSV export (admins; sales agents for their customers)."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request

from gateway.admin import funnel_chart
from gateway.auth.permissions import Permission
from gateway.db import utcnow
from gateway.services.punchout import funnel
from gateway.web.access import requires
from gateway.web.context import Shopper
from gateway.web.database import get_session

blueprint = Blueprint("admin_funnel", __name__, url_prefix="/admin")


def _funnel(shopper: Shopper) -> funnel.Funnel:
    filters = funnel.FunnelFilter.read(request.args, today=utcnow().date())
    return funnel.funnel(get_session(), actor=shopper.actor, filters=filters)


@blueprint.get("/funnel")
@requires(Permission.ADMIN_FUNNEL_READ, in_punchout=False)
def index(shopper: Shopper) -> str:
    """Per partner and period: setups, sessions, carts, orders, with a chart of the funnel."""
    result = _funnel(shopper)
    return render_template(
        "admin/funnel.html",
        funnel=result,
        chart=funnel_chart.build(result.total, result.periods),
        periods=list(funnel.Period),
    )


@blueprint.get("/funnel.csv")
@requires(Permission.ADMIN_FUNNEL_READ, in_punchout=False)
def export(shopper: Shopper) -> Response:
    """The same funnel as CSV (the page's filters), one row per partner and period."""
    result = _funnel(shopper)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerows(funnel.csv_rows(result))
    name = f"funnel-{result.filters.date_from}-{result.filters.date_to}.csv"
    return Response(
        text.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
