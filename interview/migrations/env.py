"""Alembic environment, configured in code by :func:`interview.storage.alembic_config`.

``Store.open`` passes its own connection in ``config.attributes["connection"]``; the
``alembic`` command line (``-x url=...`` or ``sqlalchemy.url``) also works for developers
writing new revisions (``target_metadata`` is the ORM's metadata for autogenerate).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from interview.storage import Base, database_url

config = context.config
target_metadata = Base.metadata


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite ALTER via table copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or \
        config.get_main_option("sqlalchemy.url") or database_url()
    engine = engine_from_config({"sqlalchemy.url": url}, prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as conn:
        _configure(conn)


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or database_url()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
