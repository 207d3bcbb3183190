"""`chiso token create --user U --units 14758 14797 [--name N]`, `chiso token list`,
`chiso token revoke ID`: the tokens of system accounts.

The secret is printed once, at creation; chiso keeps only its SHA-256.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from chiso.api.models import ApiToken
from chiso.api.services import UnknownUnit, create_token, revoke_token


class Command(BaseCommand):
    help = "Create, list or revoke API tokens of system accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a new token (printed once)")
        create.add_argument("--user", required=True, help="the system account (created if new)")
        create.add_argument(
            "--units", nargs="+", required=True, help="codes of the units it writes for"
        )
        create.add_argument("--name", default="", help="what the token is for")
        sub.add_parser("list", help="every token, without its secret")
        revoke = sub.add_parser("revoke", help="stop a token from working")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            codes = [code for item in options["units"] for code in item.split(",") if code]
            try:
                token, secret = create_token(
                    options["user"], codes, options["name"] or options["user"]
                )
            except UnknownUnit as error:
                raise CommandError(str(error)) from None
            self.stderr.write(
                f"Token {token.pk} for {token.user.username}; units {', '.join(codes)}. "
                "This is the only time it is shown:"
            )
            self.stdout.write(secret)
        elif action == "list":
            for token in ApiToken.objects.select_related("user"):
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.pk}\t{token.user.username}\t{token.name}\t{token.hint}…\t"
                    f"{state}\tlast used {used}"
                )
        else:
            token = ApiToken.objects.filter(pk=options["id"]).first()
            if token is None:
                raise CommandError(f"No token {options['id']}.")
            revoke_token(token, None)
            self.stdout.write(f"Token {token.pk} revoked.")
