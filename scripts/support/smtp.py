"""An SMTP sink on 127.0.0.1 for the tests and the scripts."""

import email
import email.message
import threading
import time

from .processes import free_port


class SmtpSink:
    """An SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts (also the
    tests' `smtp_sink` fixture).

    `mode` is "accept", "refuse" (421 to every message: a busy server), "policy" (554 to every
    message's DATA) or "sender" (553 to MAIL FROM): the last two are server-wide 5xx failures,
    not about one address. Recipients in `bounce_domain` are always refused with 550 on RCPT (a
    permanent failure of that one address).
    """

    bounce_domain = "bounce.invalid"

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.mode = "accept"
        self.messages: list[tuple[float, list[str], email.message.Message]] = []  # (time, rcpts, message)
        self.refused = 0
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mode == "sender":
            with self._lock:
                self.refused += 1
            return "553 5.7.1 Sender address rejected: not owned by user"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().endswith("@" + self.bounce_domain):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "refuse":
            with self._lock:
                self.refused += 1
            return "421 4.3.2 Service not available, try again later"
        if self.mode == "policy":
            with self._lock:
                self.refused += 1
            return "554 5.7.1 Message rejected by policy"
        message = email.message_from_bytes(envelope.content)
        with self._lock:
            self.messages.append((time.time(), list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[tuple[float, list[str], str, str]]:
        """(time, recipients, Message-ID, Subject) of every accepted message."""
        with self._lock:
            return [(t, rcpts, msg["Message-ID"] or "", msg["Subject"] or "") for t, rcpts, msg in self.messages]

    def received(self) -> list[tuple[list[str], email.message.Message]]:
        """(recipients, message) of every accepted message."""
        with self._lock:
            return [(rcpts, msg) for _, rcpts, msg in self.messages]

    def email_env(self) -> dict:
        """The settings that send the site's email to this sink."""
        return {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(self.port), "EMAIL_USE_TLS": "0"}

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()
