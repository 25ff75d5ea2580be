"""Loading one customer's object within the actor's scope (b2b-rules O-4).

The one place a service turns an id from a URL or a form into an object of the active customer:
another customer's object is the policy's `foreign` NotFound (logged as an authorisation
failure) with the same message as a missing one, so the answer tells nothing. Extra conditions
(the own order, the kind of address) stay explicit at the caller.

It lives beside the policy, not among the services, because it is an access rule applied while
loading; unlike `policy` it needs a database session, so it is a module of its own.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from gateway.auth.policy import Actor, OrganisationScoped, foreign
from gateway.errors import NotFound

Scoped = TypeVar("Scoped", bound=OrganisationScoped)


def load(
    session: Session,
    model: type[Scoped],
    object_id: int | None,
    *,
    actor: Actor,
    message: str = "Not found.",
) -> Scoped:
    """The `model` row `object_id` of the actor's active customer, else NotFound(`message`)."""
    found = session.get(model, object_id) if object_id else None
    if found is None:
        raise NotFound(message)
    if found.organisation_id != actor.organisation_id:
        raise foreign(actor, model.__name__.lower(), object_id, message)
    return found
