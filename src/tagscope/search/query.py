"""The search query language: a small parser with errors that say where.

Grammar (operators are upper-case; lower-case ``and``/``or``/``not`` are ordinary words)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*          -- juxtaposition is AND
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or ")" | '"phrase"' | "#hashtag" | "@handle" | prefix* | word

The parser only builds a tree; :mod:`tagscope.search.engine` turns it into tantivy query objects,
so user text is never pasted into another query language.
"""

from __future__ import annotations

from dataclasses import dataclass


class QuerySyntaxError(ValueError):
    """Bad query syntax; ``column`` is 1-based."""

    def __init__(self, message: str, column: int):
        super().__init__(f"{message} at column {column}")
        self.column = column
        self.reason = message


@dataclass(frozen=True)
class Word:
    text: str
    column: int


@dataclass(frozen=True)
class Phrase:
    text: str
    column: int


@dataclass(frozen=True)
class Prefix:
    text: str
    column: int


@dataclass(frozen=True)
class Tag:
    text: str
    column: int


@dataclass(frozen=True)
class Mention:
    text: str
    column: int


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Word | Phrase | Prefix | Tag | Mention | Not | And | Or
Leaf = Word | Phrase | Prefix | Tag | Mention

_SPECIAL = '()"'


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT MINUS
    text: str
    column: int


def _lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c == "(":
            toks.append(_Tok("LPAREN", c, i + 1))
            i += 1
        elif c == ")":
            toks.append(_Tok("RPAREN", c, i + 1))
            i += 1
        elif c == '"':
            end = q.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError("unbalanced quote", i + 1)
            toks.append(_Tok("PHRASE", q[i + 1 : end], i + 1))
            i = end + 1
        elif c == "-" and i + 1 < n and not q[i + 1].isspace() and (not toks or toks[-1].kind != "WORD" or q[i - 1].isspace()):
            toks.append(_Tok("MINUS", c, i + 1))
            i += 1
        else:
            j = i
            while j < n and not q[j].isspace() and q[j] not in _SPECIAL:
                j += 1
            word = q[i:j]
            kind = word if word in ("AND", "OR", "NOT") else "WORD"
            toks.append(_Tok(kind, word, i + 1))
            i = j
    return toks


MAX_DEPTH = 100  # nested '(' and NOT/-; deeper ran out of Python stack (RecursionError traceback)


class _Parser:
    def __init__(self, q: str):
        self.q = q
        self.toks = _lex(q)
        self.i = 0
        self.depth = 0

    def deeper(self, tok: _Tok) -> None:
        """Count one more level of nesting; refuse a query nested past MAX_DEPTH, saying where."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(f"nested more than {MAX_DEPTH} levels deep (parentheses and NOT)", tok.column)

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def end_column(self) -> int:
        return len(self.q) + 1

    def parse(self) -> Node:
        if not self.toks:
            raise QuerySyntaxError("empty query: type words, a \"phrase\", a #hashtag or an @handle", 1)
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:
            raise QuerySyntaxError("unexpected ')' (no '(' to close)" if tok.kind == "RPAREN" else f"unexpected {tok.text!r}", tok.column)
        return node

    def parse_or(self) -> Node:
        parts = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Node:
        parts = [self.parse_unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("OR", "RPAREN"):
            if tok.kind == "AND":
                self.i += 1
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind in ("NOT", "MINUS"):
            self.i += 1
            self.deeper(tok)
            node = Not(self.parse_unary())
            self.depth -= 1
            return node
        return self.parse_primary()

    def parse_primary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("expected a term after the operator", self.end_column())
        self.i += 1
        if tok.kind == "LPAREN":
            if (nxt := self.peek()) is not None and nxt.kind == "RPAREN":
                raise QuerySyntaxError("empty parentheses", tok.column)
            self.deeper(tok)
            node = self.parse_or()
            close = self.peek()
            if close is None or close.kind != "RPAREN":
                raise QuerySyntaxError("unbalanced '(' (add a ')')", tok.column)
            self.i += 1
            self.depth -= 1
            return node
        if tok.kind == "PHRASE":
            if not tok.text.strip():
                raise QuerySyntaxError("empty phrase", tok.column)
            return Phrase(tok.text, tok.column)
        if tok.kind == "WORD":
            return _leaf(tok)
        if tok.kind == "RPAREN":
            raise QuerySyntaxError("unexpected ')' (no '(' to close)", tok.column)
        raise QuerySyntaxError(f"expected a term before {tok.text!r}", tok.column)


def _leaf(tok: _Tok) -> Leaf:
    text, col = tok.text, tok.column
    if text[0] in "#＃":
        if len(text) == 1:
            raise QuerySyntaxError("'#' needs a hashtag after it", col)
        return Tag(text[1:], col)
    if text[0] in "@＠":
        if len(text) == 1:
            raise QuerySyntaxError("'@' needs a handle after it", col)
        return Mention(text[1:], col)
    if text.endswith("*"):
        stem = text.rstrip("*")
        if not stem:
            raise QuerySyntaxError("'*' needs at least one character before it (e.g. femin*)", col)
        if "*" in stem:
            raise QuerySyntaxError("'*' is only allowed at the end of a word", col + stem.index("*"))
        return Prefix(stem, col)
    if "*" in text:
        raise QuerySyntaxError("'*' is only allowed at the end of a word", col + text.index("*"))
    return Word(text, col)


def parse(query: str) -> Node:
    """Parse a query string; raise :class:`QuerySyntaxError` with the column of the problem."""
    return _Parser(query).parse()


def leaves(node: Node) -> list[Leaf]:
    """Every leaf of a query, except those under NOT (used for highlighting)."""
    if isinstance(node, Not):
        return []
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in leaves(child)]
    return [node]
