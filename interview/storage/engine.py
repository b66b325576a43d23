"""The database engine, its transactions and its schema migrations.

SQLite in the data directory by default (``data_dir()/interview.db``, WAL journal, foreign
keys on), or any SQLAlchemy URL in ``DATABASE_URL`` (e.g. ``postgresql+psycopg://...``).
The schema is versioned with alembic (``interview/migrations``) and upgraded when a store
is opened. :class:`Database` gives the repositories their short read and write
transactions.

Durability and concurrency:

- SQLite write transactions start with ``BEGIN IMMEDIATE`` (SQLAlchemy's pysqlite recipe:
  the driver's own transaction handling is off and the ``begin`` event emits the BEGIN), so
  a second writer waits for the busy timeout (``INTERVIEW_DB_BUSY_TIMEOUT``, default 30 s)
  instead of failing at once with "database is locked" when it upgrades a read lock.
- Migrations run under an inter-process lock: a file lock beside the SQLite file, a
  transaction-scoped advisory lock on PostgreSQL. Before an existing SQLite database is
  upgraded, a copy is taken in ``backups/`` beside it.
- Every database error reaches the caller as :class:`DatabaseError` (a
  :class:`~interview.errors.StorageError`) with a one-line message saying what to do.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import NotFound, StorageError
from ..paths import PRIVATE_FILE_MODE, private_dir, private_file
from ..paths import data_dir as _data_dir

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def database_url() -> str:
    """``DATABASE_URL`` if set, else SQLite at ``data_dir()/interview.db``."""
    url = os.environ.get("DATABASE_URL", "").strip()
    return url or f"sqlite:///{_data_dir() / 'interview.db'}"


class DatabaseError(StorageError):
    """The database failed an operation (busy, read-only, full disk, server unreachable...).

    The message is one line saying what happened and what to do; nothing already committed
    is lost, and the operation can be retried once the cause is fixed."""


def busy_timeout() -> float:
    """Seconds an SQLite writer waits for another one (``INTERVIEW_DB_BUSY_TIMEOUT``)."""
    try:
        return max(0.0, float(os.environ.get("INTERVIEW_DB_BUSY_TIMEOUT", "") or 30))
    except ValueError:
        return 30.0


def _on_sqlite_connect(dbapi_conn, _record):
    # SQLAlchemy's recipe for real SQLite transactions: the driver does not begin them
    # itself (it would only do so before DML, with a deferred BEGIN); _on_sqlite_begin does
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout() * 1000)}")
    try:
        cur.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError:  # a read-only file keeps its mode; writes say why
        pass
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _on_sqlite_begin(conn):
    # writes take the write lock first (waiting up to the busy timeout); reads stay deferred
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_MIGRATE_LOCK = threading.Lock()
#: key of PostgreSQL's advisory lock around migrations (any constant bigint)
PG_MIGRATION_LOCK_KEY = 0x1D_C0AC4_12


def describe_db_error(exc: BaseException, url: str | None = None) -> str:
    """One line saying what went wrong with the database and what to do about it."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split()) or orig.__class__.__name__
    low = text.lower()
    where = safe_url(url) if url else "the database"
    path = sqlite_path(url) if url else None
    if path is not None:
        where = str(path)
    if "database is locked" in low or "database is busy" in low or "database table is locked" in low:
        return (f"the database {where} is busy: another program kept it locked for more than "
                f"{busy_timeout():.0f} s; close it or wait, then try again")
    if "readonly" in low or "read-only" in low:
        return (f"the database {where} is read-only; make the file and its folder writable "
                "(e.g. chmod u+w), then try again (nothing saved was changed)")
    if "disk is full" in low or "no space" in low or "disk full" in low:
        return f"the disk holding {where} is full; free some space, then try again"
    if "unable to open database file" in low:
        return (f"cannot open the database file {where}; check that its folder exists and is "
                "writable, then try again")
    if "disk i/o error" in low:
        return f"the disk holding {where} failed to read or write (disk I/O error); check it, then try again"
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)) and path is None:
        return (f"cannot reach the database server {where} ({text[:200]}); check that it is "
                "running and reachable, then try again")
    return f"database error ({orig.__class__.__name__}): {text[:300]}"


def sqlite_path(url: str | None) -> Path | None:
    """The file of an SQLite URL (None for other databases or an in-memory one)."""
    if not url:
        return None
    try:
        u = sa.engine.make_url(url)
    except Exception:  # noqa: BLE001
        return None
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    name = u.database
    if name.startswith("file:"):  # a URI filename (uri=true): file:/path?mode=ro
        name = name[len("file:"):].split("?", 1)[0]
    return Path(name)


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


def upgrade(engine: Engine, revision: str = "head") -> Path | None:
    """Bring the schema up to ``revision`` (keeps every row), safely across processes.

    Nothing is locked when the schema is already at head. Otherwise the upgrade runs under
    an inter-process lock (a file lock beside an SQLite file; an advisory lock on
    PostgreSQL), re-reading the revision once the lock is held, and an existing SQLite
    database is copied to ``backups/`` first. Returns the backup's path, if one was taken."""
    from alembic import command

    target = head_revision() if revision == "head" else revision
    if current_revision(engine) == target:
        return None
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    backup = None
    with _MIGRATE_LOCK, _migration_file_lock(path):
        if path is not None:  # the file lock is held: the revision read now stays true
            current = current_revision(engine)
            if current == target:
                return None
            if current is not None:
                backup = backup_sqlite(path, current)
        with engine.execution_options(sqlite_immediate=True).begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK_KEY})")
            from alembic.runtime.migration import MigrationContext

            if MigrationContext.configure(conn).get_current_revision() == target:
                return backup
            command.upgrade(alembic_config(conn), revision)
    return backup


@contextmanager
def _migration_file_lock(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    from filelock import FileLock, Timeout

    lock = FileLock(str(path) + ".migrate.lock")
    try:
        lock.acquire(timeout=max(busy_timeout(), 60))
    except Timeout:
        raise DatabaseError(f"another program has been upgrading the database {path} for more "
                            "than a minute; wait for it to finish, then try again") from None
    except OSError as exc:
        raise DatabaseError(f"cannot lock the database {path} for its upgrade "
                            f"({exc.strerror or exc}); check that its folder is writable") from None
    try:
        yield
    finally:
        lock.release()


def backup_sqlite(path: Path, revision: str) -> Path:
    """Copy the SQLite database (SQLite's online backup: a consistent copy even while
    others write) to ``backups/<name>-<revision>-<UTC time>.db`` beside it."""
    folder = path.parent / "backups"
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    dest = folder / f"{path.stem}-{revision}-{stamp}{path.suffix or '.db'}"
    try:
        private_dir(folder)  # a copy of everyone's sessions: owner-only, as the database
        _private_sqlite_file(str(dest))
        source = sqlite3.connect(str(path), timeout=busy_timeout())
        try:
            target = sqlite3.connect(str(dest))
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except (OSError, sqlite3.Error) as exc:
        raise DatabaseError(f"could not copy the database to {dest} before upgrading it "
                            f"({exc}); free some space or make the folder writable, then try "
                            "again (the database was not changed)") from None
    return dest


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


@functools.lru_cache(maxsize=1)
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
        event.listen(engine, "begin", _on_sqlite_begin)
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
    """An engine and its sessions: short transactions for the repositories.

    Both context managers turn any SQLAlchemy error into :class:`DatabaseError`."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        self._readers = sessionmaker(engine, expire_on_commit=False)
        self._writers = sessionmaker(engine.execution_options(sqlite_immediate=True),
                                     expire_on_commit=False)

    def error(self, exc: BaseException) -> DatabaseError:
        return DatabaseError(describe_db_error(exc, self.url))

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (no commit)."""
        try:
            with self._readers() as db:
                yield db
        except SQLAlchemyError as exc:
            raise self.error(exc) from exc

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one transaction (``BEGIN IMMEDIATE`` on SQLite), committed on
        success, rolled back on error."""
        try:
            with self._writers() as db, db.begin():
                yield db
        except SQLAlchemyError as exc:
            raise self.error(exc) from exc

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
