"""deploy/nginx.conf: nginx in front of gunicorn answers oversized and malformed requests itself,
in the API's problem+json shape, and passes everything else on with the client's address.

The file is always read and checked here; with a real nginx (Debian's package, which
`make test` unpacks into .venv/nginx) it is also checked by `nginx -t` and served for real.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.deploy.nginx_conf import Directive, parse
from webapp import gunicorn_conf
from webapp.app_factory import MAX_REQUEST_BYTES
from webapp.embedded_redis import free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "nginx.conf"
PROBLEM = "application/problem+json"
UNITS = {"k": 1024, "m": 1024 * 1024}


def _size(text: str) -> int:
    return int(text[:-1]) * UNITS[text[-1].lower()] if text[-1].isalpha() else int(text)


@pytest.fixture(scope="module")
def config() -> Directive:
    return parse(CONFIG.read_text())


@pytest.fixture(scope="module")
def server(config: Directive) -> Directive:
    return config.one("server")


def test_it_proxies_to_the_web_service_the_compose_file_runs(config, server):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    (upstream,) = config.all("upstream")
    assert upstream.one("server").args == ["web:8000"]
    assert "8000" in compose["services"]["web"]["expose"]
    proxy = compose["services"]["proxy"]
    assert proxy["ports"] == [f"${{PORT:-8000}}:{server.one('listen').args[0]}"]
    assert f"./deploy/{CONFIG.name}:/etc/nginx/conf.d/default.conf:ro" in proxy["volumes"]
    for location in server.all("location"):
        if location.all("proxy_pass"):
            assert location.one("proxy_pass").args == [f"http://{upstream.args[0]}"]


def test_the_body_limit_is_the_apps_own(server):
    assert _size(server.one("client_max_body_size").args[0]) == MAX_REQUEST_BYTES


def test_gunicorn_behind_it_accepts_every_line_nginx_accepts(server):
    count, size = server.one("large_client_header_buffers").args
    # A line fits a buffer with its CRLF: gunicorn must take lines of size - 2 bytes.
    assert gunicorn_conf.limit_request_line >= _size(size) - 2
    assert gunicorn_conf.limit_request_field_size >= _size(size) - 2
    assert int(count) * _size(size) <= 32 * 1024


def test_the_app_hears_the_clients_address_host_and_scheme(server):
    headers = {d.args[0]: d.args[1] for d in server.all("proxy_set_header")}
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == headers["X-Forwarded-Host"] == "$http_host"
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["web"]["environment"]["TRUSTED_PROXIES"] == "1"


def _error_pages(block: Directive) -> dict[str, tuple[str, str]]:
    """status → (status sent, where), from `error_page 494 =431 /x;` and the like."""
    found = {}
    for page in block.all("error_page"):
        *codes, target = page.args
        answer = next((c[1:] for c in codes if c.startswith("=")), None)
        for code in codes:
            if not code.startswith("="):
                found[code] = (answer or code, target)
    return found


def _answer(server: Directive, target: str) -> tuple[str, str, dict[str, object] | str]:
    (location,) = [loc for loc in server.all("location") if loc.args[-1] == target]
    status, body = location.one("return").args
    media_type = location.one("default_type").args[0]
    return status, media_type, (json.loads(body) if media_type == PROBLEM else body)


def test_limits_are_answered_as_problem_json_with_their_status(server):
    pages = _error_pages(server)
    assert set(pages) == {"400", "414", "494"}
    for code, (sent, target) in pages.items():
        status, media_type, body = _answer(server, target)
        assert (status, media_type) == (sent, PROBLEM), code
        assert isinstance(body, dict), code
        assert body["status"] == int(sent), code
        assert {"type", "title", "status", "detail"} <= body.keys()
    assert pages["494"][0] == "431"  # nginx's 494 is sent as the standard 431


def test_an_oversized_upload_gets_json_on_the_api_and_a_page_elsewhere(server):
    by_path = {loc.args[-1]: _error_pages(loc) for loc in server.all("location")}
    status, media_type, body = _answer(server, by_path["/api/"]["413"][1])
    assert (status, media_type) == ("413", PROBLEM)
    assert body["status"] == 413
    status, media_type, page = _answer(server, by_path["/"]["413"][1])
    assert (status, media_type) == ("413", "text/html")
    assert "2 MB" in str(page)


def _nginx_binary() -> str | None:
    found = shutil.which("nginx")
    unpacked = ROOT / ".venv" / "nginx" / "usr" / "sbin" / "nginx"
    return found or (str(unpacked) if unpacked.exists() else None)


NGINX = _nginx_binary()
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="no nginx binary (scripts/ensure-nginx could not fetch Debian's)"
)


def _runnable(tmp_path: Path, upstream_port: int, port: int) -> Path:
    """The config as the official image would load it, with local addresses and paths."""
    site = CONFIG.read_text().replace("server web:8000;", f"server 127.0.0.1:{upstream_port};")
    site = site.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    (tmp_path / "site.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    temp = "".join(
        f"    {kind}_temp_path {tmp_path / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would switch to `nobody`, who cannot enter pytest's temp directory.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}worker_processes 1;\npid {tmp_path / 'nginx.pid'};\n"
        f"error_log {tmp_path / 'error.log'};\n"
        "events { worker_connections 64; }\n"
        f"http {{\n    access_log off;\n{temp}    include {tmp_path / 'site.conf'};\n}}\n"
    )
    return main


@needs_nginx
def test_nginx_accepts_the_configuration(tmp_path):
    main = _runnable(tmp_path, free_port(), free_port())
    assert NGINX is not None
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(main)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


class _Echo(BaseHTTPRequestHandler):
    """The app's stand-in: answers with what reached it (headers and body size) as JSON."""

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        received = len(self.rfile.read(length)) if length else 0
        body = json.dumps({"headers": dict(self.headers), "body_bytes": received}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx on a free port in front of the echoing stand-in; its base URL."""
    assert NGINX is not None
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    directory, port = tmp_path_factory.mktemp("nginx"), free_port()
    main = _runnable(directory, upstream.server_address[1], port)
    nginx = subprocess.Popen(
        [NGINX, "-p", str(directory), "-c", str(main), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()


def _send(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


@needs_nginx
def test_requests_reach_the_app_with_the_clients_address(proxied):
    status, _type, body = _send(f"{proxied}/api/v1/ventures", data=b"x" * 1_500_000)
    assert status == 200
    seen = json.loads(body)
    assert seen["body_bytes"] == 1_500_000  # buffered whole, then passed on
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert seen["headers"]["X-Forwarded-Proto"] == "http"
    assert seen["headers"]["Host"] == proxied.removeprefix("http://")


@needs_nginx
@pytest.mark.parametrize(
    ("path", "headers", "data", "status", "media_type"),
    [
        ("/api/v1/ventures?sector=" + "a" * 9000, {}, None, 414, PROBLEM),
        ("/", {"X-Long": "a" * 9000}, None, 431, PROBLEM),
        ("/", {f"X-Part-{n}": "b" * 7000 for n in range(6)}, None, 431, PROBLEM),
        ("/api/v1/imports/ventures", {}, b"{" + b" " * (3 * 1024 * 1024) + b"}", 413, PROBLEM),
        ("/staff/imports", {}, b"x" * (3 * 1024 * 1024), 413, "text/html"),
    ],
    ids=["long URL", "long header", "many headers", "large API body", "large upload"],
)
def test_oversized_requests_get_a_clean_answer_from_nginx(
    proxied, path, headers, data, status, media_type
):
    got_status, got_type, body = _send(proxied + path, data=data, headers=headers)
    assert (got_status, got_type) == (status, media_type)
    if media_type == PROBLEM:
        assert json.loads(body)["status"] == status


@needs_nginx
def test_a_malformed_request_gets_a_problem_json_400(proxied):
    host, port = proxied.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(b"NOT A REQUEST\r\n\r\n")
        answer = connection.recv(4096).decode()
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400")
    assert f"Content-Type: {PROBLEM}" in head
    assert json.loads(body)["status"] == 400
