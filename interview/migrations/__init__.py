"""Alembic migrations of the session database (run by ``Store.open``)."""
