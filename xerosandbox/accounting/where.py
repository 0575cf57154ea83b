"""Xero's ``where`` filter: a small tokenizer, a recursive-descent parser, and an evaluator.

Xero runs ``where`` through .NET Dynamic LINQ, so we accept its grammar (the part clients
use) and fail like it does: a 400 ``QueryParseException`` (ErrorNumber 16) with Dynamic LINQ's
messages ("Expression expected", "No property or field 'Foo' exists in type Contact",
"Operator '==' incompatible with operand types 'Guid' and 'String'").

    expr    := or
    or      := and (("OR" | "||") and)*
    and     := unary (("AND" | "&&") unary)*
    unary   := ("NOT" | "!") unary | compare
    compare := member (("==" | "=" | "!=" | "<>" | "<" | ">" | "<=" | ">=") member)?
    member  := primary ("." Name ("(" args ")")?)*
    primary := "string" | 'c' | number | true | false | null | Guid("...")
             | DateTime(y, m, d[, h, m, s]) | DateTime.Parse("...") | Field | "(" expr ")"

String literals are read as Dynamic LINQ reads them: a quote inside is written twice
(``""``), and a backslash is an ordinary character, so ``"Joe \\"Plumber\\" Ltd"`` ends at
the second quote and the rest is a "Syntax error" (Xero answers exactly that: Xero-Java issue
347, "Not able to find contact if name contains double quotes", where every escaping tried
got ``{"ErrorNumber":16,"Type":"QueryParseException","Message":"Syntax error"}``). Whether
Xero accepts the doubled quote is not confirmed, so clients should not rely on it. Like
Dynamic LINQ, the text is read token by token as the parser goes, so the first error met
is the one reported.

Field names are case-insensitive and resolved against the spec schema (``Contact.ContactID``
walks into the Contact schema). String comparisons ignore case, as Xero's do (they run on
SQL Server's case-insensitive collation).
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from . import msdate
from .spec import lookup

TYPE_NAMES = {"string": "String", "uuid": "Guid", "number": "Decimal", "boolean": "Boolean",
              "date": "DateTime", "null": "Object", "object": "Object"}


class QueryParseError(Exception):
    """A where/order expression Xero would reject (QueryParseException)."""


# -- tokens ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    kind: str      # str, num, name, op, (, ), ., ",", end, or bad (a lexical error)
    text: str
    value: Any = None


_OPERATORS = ("==", "!=", "<>", "<=", ">=", "&&", "||", "=", "<", ">", "!")


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``. A lexical error becomes a ``bad`` token (its message in
    ``value``) that ends the list: it is raised only if the parser gets that far."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "\"'":
            value, i = _read_string(text, i)
            if value is None:
                return [*tokens, Token("bad", text[i:], "Unterminated string literal")]
            if ch == "'" and len(value) != 1:
                return [*tokens, Token("bad", ch, "Character literal must contain exactly one character")]
            tokens.append(Token("str", value, value))
        elif ch.isdigit() or (ch == "-" and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (text[j].isdigit() or text[j] == "."):
                j += 1
            literal = text[i:j]
            try:
                number = float(literal) if "." in literal else int(literal)
            except ValueError:
                return [*tokens, Token("bad", literal, f"Invalid real literal '{literal}'")]
            tokens.append(Token("num", literal, number))
            i = j
        elif ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(Token("name", text[i:j]))
            i = j
        elif ch in "().,":
            tokens.append(Token(ch, ch))
            i += 1
        else:
            op = next((op for op in _OPERATORS if text.startswith(op, i)), None)
            if op is None:
                return [*tokens, Token("bad", ch, f"Syntax error '{ch}'")]
            tokens.append(Token("op", op))
            i += len(op)
    tokens.append(Token("end", ""))
    return tokens


def _read_string(text: str, start: int) -> tuple[str | None, int]:
    """The literal starting at ``start`` and the index after it; (None, start) when it is
    not closed. A doubled quote stands for one; a backslash is just a character."""
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == quote and i + 1 < len(text) and text[i + 1] == quote:
            out.append(quote)
            i += 2
        elif ch == quote:
            return "".join(out), i + 1
        else:
            out.append(ch)
            i += 1
    return None, start


# -- typed syntax tree ----------------------------------------------------------------------
Getter = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Node:
    type: str          # string|uuid|number|boolean|date|null|object
    get: Getter        # evaluates the node against one API-shaped object


def _literal(value: Any, type_: str) -> Node:
    return Node(type_, lambda _doc: value)


class Parser:
    def __init__(self, text: str, schema: str) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.schema = schema

    # helpers
    @property
    def tok(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind == "bad":  # the parser has reached a lexical error: now it counts
            raise QueryParseError(token.value)
        return token

    def advance(self) -> Token:
        token = self.tok
        self.pos += 1
        return token

    def is_word(self, *words: str) -> bool:
        return self.tok.kind == "name" and self.tok.text.upper() in words

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def expect(self, kind: str, message: str) -> Token:
        if self.tok.kind != kind:
            raise QueryParseError(message)
        return self.advance()

    # grammar
    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise QueryParseError("Expression expected")
        node = self.parse_or()
        if self.tok.kind != "end":
            raise QueryParseError("Syntax error")
        if node.type != "boolean":
            raise QueryParseError("Expression of type 'Boolean' expected")
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.is_word("OR") or self.is_op("||"):
            self.advance()
            items.append(self.parse_and())
        if len(items) == 1:
            return items[0]
        self._need_booleans(items, "||")
        return Node("boolean", lambda doc: any(bool(i.get(doc)) for i in items))

    def parse_and(self) -> Node:
        items = [self.parse_unary()]
        while self.is_word("AND") or self.is_op("&&"):
            self.advance()
            items.append(self.parse_unary())
        if len(items) == 1:
            return items[0]
        self._need_booleans(items, "&&")
        return Node("boolean", lambda doc: all(bool(i.get(doc)) for i in items))

    def parse_unary(self) -> Node:
        if self.is_word("NOT") or self.is_op("!"):
            self.advance()
            inner = self.parse_unary()
            self._need_booleans([inner], "!")
            return Node("boolean", lambda doc: not inner.get(doc))
        return self.parse_compare()

    def parse_compare(self) -> Node:
        left = self.parse_member()
        if self.tok.kind != "op" or self.tok.text in ("&&", "||", "!"):
            return left
        op = self.advance().text
        op = {"=": "==", "<>": "!="}.get(op, op)
        right = self.parse_member()
        return _compare(op, left, right)

    def parse_member(self) -> Node:
        node, path = self.parse_primary()
        while self.tok.kind == ".":
            self.advance()
            name = self.expect("name", "Identifier expected").text
            if self.tok.kind == "(":
                node = self._method(node, name, self._args())
                path = None
            elif path is not None:
                node, path = self._field(path + [name])
            else:
                raise QueryParseError(f"No property or field '{name}' exists in type "
                                      f"'{TYPE_NAMES.get(node.type, node.type)}'")
        return node

    def parse_primary(self) -> tuple[Node, list[str] | None]:
        token = self.tok
        if token.kind == "str":
            self.advance()
            return _literal(token.value, "string"), None
        if token.kind == "num":
            self.advance()
            return _literal(token.value, "number"), None
        if token.kind == "(":
            self.advance()
            inner = self.parse_or()
            self.expect(")", "')' or operator expected")
            return inner, None
        if token.kind == "name":
            word = token.text.upper()
            if word in ("TRUE", "FALSE"):
                self.advance()
                return _literal(word == "TRUE", "boolean"), None
            if word == "NULL":
                self.advance()
                return _literal(None, "null"), None
            if word == "GUID" and self.tokens[self.pos + 1].kind == "(":
                self.advance()
                return self._guid(self._args()), None
            if word == "DATETIME":
                return self._datetime(), None
            self.advance()
            return self._field([token.text])
        raise QueryParseError("Expression expected")

    def _args(self) -> list[Node]:
        self.expect("(", "'(' expected")
        args: list[Node] = []
        if self.tok.kind != ")":
            args.append(self.parse_or())
            while self.tok.kind == ",":
                self.advance()
                args.append(self.parse_or())
        self.expect(")", "')' or ',' expected")
        return args

    def _field(self, path: list[str]) -> tuple[Node, list[str]]:
        schema = self.schema
        canonical: list[str] = []
        field = None
        for depth, name in enumerate(path):
            field = lookup(schema, name) if schema else None
            if field is None:
                raise QueryParseError(f"No property or field '{name}' exists in type {schema}")
            canonical.append(field.name)
            if depth < len(path) - 1:
                schema = field.ref if field.kind == "object" else None
        assert field is not None
        type_ = {"enum": "string", "datetime": "date", "integer": "number"}.get(field.kind, field.kind)
        keys = tuple(canonical)

        def get(doc: dict[str, Any]) -> Any:
            value: Any = doc
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            if type_ == "date":
                return msdate.parse_ms(value)
            return value
        return Node(type_, get), list(path)

    def _guid(self, args: list[Node]) -> Node:
        if len(args) != 1 or args[0].type != "string":
            raise QueryParseError("No applicable constructor exists in type 'Guid'")
        try:
            value = str(uuid.UUID(args[0].get({})))
        except ValueError:
            raise QueryParseError("Guid should contain 32 digits with 4 dashes "
                                  "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).") from None
        return _literal(value, "uuid")

    def _datetime(self) -> Node:
        self.advance()
        if self.tok.kind == ".":
            self.advance()
            if not self.is_word("PARSE"):
                raise QueryParseError("No applicable method exists in type 'DateTime'")
            self.advance()
            args = self._args()
            if len(args) != 1 or args[0].type != "string":
                raise QueryParseError("No applicable method 'Parse' exists in type 'DateTime'")
            try:
                return _literal(msdate.parse(args[0].get({})), "date")
            except ValueError:
                raise QueryParseError("String was not recognized as a valid DateTime.") from None
        args = self._args()
        if not 3 <= len(args) <= 6 or any(a.type != "number" for a in args):
            raise QueryParseError("No applicable constructor exists in type 'DateTime'")
        try:
            parts = [int(a.get({})) for a in args]
            return _literal(datetime(*parts, tzinfo=timezone.utc), "date")  # type: ignore[misc]
        except ValueError as exc:
            raise QueryParseError(str(exc)) from None

    def _method(self, target: Node, name: str, args: list[Node]) -> Node:
        method = name.lower()
        if method == "tostring" and not args:
            return Node("string", lambda doc: None if target.get(doc) is None else str(target.get(doc)))
        if target.type != "string":
            raise QueryParseError(f"No applicable method '{name}' exists in type "
                                  f"'{TYPE_NAMES.get(target.type, target.type)}'")
        if method in ("tolower", "toupper", "trim") and not args:
            transform = {"tolower": str.lower, "toupper": str.upper, "trim": str.strip}[method]
            return Node("string", lambda doc: None if target.get(doc) is None else transform(target.get(doc)))
        if method in ("contains", "startswith", "endswith") and len(args) == 1 \
                and args[0].type in ("string", "null"):
            test = {"contains": lambda a, b: b in a, "startswith": str.startswith,
                    "endswith": str.endswith}[method]
            needle = args[0]

            def call(doc: dict[str, Any]) -> bool:
                value, wanted = target.get(doc), needle.get(doc)
                if value is None or wanted is None:
                    return False
                return test(value.casefold(), wanted.casefold())
            return Node("boolean", call)
        raise QueryParseError(f"No applicable method '{name}' exists in type 'String'")

    @staticmethod
    def _need_booleans(items: list[Node], op: str) -> None:
        for item in items:
            if item.type != "boolean":
                raise QueryParseError(f"Operator '{op}' incompatible with operand type "
                                      f"'{TYPE_NAMES.get(item.type, item.type)}'")


def _compare(op: str, left: Node, right: Node) -> Node:
    types = {left.type, right.type}
    compatible = len(types) == 1 or "null" in types
    if not compatible or (op not in ("==", "!=") and types & {"boolean", "null", "uuid"}):
        raise QueryParseError(f"Operator '{op}' incompatible with operand types "
                              f"'{TYPE_NAMES.get(left.type, left.type)}' and "
                              f"'{TYPE_NAMES.get(right.type, right.type)}'")

    def key(value: Any) -> Any:
        return value.casefold() if isinstance(value, str) else value

    def compare(doc: dict[str, Any]) -> bool:
        a, b = key(left.get(doc)), key(right.get(doc))
        if op == "==":
            return a == b
        if op == "!=":
            return a != b
        if a is None or b is None:
            return False
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    return Node("boolean", compare)


def compile_where(text: str, schema: str) -> Callable[[dict[str, Any]], bool]:
    """Parse ``text`` against ``schema``; the result tests one API-shaped object."""
    node = Parser(text, schema).parse()
    return lambda doc: bool(node.get(doc))


def compile_order(text: str, schema: str) -> list[tuple[Getter, bool]]:
    """``order=Name ASC, UpdatedDateUTC DESC`` -> [(getter, descending), ...]."""
    keys: list[tuple[Getter, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2:
            raise QueryParseError("Expression expected")
        descending = False
        if len(words) == 2:
            direction = words[1].upper()
            if direction not in ("ASC", "ASCENDING", "DESC", "DESCENDING"):
                raise QueryParseError("',' or end of expression expected")
            descending = direction.startswith("DESC")
        node = Parser(words[0], schema).parse_member()
        keys.append((node.get, descending))
    return keys
