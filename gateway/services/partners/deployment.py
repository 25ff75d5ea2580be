"""Test documents: which cXML `deploymentMode` a partner accepts, and the refusal of the other.

A buyer's test account sends `deploymentMode="test"`; a supplier going live may want its
production partner to refuse test documents (and a test partner to refuse production ones), so a
misconfigured buyer account cannot place a real order by mistake, or a test order as a real one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.cxml import InboundDocumentError, StatusCode
from gateway.errors import InvalidInput
from gateway.models import (
    AcceptedDeploymentMode,
    DeploymentMode,
    Order,
    PartnerProtocol,
    TradingPartner,
)

#: the choices of forms and CLI options, as plain strings
ACCEPTED_DEPLOYMENT_MODES = tuple(mode.value for mode in AcceptedDeploymentMode)


def accepted_mode(text: str) -> AcceptedDeploymentMode:
    """`text` as a setting (production, test or both), or InvalidInput."""
    try:
        return AcceptedDeploymentMode(text.strip())
    except ValueError:
        raise InvalidInput(
            f"The deployment mode must be one of {', '.join(ACCEPTED_DEPLOYMENT_MODES)}."
        ) from None


def check(partner: TradingPartner, *, mode: str, document_type: str) -> None:
    """Refuse (403) a document in a `deploymentMode` the partner is not set to accept."""
    accepted = AcceptedDeploymentMode(partner.accepted_deployment_mode)
    if not accepted.accepts(mode):
        raise InboundDocumentError(
            f"{document_type} with deploymentMode {mode!r} refused: this partner is set to "
            f"accept {accepted.value} documents only",
            status=StatusCode.FORBIDDEN,
        )


def check_same_mode(order: Order, *, mode: str) -> None:
    """Refuse (400) an OrderRequest for an order received in the other `deploymentMode`: a test
    document never changes a production order, nor the other way round."""
    if order.deployment_mode != mode:
        raise InboundDocumentError(
            f"deploymentMode {mode!r} does not match order {order.number}, received in "
            f"{order.deployment_mode} mode",
            status=StatusCode.BAD_REQUEST,
        )


def outbound_mode(mode: str) -> str | None:
    """The `deploymentMode` our document to the buyer carries, for an order or punchout in
    `mode`: test documents are answered in test mode; production ones carry none (the default)."""
    return DeploymentMode.TEST.value if mode == DeploymentMode.TEST else None


def set_accepted_mode(session: Session, *, partner_name: str, mode: str) -> TradingPartner:
    """Set which deploymentMode cXML partner `partner_name` accepts; InvalidInput names a fault."""
    partner = session.scalar(select(TradingPartner).where(TradingPartner.name == partner_name))
    if partner is None:
        raise InvalidInput(f"No partner named {partner_name!r}.")
    if partner.protocol != PartnerProtocol.CXML:
        raise InvalidInput(f"Partner {partner_name!r} is not a cXML partner.")
    partner.accepted_deployment_mode = accepted_mode(mode)
    session.flush()
    return partner
