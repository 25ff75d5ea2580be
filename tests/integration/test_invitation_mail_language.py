"""Invitation mails in the recipient's language (their setting, else the inviter's, else the
page's), as plain text with an HTML alternative."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from tests import shop
from tests.factories import make_user, user_named
from tests.mail import Inbox, deliver_mail, html_of, text_of


def _invite(app: Flask, email: str, *, page_language: str) -> None:
    superuser = app.test_client()
    superuser.environ_base["HTTP_ACCEPT_LANGUAGE"] = page_language
    shop.login(superuser, "superuser@1001.demo")
    answer = shop.post(superuser, "/account/users", {"email": email, "role": "buyer"})
    assert answer.status_code == 302


def test_a_new_address_is_invited_in_the_language_of_the_inviters_page(
    app: Flask, inbox: Inbox
) -> None:
    _invite(app, "nieuw@1001.test", page_language="nl")
    assert [outcome.status for outcome in deliver_mail(app, inbox.port)] == ["sent"]
    [mail] = inbox.messages
    assert mail["Subject"] == "U bent uitgenodigd om te bestellen voor Acme Municipality"
    text = text_of(mail)
    assert "Sam Superuser (1001) heeft u uitgenodigd voor de webshop van Acme Municipality." in text
    assert "Kies hier uw wachtwoord (de link werkt één keer):" in text
    assert "invited you" not in text
    html = html_of(mail)
    assert '<html lang="nl">' in html
    assert '<a href="http://shop.example/invitation/' in html


def test_an_existing_account_is_invited_in_its_own_language(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    make_user(db_session, "elders@example.test", number="1002").locale = "nl"
    db_session.commit()
    _invite(app, "elders@example.test", page_language="en")
    deliver_mail(app, inbox.port)
    [mail] = inbox.messages
    assert mail["Subject"] == "U bent uitgenodigd om te bestellen voor Acme Municipality"
    assert "Log in om de uitnodiging te accepteren of af te wijzen:" in text_of(mail)


def test_the_inviters_own_setting_beats_the_page(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    user_named(db_session, "superuser@1001.demo").locale = "en"
    db_session.commit()
    _invite(app, "new@1001.test", page_language="nl")
    deliver_mail(app, inbox.port)
    [mail] = inbox.messages
    assert mail["Subject"] == "You are invited to order for Acme Municipality"
