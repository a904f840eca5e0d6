"""Command line: ``python -m service <command>`` (also ``flask --app service``)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def register_commands(app: Flask) -> None:
    @app.cli.command("seed")
    @click.option("--if-empty", is_flag=True, help="Do nothing when any government exists already.")
    def seed_command(if_empty: bool) -> None:
        """Load the shipped seed case; records already present are left alone."""
        from .seed import seed

        added = seed(only_if_empty=if_empty)
        click.echo(f"seed: {added} record(s) added")


def main() -> None:
    from .app import create_app

    FlaskGroup(create_app=create_app, add_default_commands=True, load_dotenv=False)(prog_name="python -m service")
