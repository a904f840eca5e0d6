"""Alembic environment: the URL comes from the service's own configuration."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from service import config as service_config
from service.store import models  # noqa: F401  (registers every table on the metadata)
from service.store.database import db, ensure_sqlite_folder

target_metadata = db.metadata


def database_url() -> str:
    # Tests pass a URL in the alembic config; everyone else uses DATABASE_URL.
    given = context.config.attributes.get("database_url")
    return given or service_config.from_environment()["SQLALCHEMY_DATABASE_URI"]


def run_migrations_offline() -> None:
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        configure_and_run(connection)
        return
    url = database_url()
    ensure_sqlite_folder(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        configure_and_run(connection)
    engine.dispose()


def configure_and_run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
