"""Tokenising shell text into words (segment lists) and operators."""

from __future__ import annotations

import re

from .errors import ShellError

__all__ = ["OPERATORS", "Segment", "Word", "tokenize"]

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.S)


# ---------------------------------------------------------------------------
# Lexer
# ---------------------------------------------------------------------------

# A word is a list of segments (kind, text): kind "lit" (quoted literally,
# no expansion), "dq" (double quoted, expanded, not split), "uq" (unquoted,
# expanded and field-split).
Segment = tuple[str, str]
Word = list[Segment]
OPERATORS = ("&&", "||", ";;", "2>&1", "1>&2", ">&2", ">>", "2>>", "2>", ">", "<", "|", ";", "&", "\n")
_WORD_OPERATORS = tuple(o for o in OPERATORS if not o[0].isdigit())


def _scan_dollar(text: str, i: int) -> int:
    """Given text[i] == '$', return the index just past the expansion."""
    if text.startswith("$((", i):
        depth, j = 0, i + 1
        while j < len(text):
            if text[j] == "(":
                depth += 1
            elif text[j] == ")":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        raise ShellError("Syntax error: Missing '))'")
    if text.startswith("$(", i):
        depth, j, quote = 0, i + 1, ""
        while j < len(text):
            c = text[j]
            if quote:
                if c == quote:
                    quote = ""
            elif c in "'\"":
                quote = c
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        raise ShellError('Syntax error: end of file unexpected (expecting ")")')
    if text.startswith("${", i):
        j = text.find("}", i)
        if j < 0:
            raise ShellError("Syntax error: Missing '}'")
        return j + 1
    j = i + 1
    if j < len(text) and text[j] in "?$#!@*0123456789-":
        return j + 1
    m = _NAME_RE.match(text, j)
    return m.end() if m else j


def tokenize(text: str) -> list[Word | str]:
    """Split shell text into words (segment lists) and operator strings."""
    tokens: list[Word | str] = []
    word: Word = []
    in_word = False
    i, n = 0, len(text)

    def add(kind: str, s: str) -> None:
        if word and word[-1][0] == kind:
            word[-1] = (kind, word[-1][1] + s)
        else:
            word.append((kind, s))

    def end_word() -> None:
        nonlocal word, in_word
        if in_word:
            tokens.append(word)
        word, in_word = [], False

    while i < n:
        c = text[i]
        if c in " \t":
            end_word()
            i += 1
        elif c == "#" and not in_word:
            while i < n and text[i] != "\n":
                i += 1
        elif c == "\\":
            in_word = True
            if i + 1 < n:
                if text[i + 1] != "\n":
                    add("lit", text[i + 1])
                i += 2
            else:
                i += 1
        elif c == "'":
            j = text.find("'", i + 1)
            if j < 0:
                raise ShellError("Syntax error: Unterminated quoted string")
            in_word = True
            add("lit", text[i + 1 : j])
            i = j + 1
        elif c == '"':
            in_word = True
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise ShellError("Syntax error: Unterminated quoted string")
                if text[j] == '"':
                    break
                if text[j] == "\\" and j + 1 < n and text[j + 1] in '$`"\\\n':
                    if buf:
                        add("dq", "".join(buf))
                        buf = []
                    if text[j + 1] != "\n":
                        add("lit", text[j + 1])
                    j += 2
                elif text[j] == "$":
                    k = _scan_dollar(text, j)
                    buf.append(text[j:k])
                    j = k
                else:
                    buf.append(text[j])
                    j += 1
            add("dq", "".join(buf))
            i = j + 1
        elif c == "$":
            in_word = True
            k = _scan_dollar(text, i)
            add("uq", text[i:k])
            i = k
        else:
            # "2>" is a redirection only at the start of a word ("a2>f" is "a2" ">" "f").
            ops = _WORD_OPERATORS if in_word else OPERATORS
            op = next((o for o in ops if text.startswith(o, i)), None)
            if op is not None:
                end_word()
                tokens.append(op)
                i += len(op)
            else:
                in_word = True
                add("uq", c)
                i += 1
    end_word()
    return tokens
