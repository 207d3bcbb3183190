"""`chiso serve`: run chiso over HTTP on every core.

On Linux and macOS: gunicorn, one worker process a core (`--workers`), each with a pool
of threads (`--threads`) and up to `--connections` open connections (slow phones and
kept-alive browsers wait in its poller without holding a thread). Elsewhere (Windows):
waitress in one process, with the same thread and connection limits.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

THREADS = 16  # a login waiting on its password check holds one
CONNECTIONS = 1000  # a worker's open connections: 2 workers hold 2,000


def gunicorn_options(
    host: str, port: int, workers: int, threads: int, connections: int
) -> dict[str, Any]:
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "worker_connections": connections,
        # A long Excel import or publication is not a hung worker.
        "timeout": 120,
        "graceful_timeout": 20,
        # A browser keeps its connection for the next page (in the poller, not a thread).
        "keepalive": 30,
        "proc_name": "chiso",
    }


class Command(BaseCommand):
    help = "Serve chiso over HTTP (default 127.0.0.1:8000) with a worker process a core."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=os.cpu_count() or 1, help="processes (one a core)"
        )
        parser.add_argument("--threads", type=int, default=THREADS, help="threads a process")
        parser.add_argument(
            "--connections", type=int, default=CONNECTIONS, help="open connections a process"
        )

    def handle(
        self,
        *args: Any,
        host: str,
        port: int,
        workers: int,
        threads: int,
        connections: int,
        **options: Any,
    ) -> None:
        from django.db import connections as databases

        from chiso.core import staticfiles

        # Static files under hashed names with gzip copies (chiso/core/staticfiles.py),
        # collected again only when they changed.
        if staticfiles.collect():
            self.stdout.write("chiso: static files collected")

        # Each worker opens its own database connection after the fork.
        databases.close_all()
        self.stdout.write(f"chiso: http://{host}:{port}/  (Ctrl+C to stop)")
        self.stdout.flush()
        if os.name != "posix":
            from waitress import serve

            from chiso.wsgi import application

            serve(
                application,
                host=host,
                port=port,
                threads=threads,
                connection_limit=connections,
                ident="chiso",
            )
            return
        from gunicorn.app.base import BaseApplication

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in gunicorn_options(
                    host, port, workers, threads, connections
                ).items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                from chiso.wsgi import application

                return application

        Server().run()
