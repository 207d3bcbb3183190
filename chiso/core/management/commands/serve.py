"""`chiso serve`: run chiso with the waitress WSGI server (pure Python, works anywhere)."""

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve chiso over HTTP (default 127.0.0.1:8000)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        from waitress import serve

        from chiso.wsgi import application

        self.stdout.write(f"chiso: http://{host}:{port}/  (Ctrl+C to stop)")
        serve(application, host=host, port=port, threads=threads, ident="chiso")
