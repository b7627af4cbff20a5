"""A small reader of nginx's configuration syntax, so tests can check what the file says.

Directives end in `;` or open a `{ … }` block; arguments are words or quoted strings; `#` starts
a comment. That is all deploy/nginx.conf uses (no variables are expanded, no includes followed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"""\s*(?:#[^\n]*|'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([{};])|([^\s{};'"#]+))"""
)


@dataclass
class Directive:
    """`name args…;` or `name args… { children }`."""

    name: str
    args: list[str]
    children: list[Directive] = field(default_factory=list)

    def all(self, name: str) -> list[Directive]:
        """The children with this name, in order."""
        return [child for child in self.children if child.name == name]

    def one(self, name: str) -> Directive:
        """The only child with this name."""
        found = self.all(name)
        assert len(found) == 1, f"{self.name} {self.args}: {len(found)} {name!r} directives"
        return found[0]

    def walk(self) -> Iterator[Directive]:
        """This directive and every one below it."""
        yield self
        for child in self.children:
            yield from child.walk()


def _tokens(text: str) -> Iterator[tuple[str, bool]]:
    """(token, is_syntax) pairs; quoted strings come unquoted and are never syntax."""
    position = 0
    while text[position:].strip():
        found = _TOKEN.match(text, position)
        if found is None:
            raise ValueError(f"cannot read nginx config at {text[position : position + 40]!r}")
        position = found.end()
        single, double, syntax, word = found.groups()
        if syntax:
            yield syntax, True
        elif word is not None:
            yield word, False
        elif single is not None or double is not None:
            yield (single if single is not None else double), False


def parse(text: str) -> Directive:
    """The whole file as the children of a root directive named `main`."""
    stack = [Directive("main", [])]
    words: list[str] = []
    for token, syntax in _tokens(text):
        if not syntax:
            words.append(token)
        elif token == ";":
            stack[-1].children.append(Directive(words[0], words[1:]))
            words = []
        elif token == "{":
            block = Directive(words[0], words[1:])
            stack[-1].children.append(block)
            stack.append(block)
            words = []
        else:
            assert not words, f"directive {words} is not ended with ';'"
            stack.pop()
    assert len(stack) == 1, "unbalanced braces"
    assert not words, f"directive {words} is not ended with ';'"
    return stack[0]
