"""Command line: ``python -m service <command>``.

The commands run in an app made by ``create_app`` from the environment (``DATABASE_URL``),
besides Flask's own (``routes``, ``shell``):

- ``seed [--if-empty]``: load the shipped seed case, correcting records no editor changed;
- ``tokens create|list|revoke``: manage API tokens;
- ``openapi [--output FILE]``: generate the contract (``make openapi``);
- ``synth --records N``: add synthetic data for benchmarks;
- ``deliver [--once]``: send what the outbox holds (webhooks), until SIGTERM.
"""

from __future__ import annotations

import signal
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from .app import create_app
from .delivery.loop import Deliverer, Settings
from .delivery.senders import build_senders
from .openapi.document import generate_yaml
from .store.seed import seed as load_seed
from .store.synth import DEFAULT_SEED, RECORDS_PER_GOVERNMENT, SynthConflict, synth
from .store.tokens import TokenError, create_token, list_tokens, revoke_token


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=True, load_dotenv=False)
def cli() -> None:
    """The recognition-status service: who recognizes which government, since when, says who."""


@cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when any government exists already.")
@with_appcontext
def seed_command(if_empty: bool) -> None:
    """Load the shipped seed case: add what is missing, correct what no editor has changed."""
    report = load_seed(only_if_empty=if_empty)
    click.echo(
        f"seed: {len(report.added)} record(s) added, {len(report.corrected)} corrected, "
        f"{len(report.kept)} left as editors changed them"
    )


@cli.command("openapi")
@click.option(
    "--output",
    "-o",
    default="-",
    show_default=True,
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    help="File to write (`make openapi` writes openapi.yaml); `-` is standard output.",
)
@with_appcontext
def openapi_command(output: str) -> None:
    """Generate the OpenAPI contract (YAML) from the code."""
    text = generate_yaml(current_app._get_current_object(), create_app)
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_bytes(text.encode("utf-8"))
        click.echo(f"openapi: wrote {output}", err=True)


@cli.group("tokens")
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


@cli.command("synth")
@click.option(
    "--records",
    "-n",
    type=click.IntRange(min=1),
    required=True,
    help="Recognitions plus ambassador exchanges to add (sources come on top).",
)
@click.option(
    "--governments",
    "-g",
    type=click.IntRange(min=1),
    default=None,
    help=f"Synthetic governments to spread them over [default: one per {RECORDS_PER_GOVERNMENT} records].",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=10**9),
    default=DEFAULT_SEED,
    show_default=True,
    help="Same seed, same rows; the seed is part of every id.",
)
@with_appcontext
def synth_command(records: int, governments: int | None, seed: int) -> None:
    """Add deterministic synthetic data (for benchmarks); fails if the seed's data exists."""
    if governments is not None and governments > records:
        raise click.BadParameter("at most one government per record", param_hint="--governments")
    try:
        counts = synth(records, governments, seed)
    except SynthConflict as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"synth: seed {seed}: {counts.governments} government(s), {counts.sources} source(s), "
        f"{counts.recognitions} recognition(s), {counts.ambassador_exchanges} ambassador exchange(s), "
        f"{counts.changes} change(s) in {counts.seconds:.1f} s"
    )


@cli.command("deliver")
@click.option("--once", is_flag=True, help="Send what is due now, wait for those tries, and exit.")
@with_appcontext
def deliver_command(once: bool) -> None:
    """Send the outbox's messages (webhooks) until SIGTERM or SIGINT; the tries in flight finish first."""
    config = current_app.config
    try:
        settings = Settings.from_config(config)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    deliverer = Deliverer(build_senders(config), settings)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: deliverer.stop.set())
    tries = deliverer.run(once=once)
    click.echo(f"deliver: {tries} tr{'y' if tries == 1 else 'ies'}", err=True)


def main() -> None:
    cli(prog_name="python -m service")
