"""Settings are read once, validated, and a bad value stops start-up with one clear line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from webapp.config import DEFAULT_SECRET_KEY, ConfigError, load_settings


def test_defaults_put_local_state_under_instance(tmp_path):
    settings = load_settings({"INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'venturematch.db'}"
    assert settings.model_dir == tmp_path / "models"
    assert settings.port == 5000
    assert settings.redis_url is None
    assert settings.smtp_url is None
    assert not settings.is_production


def test_postgresql_urls_use_psycopg3():
    settings = load_settings({"DATABASE_URL": "postgres://app@db:5432/vm"})
    assert settings.sqlalchemy_url == "postgresql+psycopg://app@db:5432/vm"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DATABASE_URL", "nonsense", "DATABASE_URL='nonsense': not a database URL; expected"),
        ("DATABASE_URL", "mysql://u@h/d", "unsupported database 'mysql'"),
        ("REDIS_URL", "http://cache", "REDIS_URL='http://cache': not a Redis URL"),
        ("SMTP_URL", "mail.example.org", "SMTP_URL='mail.example.org': not an SMTP URL"),
        ("PORT", "eighty", "PORT='eighty'"),
        ("PORT", "0", "expected a TCP port number from 1 to 65535"),
        ("ENV", "staging", "ENV='staging'"),
        ("PRIVACY_CONTACT", "privacy team", "PRIVACY_CONTACT='privacy team': not an email"),
    ],
)
def test_bad_values_name_the_variable_and_what_it_accepts(variable, value, expected):
    with pytest.raises(ConfigError) as caught:
        load_settings({variable: value})
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message


def test_production_refuses_the_default_secret():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings(
            {"ENV": "production", "SECRET_KEY": DEFAULT_SECRET_KEY, "PUBLIC_URL": "https://a.b"}
        )


def test_production_refuses_a_short_secret():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings({"ENV": "production", "SECRET_KEY": "short", "PUBLIC_URL": "https://a.b"})


def test_production_accepts_a_long_random_secret():
    settings = load_settings(
        {"ENV": "production", "SECRET_KEY": "x" * 40, "PUBLIC_URL": "https://vm.example.org/"}
    )
    assert settings.site_url == "https://vm.example.org"
    assert settings.is_production


def test_bad_setting_at_startup_prints_one_line_and_exits_2(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "webapp", "db", "current"],
        env={"DATABASE_URL": "nonsense", "PATH": "/usr/bin:/bin", "INSTANCE_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "venturematch: configuration error: DATABASE_URL='nonsense': not a database URL; "
        "expected a database URL such as sqlite:///instance/venturematch.db or "
        "postgresql://user:password@host:5432/dbname"
    ]
    assert "Traceback" not in result.stderr


def test_public_url_defaults_to_the_local_port_in_development():
    assert load_settings({"PORT": "5099"}).site_url == "http://127.0.0.1:5099"


def test_production_needs_a_public_url():
    with pytest.raises(ConfigError, match="PUBLIC_URL: production needs the address people use"):
        load_settings({"ENV": "production", "SECRET_KEY": "x" * 40})


def test_a_public_url_must_be_http_or_https():
    with pytest.raises(ConfigError, match="PUBLIC_URL='ftp://x': not an http"):
        load_settings({"PUBLIC_URL": "ftp://x"})
