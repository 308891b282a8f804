"""Run the WSGI application under gunicorn from inside the `agora` command."""

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
        from agora.wsgi import application

        return application


def run_gunicorn(*, bind: str, workers: int, threads: int) -> None:
    # Database connections must not be shared across the fork; Django opens them lazily per worker.
    from django.db import connections

    connections.close_all()
    AgoraServer(
        {
            "bind": bind,
            "workers": max(1, workers),
            "threads": max(1, threads),
            "worker_class": "gthread" if threads > 1 else "sync",
            "accesslog": "-",
            "timeout": 60,
            "graceful_timeout": 20,
            "forwarded_allow_ips": "127.0.0.1,::1",
        }
    ).run()
