"""Run the ASGI application (agora.asgi) under gunicorn with uvicorn workers from inside the `agora` command:
pages and API as before, plus the streaming WebSocket and server-sent events, which need an async server."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class AgoraServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from agora.asgi import application

        return application


def run_gunicorn(*, bind: str, workers: int, threads: int) -> None:
    # Database connections must not be shared across the fork; Django opens them lazily per worker.
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    # Under ASGI each request's synchronous code runs in a thread of its own, so a connection kept for reuse
    # would stay open in a thread that is gone: connections close at the end of each request instead, and
    # on PostgreSQL they come from a pool per web process (psycopg_pool), so that a request does not pay for
    # opening one. Pools are not fork-safe: the one this process may have opened (migrations) is closed, and
    # each web process opens its own on its first request.
    for alias in connections:
        connection = connections[alias]
        if connection.vendor == "postgresql":
            connection.close_pool()  # type: ignore[attr-defined]
        connections.settings[alias]["CONN_MAX_AGE"] = 0
        if connection.vendor == "postgresql" and settings.AGORA_DB_POOL_SIZE > 0:
            options = connections.settings[alias].setdefault("OPTIONS", {})
            options["pool"] = {"min_size": 1, "max_size": settings.AGORA_DB_POOL_SIZE, "timeout": 20}
    AgoraServer(
        {
            "bind": bind,
            "workers": max(1, workers),
            # Uvicorn workers run one event loop each; Django runs each request's synchronous code in a thread
            # of its own, so gunicorn's `threads` does not apply to them.
            "threads": max(1, threads),
            "worker_class": "uvicorn_worker.UvicornWorker",
            "accesslog": "-" if settings.AGORA_ACCESS_LOG else None,
            "timeout": 60,
            "graceful_timeout": 20,
            "forwarded_allow_ips": "127.0.0.1,::1",
        }
    ).run()
