"""gunicorn settings every way of serving the app shares (`make run`, the image, the benchmarks).

Used as `gunicorn --config python:webapp.gunicorn_conf 'webapp:create_app()'`.
"""

from __future__ import annotations

import gc
from typing import Any

# nginx stands in front in production (deploy/nginx.conf) and refuses request lines and header
# lines over 8 KiB itself (414, 431): gunicorn must let through everything nginx accepts, or it
# would answer those with its own HTML page. 8190 is gunicorn's largest setting. Header count:
# nginx limits headers to 32 KiB in all; a thousand realistic headers fit in that.
limit_request_line = 8190
limit_request_field_size = 8190
limit_request_fields = 1000


def post_worker_init(_worker: Any) -> None:
    """Exempt everything the app built at start-up from the garbage collector.

    A loaded worker holds about 260,000 long-lived objects (models, routes, taxonomies,
    templates). Without this, every full collection walks them all: measured on the staff
    pipeline, one request in ten took 60-110 ms longer than the others. Frozen objects are
    never collected, which is what start-up objects need anyway.
    """
    gc.freeze()
