#!/usr/bin/python3
"""An SMTP server for the notification tests (aiosmtpd, Debian's
python3-aiosmtpd), on 127.0.0.1 only.

Each accepted message is written to <folder>/mail-<n>.eml (the DATA as
received, dot-unstuffed), its envelope to <folder>/mail-<n>.env ("from"
line, then one "to" line a recipient) and what Python's email parser reads
in it to <folder>/mail-<n>.json (headers decoded, the body's text decoded,
the defects it found), so the tests check the message with a reader that
is not ours. The port it listens on is written to
<folder>/port once it accepts connections. SIGTERM stops it.
"""
import argparse
import email
import email.policy
import json
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def write_atomically(path, data):
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


class Sink:
    def __init__(self, folder, refused):
        self.folder = folder
        self.refused = set(refused)
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.folder, "mail-%d" % n)
        env = "from %s\n" % envelope.mail_from + "".join("to %s\n" % to for to in envelope.rcpt_tos)
        write_atomically(base + ".env", env.encode())
        write_atomically(base + ".json", json.dumps(parsed(envelope.content)).encode())
        write_atomically(base + ".eml", envelope.content)
        return "250 OK message accepted"


def parsed(content):
    message = email.message_from_bytes(content, policy=email.policy.default)
    return {
        "headers": {name.lower(): str(value) for name, value in message.items()},
        "text": message.get_content(),
        "content_type": message.get_content_type(),
        "charset": message.get_content_charset(),
        "defects": [type(d).__name__ for d in message.defects],
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--login", help="user:password that AUTH accepts; AUTH required")
    args = parser.parse_args()

    kwargs = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        kwargs["tls_context"] = context
    if args.login:
        user, password = args.login.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True

    port = free_port()
    controller = Controller(Sink(args.folder, args.refuse), hostname="127.0.0.1", port=port,
                            **kwargs)
    controller.start()
    write_atomically(os.path.join(args.folder, "port"), str(port).encode())

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
