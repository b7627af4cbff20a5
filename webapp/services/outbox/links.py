"""Absolute links for emails, built from PUBLIC_URL and never from a request's Host header.

Taking the host from the request would let anyone ask for a password reset with
`Host: attacker.example` and have the victim's token mailed out pointing there. Each process
calls `configure(settings.site_url)` at start-up (the app factory, the worker runtime).
"""

from __future__ import annotations

from urllib.parse import urljoin

_DEVELOPMENT_DEFAULT = "http://127.0.0.1:5000"
_site_url = _DEVELOPMENT_DEFAULT


def configure(site_url: str) -> None:
    """Set the base URL every email link is built on (once per process)."""
    global _site_url
    _site_url = site_url.rstrip("/")


def absolute(path: str) -> str:
    """`/deals/4` → `https://venturematch.example.org/deals/4` (absolute URLs pass through)."""
    return urljoin(f"{_site_url}/", path.lstrip("/")) if not path.startswith("http") else path
