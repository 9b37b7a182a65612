"""Expansion: variables, ``${...}``, ``$((arithmetic))``, ``$(command)``, ``~``."""

from __future__ import annotations

import posixpath
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .errors import ShellError
from .lexer import _NAME_RE, Word, _scan_dollar
from .streams import _IO, BufferOutput

if TYPE_CHECKING:
    from .interpreter import Shell

__all__ = ["ExpansionMixin", "arithmetic"]


# ---------------------------------------------------------------------------
# Arithmetic
# ---------------------------------------------------------------------------

_ARITH_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(==|!=|<=|>=|&&|\|\||[-+*/%()<>!]))")


def arithmetic(expr: str, lookup: Callable[[str], str]) -> int:
    """Evaluate a shell arithmetic expression with a recursive-descent parser."""
    tokens: list[str] = []
    pos = 0
    expr = expr.strip()
    while pos < len(expr):
        m = _ARITH_TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            raise ShellError(f'arithmetic expression: expecting primary: "{expr}"')
        pos = m.end()
        if m.group(1):
            tokens.append(m.group(1))
        elif m.group(2):
            value = lookup(m.group(2)).strip() or "0"
            if not re.fullmatch(r"-?\d+", value):
                raise ShellError(f'arithmetic expression: expecting primary: "{expr}"')
            tokens.extend(["(", "-", value[1:], ")"] if value.startswith("-") else [value])
        elif m.group(3):
            tokens.append(m.group(3))
        # whitespace-only tail: loop ends
    idx = 0

    def peek() -> str | None:
        return tokens[idx] if idx < len(tokens) else None

    def take() -> str:
        nonlocal idx
        if idx >= len(tokens):
            raise ShellError(f'arithmetic expression: expecting primary: "{expr}"')
        idx += 1
        return tokens[idx - 1]

    def binary(level: int) -> int:
        levels = [("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/", "%")]
        if level == len(levels):
            return unary()
        left = binary(level + 1)
        while peek() in levels[level]:
            op = take()
            right = binary(level + 1)
            if op in ("/", "%") and right == 0:
                raise ShellError("arithmetic expression: division by zero")
            if op in ("/", "%"):
                # C semantics: truncate toward zero; remainder has the sign of the dividend.
                q = abs(left) // abs(right)
                q = q if (left >= 0) == (right >= 0) else -q
                left = q if op == "/" else left - right * q
            else:
                left = {
                    "+": lambda a, b: a + b,
                    "-": lambda a, b: a - b,
                    "*": lambda a, b: a * b,
                    "==": lambda a, b: int(a == b),
                    "!=": lambda a, b: int(a != b),
                    "<": lambda a, b: int(a < b),
                    ">": lambda a, b: int(a > b),
                    "<=": lambda a, b: int(a <= b),
                    ">=": lambda a, b: int(a >= b),
                    "&&": lambda a, b: int(bool(a) and bool(b)),
                    "||": lambda a, b: int(bool(a) or bool(b)),
                }[op](left, right)
            left = _wrap64(left)
        return left

    def unary() -> int:
        tok = peek()
        if tok in ("-", "+", "!"):
            take()
            value = unary()
            return -value if tok == "-" else (int(not value) if tok == "!" else value)
        if tok == "(":
            take()
            value = binary(0)
            if take() != ")":
                raise ShellError(f'arithmetic expression: expecting ")": "{expr}"')
            return value
        tok = take()
        if not tok.isdigit():
            raise ShellError(f'arithmetic expression: expecting primary: "{expr}"')
        return int(tok)

    if not tokens:
        return 0
    try:
        value = binary(0)
    except RecursionError:
        raise ShellError("arithmetic expression: nested too deeply") from None
    if idx != len(tokens):
        raise ShellError(f'arithmetic expression: expecting EOF: "{expr}"')
    return _wrap64(value)


def _wrap64(value: int) -> int:
    """Shell arithmetic is signed 64-bit (intmax_t): wrap like C does."""
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >= 1 << 63 else value


# ---------------------------------------------------------------------------
# Expansion (mixed into Shell)
# ---------------------------------------------------------------------------


class ExpansionMixin:
    """Parameter, arithmetic and command expansion for :class:`~.interpreter.Shell`."""

    if TYPE_CHECKING:  # provided by Shell
        io: _IO
        vars: dict[str, str]
        exported: set[str]
        cwd: str
        last_status: int
        name: str
        positional: list[str]

        def _child(self, name: str) -> Shell: ...

        async def _guarded(self, script: str, io: _IO) -> int: ...

    # -- expansion ----------------------------------------------------------

    def _lookup(self, name: str) -> str:
        if name == "?":
            return str(self.last_status)
        if name == "$":
            return "1"
        if name == "#":
            return str(len(self.positional))
        if name == "0":
            return self.vars.get("0", self.name)
        if name.isdigit():
            i = int(name)
            return self.positional[i - 1] if i <= len(self.positional) else ""
        if name in ("@", "*"):
            return " ".join(self.positional)
        if name == "PWD":
            return self.cwd
        if name == "RANDOM":
            return str(int(time.time() * 1000) % 32768)
        return self.vars.get(name, "")

    async def _expand_text(self, text: str) -> str:
        out: list[str] = []
        i = 0
        while i < len(text):
            c = text[i]
            if c != "$":
                out.append(c)
                i += 1
                continue
            j = _scan_dollar(text, i)
            token = text[i:j]
            if token == "$":
                out.append("$")
            elif token.startswith("$(("):
                value = arithmetic(await self._expand_text(token[3:-2]), self._lookup)
                out.append(str(value))
            elif token.startswith("$("):
                out.append(await self._command_substitution(token[2:-1]))
            elif token.startswith("${"):
                out.append(self._brace(token[2:-1]))
            else:
                out.append(self._lookup(token[1:]))
            i = j
        return "".join(out)

    def _brace(self, inner: str) -> str:
        if inner.startswith("#") and len(inner) > 1:
            return str(len(self._lookup(inner[1:])))
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*|[0-9?#$])(?:(:?[-=+?])(.*))?", inner, re.S)
        if not m:
            raise ShellError(f"${{{inner}}}: Bad substitution")
        name, op, word = m.group(1), m.group(2), m.group(3) or ""
        value = self._lookup(name)
        is_set = name in self.vars or not _NAME_RE.fullmatch(name)
        if not op:
            return value
        empty = (not value) if op.startswith(":") else (not is_set)
        kind = op[-1]
        if kind == "-":
            return word if empty else value
        if kind == "=":
            if empty:
                self.vars[name] = word
                return word
            return value
        if kind == "+":
            return "" if empty else word
        if empty:
            raise ShellError(f"{name}: {word or 'parameter not set'}")
        return value

    async def _command_substitution(self, script: str) -> str:
        buf = BufferOutput()
        sub = self._child(self.name)
        sub.vars = dict(self.vars)
        sub.exported = set(self.exported)
        sub.positional = list(self.positional)
        status = await sub._guarded(script, _IO(self.io.stdin, buf, self.io.stderr))
        self.last_status = status
        return buf.getvalue().rstrip("\n")

    async def _expand_word(self, word: Word, *, split: bool = True) -> list[str]:
        if word and word[0][0] == "uq" and re.match(r"~(/|$)", word[0][1]):
            home = self.vars.get("HOME", "/root")
            word = [("lit", home), ("uq", word[0][1][1:]), *word[1:]]
        fields: list[str] = [""]
        quoted = False
        for kind, text in word:
            if kind == "lit":
                fields[-1] += text
                quoted = True
            elif kind == "dq":
                fields[-1] += await self._expand_text(text)
                quoted = True
            else:
                value = await self._expand_text(text)
                if not split or "$" not in text:
                    fields[-1] += value
                    continue
                parts = value.split()
                if not parts:
                    continue
                if value[0].isspace():
                    fields.append("")
                fields[-1] += parts[0]
                for part in parts[1:]:
                    fields.append(part)
                if value[-1].isspace():
                    fields.append("")
        result = [f for f in fields if f] if split else ["".join(fields)]
        if not result and quoted:
            return [""]
        return result

    def _abspath(self, path: str) -> str:
        if path.startswith("~"):
            path = self.vars.get("HOME", "/root") + path[1:]
        return posixpath.normpath(posixpath.join(self.cwd, path)).replace("//", "/")
