"""A crawler for the browser tests: follow every in-site link a signed-in person can reach.

Links are followed as GET requests only (forms are never submitted, so nothing destructive is
clicked). URLs that differ only in their ids or query values share a *shape*
(`/deals/<id>`, `/investor/matches?offset&sort`); only the first few of each shape are opened, so
a list of three hundred ventures costs a couple of page loads rather than three hundred.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urldefrag, urlsplit

from playwright.sync_api import Page

SAMPLES_PER_SHAPE = 2
MAX_PAGES = 400  # a runaway guard; the demo set reaches far fewer
_NUMBER = re.compile(r"^\d+$")
# Not pages: assets and the machine-readable API (its own tests cover it).
SKIPPED_PREFIXES = ("/static/", "/api/v1/", "/api/openapi.json")

# The document's width against the viewport's, and the widest element that pokes out.
_WIDTH_SCRIPT = """() => {
  const doc = document.documentElement;
  let widest = "";
  let right = window.innerWidth;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > right + 1) {
      right = box.right;
      const classes = typeof el.className === "string" ? el.className.trim() : "";
      widest = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (classes ? "." + classes.replace(/\\s+/g, ".") : "");
    }
  }
  return {document: doc.scrollWidth, viewport: window.innerWidth, widest: widest};
}"""


def shape_of(url: str) -> str:
    """The URL with ids collapsed and query values dropped: `/deals/<id>?offset`."""
    parts = urlsplit(url)
    path = "/".join("<id>" if _NUMBER.match(p) else p for p in parts.path.split("/"))
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


@dataclass
class Visit:
    """One URL the crawl opened, what it answered, and how wide the page was."""

    url: str
    status: int
    content_type: str
    document_width: int | None = None
    viewport_width: int | None = None
    widest: str = ""


@dataclass
class CrawlReport:
    """Every visit, plus the problems found on the way."""

    visits: list[Visit] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def paths(self) -> list[str]:
        """The paths (with query) of every visit, in crawl order."""
        return [urlsplit(v.url).path for v in self.visits]


def _in_site(url: str, origin: str) -> str | None:
    """The same-origin part of a link (path and query, no fragment), or None to skip it."""
    url, _ = urldefrag(url)
    if not url.startswith(origin + "/") and url != origin:
        return None
    local = url[len(origin) :] or "/"
    if local.startswith(SKIPPED_PREFIXES):
        return None
    return local


def crawl(
    page: Page, origin: str, start: str = "/", *, checks: tuple[str, ...] = ()
) -> CrawlReport:
    """Breadth-first from `start`: every reachable shape, a few samples each.

    A 5xx answer, a page wider than the viewport, or a text in `checks` appearing on a page is
    reported as a problem; the crawl carries on so that one run lists them all.
    """
    report = CrawlReport()
    queue: deque[str] = deque([start])
    queued = {start}
    taken: Counter[str] = Counter({shape_of(start): 1})
    while queue and len(report.visits) < MAX_PAGES:
        local = queue.popleft()
        # The API request context shares the page's cookies; it sees downloads (CSV, JSON)
        # that page.goto would refuse, and reports the status of the final redirect target.
        answer = page.request.get(local, max_redirects=5)
        visit = Visit(local, answer.status, answer.headers.get("content-type", ""))
        report.visits.append(visit)
        if answer.status >= 500:
            report.problems.append(f"{local}: HTTP {answer.status}")
            continue
        if answer.status >= 400 or not visit.content_type.startswith("text/html"):
            continue
        response = page.goto(local)
        if response is not None and response.status >= 500:
            report.problems.append(f"{local}: HTTP {response.status} in the browser")
            continue
        width = page.evaluate(_WIDTH_SCRIPT)
        visit.document_width, visit.viewport_width = width["document"], width["viewport"]
        visit.widest = width["widest"]
        if width["document"] > width["viewport"]:
            report.problems.append(
                f"{local}: page is {width['document']} px wide in a {width['viewport']} px "
                f"viewport (widest: {width['widest'] or 'unknown'})"
            )
        text = page.locator("body").inner_text()
        report.problems.extend(f"{local}: shows {c!r}" for c in checks if c in text)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = _in_site(href, origin)
            if target is None or target in queued:
                continue
            shape = shape_of(target)
            if taken[shape] >= SAMPLES_PER_SHAPE:
                continue
            taken[shape] += 1
            queued.add(target)
            queue.append(target)
    if queue:
        report.problems.append(f"stopped after {MAX_PAGES} pages with {len(queue)} still queued")
    return report
