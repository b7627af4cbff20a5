"""The production compose file is valid and wires the services the way the README says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat", "migrate")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_file_validates_against_the_compose_specification():
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(ROOT / "docker-compose.yml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_all_services_are_present(compose):
    assert set(compose["services"]) == {
        "proxy",
        "web",
        "worker",
        "beat",
        "migrate",
        "redis",
        "postgres",
    }


def test_only_nginx_is_published_and_it_waits_for_a_healthy_web(compose):
    published = {name for name, service in compose["services"].items() if "ports" in service}
    assert published == {"proxy"}
    proxy = compose["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(proxy["healthcheck"]["test"])


def test_worker_scales_and_beat_stays_single(compose):
    worker, beat = compose["services"]["worker"], compose["services"]["beat"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["command"][:4] == ["celery", "-A", "workers", "worker"]
    assert beat["command"][:4] == ["celery", "-A", "workers", "beat"]
    assert beat["deploy"]["replicas"] == 1


def test_redis_never_evicts_queued_tasks(compose):
    command = compose["services"]["redis"]["command"]
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_postgres_has_a_health_check_and_a_volume(compose):
    postgres = compose["services"]["postgres"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_wait_for_healthy_backends_and_migrations(compose, name):
    service = compose["services"][name]
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert service["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert service["environment"]["ENV"] == "production"


def test_migrate_runs_the_same_command_a_person_would(compose):
    assert compose["services"]["migrate"]["command"] == [
        "flask",
        "--app",
        "webapp",
        "db",
        "upgrade",
    ]


def test_every_required_variable_is_in_env_example(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{(\w+):\?", text))
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert required <= documented
    assert "SECRET_KEY" in documented


def test_dockerfile_serves_the_app_factory_under_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "gunicorn" in dockerfile
    assert "'webapp:create_app()'" in dockerfile
    assert "--config python:webapp.gunicorn_conf" in dockerfile  # the same hooks as `make run`
    assert "USER venturematch" in dockerfile  # never run as root
