"""One database session per request, closed on teardown (rolled back if left uncommitted)."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from sqlalchemy import Engine
from sqlmodel import Session

from webapp.config import Settings
from webapp.db import for_writing


def current_settings() -> Settings:
    """The settings the running app was built with."""
    settings: Settings = current_app.extensions["venturematch.settings"]
    return settings


def current_engine() -> Engine:
    """The app's database engine."""
    engine: Engine = current_app.extensions["venturematch.engine"]
    return engine


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def get_session() -> Session:
    """The request's session, opened on first use; services commit their own work.

    Requests that change things take SQLite's write lock when their transaction begins, so a
    worker committing mid-request makes them wait instead of fail; reads never queue.
    """
    if "db_session" not in g:
        engine = current_engine()
        if request.method in WRITE_METHODS:
            engine = for_writing(engine)
        g.db_session = Session(engine, expire_on_commit=False)
    session: Session = g.db_session
    return session


def release_session() -> None:
    """Hand the request's connection back now; later use opens a fresh transaction.

    For responses that outlive their reads (downloads): a slow client must not keep a read
    snapshot, or a PostgreSQL transaction, open while it reads.
    """
    session: Session | None = g.get("db_session")
    if session is not None:
        session.close()


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()  # rolls back anything a failed request left uncommitted


def init_app(app: Flask) -> None:
    """Register the teardown that closes the request's session."""
    app.teardown_appcontext(_close_session)
