"""Typed settings, read once from the environment.

Every process (web, worker, beat, CLI) builds one `Settings` at start-up and passes it down;
nothing reads `os.environ` at import time, so tests can build settings of their own.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"  # noqa: S105 - refused in production
MIN_PRODUCTION_SECRET_LENGTH = 32


class Environment(StrEnum):
    """Where the app runs; production turns on strict security settings."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ConfigError(Exception):
    """A setting has a value the app cannot start with; the message is one line for a human."""


# What each variable accepts, quoted in the one-line error a person sees at start-up.
ACCEPTS = {
    "DATABASE_URL": "a database URL such as sqlite:///instance/venturematch.db or "
    "postgresql://user:password@host:5432/dbname",
    "REDIS_URL": "a Redis URL such as redis://127.0.0.1:6379/0 (or unset for the embedded Redis)",
    "SECRET_KEY": f"a random string of at least {MIN_PRODUCTION_SECRET_LENGTH} characters "
    "(production refuses the development default)",
    "SMTP_URL": "smtp://[user:password@]host[:port] or smtps://… (or unset to write .eml files "
    "under instance/mail/)",
    "PORT": "a TCP port number from 1 to 65535",
    "MODEL_DIR": "a directory path for trained model artefacts",
    "ENV": "development or production",
    "INSTANCE_DIR": "a directory path for local state",
    "MATCH_TOP_K": "a whole number from 1 to 1000",
    "TRUSTED_PROXIES": "the number of reverse proxies in front of the app (0 to 5)",
    "PUBLIC_URL": "the address people open the site at, such as https://venturematch.example.org "
    "(links in emails use it)",
    "PRIVACY_CONTACT": "the email address people write to about their data, such as "
    "privacy@example.org (the privacy notice names it)",
}


class Settings(BaseSettings):
    """The application's configuration; one instance per process."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    env: Environment = Environment.DEVELOPMENT
    instance_dir: Path = Path("instance")
    database_url: str = ""
    redis_url: str | None = None
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    smtp_url: str | None = None
    port: int = Field(default=5000, ge=1, le=65535)
    model_dir: Path | None = None
    match_top_k: int = Field(default=50, ge=1, le=1000)
    trusted_proxies: int = Field(default=0, ge=0, le=5)
    public_url: str | None = None
    privacy_contact: str | None = None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value:
            return value  # filled in from instance_dir below
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError("not a database URL") from exc
        if url.get_backend_name() not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError(f"unsupported database {url.get_backend_name()!r}")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"redis", "rediss", "unix"} or not (parts.hostname or parts.path):
            raise ValueError("not a Redis URL")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("not an SMTP URL")
        try:
            parts.port  # noqa: B018 - urlsplit raises on a bad port only when asked
        except ValueError as exc:
            raise ValueError("bad port in SMTP URL") from exc
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("not an http(s) URL")
        return value.rstrip("/")

    @field_validator("privacy_contact")
    @classmethod
    def _privacy_contact(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        local, at, domain = value.strip().partition("@")
        if not (local and at and "." in domain) or any(c.isspace() for c in value.strip()):
            raise ValueError("not an email address")
        return value.strip()

    @model_validator(mode="after")
    def _fill_defaults_and_check_secrets(self) -> Settings:
        instance = self.instance_dir.resolve()
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{instance / 'venturematch.db'}")
        if self.model_dir is None:
            object.__setattr__(self, "model_dir", instance / "models")
        if self.public_url is None:
            if self.env is Environment.PRODUCTION:
                raise ValueError("PUBLIC_URL: production needs the address people use")
            object.__setattr__(self, "public_url", f"http://127.0.0.1:{self.port}")
        if self.env is Environment.PRODUCTION:
            secret = self.secret_key.get_secret_value()
            if secret == DEFAULT_SECRET_KEY or len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
                raise ValueError("SECRET_KEY: production refuses the default or a short secret")
        return self

    @property
    def is_production(self) -> bool:
        """Production turns on HSTS, secure-only cookies and refuses weak secrets."""
        return self.env is Environment.PRODUCTION

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL with the psycopg 3 driver chosen for PostgreSQL."""
        url = make_url(self.database_url)
        if url.get_backend_name() == "postgres":  # the short scheme many hosts hand out
            url = url.set(drivername="postgresql")
        # SQLAlchemy 2.0 defaults to psycopg2 and 2.1 to psycopg; we ship psycopg (3) only.
        if url.get_backend_name() == "postgresql" and "+" not in url.drivername:
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)

    @property
    def resolved_model_dir(self) -> Path:
        """Where model artefacts live (always set after validation)."""
        assert self.model_dir is not None
        return self.model_dir

    @property
    def site_url(self) -> str:
        """The public base URL (always set after validation), without a trailing slash."""
        assert self.public_url is not None
        return self.public_url

    @property
    def mail_dir(self) -> Path:
        """Where the development mail sink writes .eml files when SMTP_URL is unset."""
        return self.instance_dir.resolve() / "mail"


def _describe(error: ValidationError) -> str:
    """Turn pydantic's report into one line naming the variable and what it accepts."""
    first = error.errors()[0]
    location = [str(part) for part in first.get("loc", ())]
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    if location:
        variable = location[0].upper()
        given = first.get("input")
        shown = f"={given!r}" if isinstance(given, str | int) else ""
    else:  # a model-level rule; its message starts with the variable name
        variable, _, message = message.partition(": ")
        shown = ""
    accepted = ACCEPTS.get(variable)
    tail = f"; expected {accepted}" if accepted else ""
    return f"{variable}{shown}: {message}{tail}"


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from an environment mapping (os.environ by default) or raise ConfigError."""
    try:
        if environ is None:
            return Settings(**overrides)
        values = {k.lower(): v for k, v in environ.items() if k.upper() in ACCEPTS}
        values.update(overrides)
        return Settings.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def load_settings_or_exit() -> Settings:
    """Entry points call this: a bad setting prints one line and exits 2, with no traceback."""
    try:
        return load_settings()
    except ConfigError as exc:
        exit_with_config_error(exc)


def exit_with_config_error(exc: ConfigError) -> NoReturn:
    """Print the one-line configuration error and stop the process."""
    print(f"venturematch: configuration error: {exc}", file=sys.stderr)
    raise SystemExit(2)
