"""Who may talk to the workbench: loopback by default, a printed token otherwise, CSRF on every POST."""

from __future__ import annotations

import hmac
import ipaddress
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_COOKIE = "workbench_token"
LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    name = host.strip("[]")
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented secret."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


def _host_name(scope: Scope) -> str:
    headers = dict(scope.get("headers", []))
    host = headers.get(b"host", b"").decode("latin-1")
    return urlsplit(f"//{host}").hostname or ""


def _presented_token(scope: Scope) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "token" in query:
        return str(query["token"][0])
    cookies = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies.load(value.decode("latin-1"))
    morsel = cookies.get(TOKEN_COOKIE)
    return morsel.value if morsel is not None else None


class AccessGuard:
    """Refuses requests the server was not started for.

    Without a token (bound to loopback) only loopback Host names are served, which also stops DNS
    rebinding from a web page. With a token (bound to another address) every request must present
    it, once in the URL printed at start, then in a cookie set from it.
    """

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.token is None:
            allowed = is_loopback(_host_name(scope))
        else:
            allowed = same(_presented_token(scope), self.token)
        if not allowed:
            await _refuse(send, b"403 Forbidden: this workbench needs the token printed when it started\n")
            return
        await self.app(scope, receive, self._with_cookie(send) if self.token else send)

    def _with_cookie(self, send: Send) -> Send:
        cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)

        return sending


async def _refuse(send: Send, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": body})
