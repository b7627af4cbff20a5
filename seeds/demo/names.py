"""Fictional names for people, companies and firms, unique where the database needs them to be."""

from __future__ import annotations

import random
import re

from seeds.demo import vocabulary as vocab

DEMO_DOMAIN = "demo.venturematch.example"  # .example is reserved (RFC 2606): mail never leaves
_ROMAN = ("II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_NOT_EMAIL = re.compile(r"[^a-z0-9]+")


class UniqueNames:
    """Hands out names never given before, adding a fund-style numeral when a draw repeats."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self._taken: set[str] = set() if taken is None else taken

    def claim(self, name: str) -> str:
        """Return `name`, or `name II`, `name III`, ... whichever is still free (case-blind)."""
        candidates = [name, *(f"{name} {numeral}" for numeral in _ROMAN)]
        for candidate in candidates:
            if candidate.casefold() not in self._taken:
                self._taken.add(candidate.casefold())
                return candidate
        counter = len(_ROMAN) + 2
        while f"{name} {counter}".casefold() in self._taken:
            counter += 1
        self._taken.add(f"{name} {counter}".casefold())
        return f"{name} {counter}"


def person_name(rng: random.Random) -> str:
    """A plausible full name from common UK first names and surnames."""
    return f"{rng.choice(vocab.FIRST_NAMES)} {rng.choice(vocab.LAST_NAMES)}"


def demo_email(name: str, number: int, tag: str = "") -> str:
    """A unique address under the reserved demo domain, e.g. `priya.shah.42@demo...`;
    a tag keeps numbering schemes apart (`sam.lee.inv7@...`)."""
    local = _NOT_EMAIL.sub(".", name.casefold()).strip(".")
    return f"{local}.{tag}{number}@{DEMO_DOMAIN}"


def company_stem(rng: random.Random) -> str:
    """An invented word that reads like a brand ("Belionora")."""
    return (
        rng.choice(vocab.NAME_ONSETS)
        + rng.choice(vocab.NAME_MIDDLES)
        + rng.choice(vocab.NAME_CODAS)
    )


def company_name(rng: random.Random, growth_sector: str) -> str:
    """An invented company name with a sector-flavoured last word ("Belionora Bio")."""
    return f"{company_stem(rng)} {rng.choice(vocab.NAME_SUFFIXES[growth_sector])}"


def firm_name(rng: random.Random, investor_type: str) -> str:
    """An invented investor name built from Northern landscape words ("Kestrelford Ventures")."""
    if investor_type in {"angel"}:
        return f"{person_name(rng)} (angel)"
    first = rng.choice(vocab.FIRM_FIRST) + rng.choice(vocab.FIRM_SECOND)
    middle = rng.choice(vocab.FIRM_MIDDLE) if rng.random() < 0.3 else ""
    suffix = rng.choice(vocab.FIRM_SUFFIXES[investor_type])
    return " ".join(part for part in (first, middle, suffix) if part)


def website_for(name: str) -> str:
    """A website under the reserved demo domain, so no real firm's site is linked."""
    slug = _NOT_EMAIL.sub("-", name.casefold()).strip("-")
    return f"https://{slug}.{DEMO_DOMAIN}"
