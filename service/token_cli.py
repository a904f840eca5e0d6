"""``python -m service tokens create|list|revoke``: manage API tokens."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from .auth import TokenError, create_token, list_tokens, revoke_token


@click.group("tokens")
def tokens() -> None:
    """Manage bearer tokens (stored only as SHA-256 hashes)."""


@tokens.command("create")
@click.option("--name", required=True, help="Who uses it; becomes the actor of every change it makes.")
@click.option("--scope", type=click.Choice(["read", "write"]), required=True)
@with_appcontext
def create_command(name: str, scope: str) -> None:
    """Create a token and print it, alone, on the last line (it is not shown again)."""
    try:
        token = create_token(name, scope)
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created the {scope} token '{name}'. Keep it now: only its hash is stored.", err=True)
    click.echo(token)


@tokens.command("list")
@with_appcontext
def list_command() -> None:
    """List tokens: name, scope, created, revoked (never the token)."""
    for token in list_tokens():
        revoked = token.revoked_at.isoformat(timespec="seconds") if token.revoked_at else "active"
        click.echo(f"{token.name}\t{token.scope}\t{token.created_at.isoformat(timespec='seconds')}\t{revoked}")


@tokens.command("revoke")
@click.argument("name")
@with_appcontext
def revoke_command(name: str) -> None:
    """Revoke the token with this name."""
    try:
        revoke_token(name)
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Revoked '{name}'.")
