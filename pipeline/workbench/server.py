"""Start the workbench: bind, print the URL, serve until stopped."""

from __future__ import annotations

import secrets
import socket
import sys

import uvicorn

from pipeline.workbench.app import Settings, create_app
from pipeline.workbench.decisions import DecisionStore
from pipeline.workbench.results import Run, open_results

LOCAL_ONLY = ("127.0.0.1", "localhost", "::1")


def with_token(settings: Settings) -> Settings:
    """A fresh access token for any address but the usual loopback ones (who else can reach it is unknown)."""
    if settings.host in LOCAL_ONLY or settings.token:
        return settings
    return settings.model_copy(update={"token": secrets.token_urlsafe(24)})


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def url_of(settings: Settings, port: int) -> str:
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"http://{host}:{port}/" + (f"?token={settings.token}" if settings.token else "")


def serve(settings: Settings) -> None:
    """Serve the run's results until interrupted; prints the URL (with the token, if one is needed)."""
    settings = with_token(settings)
    run = Run(open_results(settings.results))
    store = DecisionStore(settings.db)
    app = create_app(settings, run, store)
    sock = _bind(settings.host, settings.port)
    port = sock.getsockname()[1]  # the real one when --port 0 asked for any free port
    print(f"review workbench: {url_of(settings, port)}", flush=True)
    print(f"{len(run.by_id)} documents from {settings.results}; decisions in {settings.db}", flush=True)
    if settings.token:
        print("bound to a non-loopback address: clients need the token in the URL above", file=sys.stderr)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
