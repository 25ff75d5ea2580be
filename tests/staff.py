"""Supplier staff in tests: log in through the `/login` form, make a customer-service user."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from gateway.models import Membership, Organisation, User
from gateway.services.demo import DEMO_ADMIN
from gateway.services.people.staff import SUPPLIER_NUMBER
from gateway.services.people.users import role_named
from tests import buyer

PASSWORD = "demo"


def log_in(client: FlaskClient, email: str = DEMO_ADMIN, password: str = PASSWORD) -> None:
    """Log in with the shop's login form (fields email, password)."""
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": buyer.csrf_token(page.text)},
    )
    assert answer.status_code == 302, answer.text


def make_staff(session: Session, email: str, role: str) -> User:
    """A supplier staff account holding `role` (password `demo`)."""
    supplier = session.scalars(
        select(Organisation).where(Organisation.number == SUPPLIER_NUMBER)
    ).one()
    user = User(email=email, name=email, password_hash=generate_password_hash(PASSWORD))
    session.add(user)
    session.flush()
    session.add(Membership(user=user, organisation=supplier, role=role_named(session, role)))
    session.commit()
    return user
