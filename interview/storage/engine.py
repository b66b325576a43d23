"""The database engine, its transactions and its schema migrations.

SQLite in the data directory by default (``data_dir()/interview.db``, WAL journal, foreign
keys on), or any SQLAlchemy URL in ``DATABASE_URL`` (e.g. ``postgresql+psycopg://...``).
The schema is versioned with alembic (``interview/migrations``) and upgraded when a store
is opened. :class:`Database` gives the repositories their short read and write
transactions.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import NotFound, StorageError
from ..paths import PRIVATE_FILE_MODE, private_file
from ..paths import data_dir as _data_dir

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def database_url() -> str:
    """``DATABASE_URL`` if set, else SQLite at ``data_dir()/interview.db``."""
    url = os.environ.get("DATABASE_URL", "").strip()
    return url or f"sqlite:///{_data_dir() / 'interview.db'}"


def _on_sqlite_connect(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


_MIGRATE_LOCK = threading.Lock()


def alembic_config(connection=None, url: str | None = None):
    """An alembic Config built in code, pointing at the package's migrations folder."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (keeps every row)."""
    from alembic import command

    with _MIGRATE_LOCK, engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode and foreign keys on every connection."""
    kwargs: dict[str, Any] = {"future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    try:
        engine = sa.create_engine(url, **kwargs)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(
            f"cannot use database URL {safe_url(url)}: {exc}. Check DATABASE_URL "
            "(an SQLAlchemy URL such as postgresql+psycopg://user:pass@host/db) and that its "
            "driver is installed."
        ) from None
    if engine.dialect.name == "sqlite":
        _private_sqlite_file(engine.url.database)
        event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def _private_sqlite_file(database: str | None) -> None:
    """Create the SQLite file owner-only (0600) before SQLite does (its -wal and -shm files
    then get the same mode), and tighten an existing one."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        if not path.exists() and path.parent.is_dir():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE))
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            private_file(p)
    except OSError:  # not ours to fix here: opening the database reports the problem
        pass


def safe_url(url: str) -> str:
    """``url`` with its password hidden, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for messages
        return "(unparseable URL)"


class Database:
    """An engine and its sessions: short transactions for the repositories."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (no commit)."""
        with self._sessions() as db:
            yield db

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one transaction, committed on success, rolled back on error."""
        with self._sessions() as db, db.begin():
            yield db

    def exists(self, model, id_: str) -> bool:
        with self.read() as db:
            return db.get(model, id_) is not None

    @staticmethod
    def need(db: Session, model, id_: str | None, what: str):
        """The row with this id, or NotFound naming it."""
        row = db.get(model, id_) if id_ else None
        if row is None:
            raise NotFound(f"no {what} with id {id_!r}; list them to find the right id")
        return row


class Repository:
    """Base of the per-area repositories: the shared :class:`Database`, and the store
    (for reads that cross areas, e.g. a review returning the whole session)."""

    def __init__(self, database: Database, store):
        self._db = database
        self._store = store
