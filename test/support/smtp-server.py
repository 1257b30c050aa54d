"""A real SMTP server for the tests (Debian's python3-aiosmtpd): delivers into a Maildir.

usage: smtp-server.py PORT MAILDIR [auth]
With `auth`, AUTH PLAIN/LOGIN is required (user "stepgate", password "smtp-pass"); TLS is not
required for it, since this only ever listens on loopback.
"""
import signal
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"stepgate" and auth_data.password == b"smtp-pass"
    return AuthResult(success=ok)


port, maildir = int(sys.argv[1]), sys.argv[2]
auth = len(sys.argv) > 3 and sys.argv[3] == "auth"
options = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False} if auth else {}
controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=port, **options)
controller.start()
signal.signal(signal.SIGTERM, lambda *_: (controller.stop(), sys.exit(0)))
signal.pause()
