"""Outbound e-mail over SMTP, configured by GATEWAY_SMTP_HOST/PORT and GATEWAY_MAIL_FROM."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class Mailer:
    """Where mail goes and whom it comes from."""

    host: str
    port: int
    sender: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Mailer:
        """The mailer the app's settings describe."""
        return cls(
            host=config["GATEWAY_SMTP_HOST"],
            port=config["GATEWAY_SMTP_PORT"],
            sender=config["GATEWAY_MAIL_FROM"],
        )

    def send(
        self,
        *,
        to: str,
        subject: str,
        body: str,
        message_id: str | None = None,
        html: str | None = None,
    ) -> None:
        """Send one message, plain text with an `html` alternative where given; SMTP errors
        propagate to the caller.

        A fixed `message_id` lets recipients recognise a resent message as the same one.
        """
        message = EmailMessage()
        if message_id is not None:
            message["Message-ID"] = f"<{message_id}>"
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
        with smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.send_message(message)
        log.info("mail sent: %s", subject)
