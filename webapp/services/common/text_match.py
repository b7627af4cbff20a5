"""Matching what people type against text columns, with LIKE's wildcards taken literally.

Someone searching for "50%" or "a_b" means those characters, not "anything"; escaping them in
one place keeps every search box honest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func

ESCAPE = "\\"


def like_escape(text: str) -> str:
    """`text` with LIKE's wildcards (and the escape character) escaped."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def contains_text(column: Any, text: str) -> ColumnElement[bool]:
    """Case-insensitive: the column contains `text` somewhere."""
    return func.lower(column).like(f"%{like_escape(text.strip().lower())}%", escape=ESCAPE)
