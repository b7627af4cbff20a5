"""The gunicorn settings file every way of serving the app uses."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from gunicorn.app.base import Application

from webapp import gunicorn_conf
from webapp.stack.__main__ import GUNICORN_CONFIG


class _ConfigOnly(Application):  # type: ignore[misc]
    """A gunicorn application that loads settings the way `--config` does, and nothing else."""

    def load_config(self) -> None:
        self.load_config_from_module_name_or_filename(GUNICORN_CONFIG)

    def load(self) -> Any:
        raise AssertionError("not served")


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_gunicorn_reads_the_worker_hook_from_the_shared_config() -> None:
    config = _ConfigOnly().cfg
    assert config.post_worker_init is gunicorn_conf.post_worker_init


@pytest.mark.usefixtures("unfrozen")
def test_a_started_worker_exempts_its_start_up_objects_from_collection() -> None:
    assert gc.get_freeze_count() == 0
    gunicorn_conf.post_worker_init(None)
    assert gc.get_freeze_count() > 10_000


def test_gunicorn_lets_through_the_request_lines_nginx_accepts() -> None:
    config = _ConfigOnly().cfg  # deploy/nginx.conf (tests/deploy) refuses longer ones itself
    assert config.limit_request_line == gunicorn_conf.limit_request_line == 8190
    assert config.limit_request_field_size == 8190
    assert config.limit_request_fields == 1000
