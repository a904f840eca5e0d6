"""Command line: ``python -m service <command>`` (also ``flask --app service``)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def register_commands(app: Flask) -> None:
    from .token_cli import tokens

    app.cli.add_command(tokens)

    from .synth import synth_command  # python -m service synth --records N: benchmark data

    app.cli.add_command(synth_command)

    @app.cli.command("seed")
    @click.option("--if-empty", is_flag=True, help="Do nothing when any government exists already.")
    def seed_command(if_empty: bool) -> None:
        """Load the shipped seed case; records already present are left alone."""
        from .seed import seed

        added = seed(only_if_empty=if_empty)
        click.echo(f"seed: {added} record(s) added")

    @app.cli.command("openapi")
    @click.option(
        "--output", "-o", default="-", show_default=True,
        type=click.Path(dir_okay=False, writable=True, allow_dash=True),
        help="File to write (`make openapi` writes openapi.yaml); `-` is standard output.",
    )
    def openapi_command(output: str) -> None:
        """Generate the OpenAPI contract (YAML) from the code."""
        from pathlib import Path

        from flask import current_app

        from .openapi import generate_yaml

        text = generate_yaml(current_app._get_current_object())
        if output == "-":
            click.echo(text, nl=False)
        else:
            Path(output).write_bytes(text.encode("utf-8"))
            click.echo(f"openapi: wrote {output}", err=True)


def main() -> None:
    from .app import create_app

    FlaskGroup(create_app=create_app, add_default_commands=True, load_dotenv=False)(prog_name="python -m service")
