"""Parsing tokens into and-or lists of pipelines of simple commands."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ShellError
from .lexer import Word, tokenize

__all__ = ["AndOr", "Pipeline", "Redirect", "SimpleCommand", "parse"]


# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------


@dataclass
class Redirect:
    op: str  # ">", ">>", "<", "2>", "2>>", "2>&1", ">&2"
    target: Word | None


@dataclass
class SimpleCommand:
    words: list[Word]
    redirects: list[Redirect]


@dataclass
class Pipeline:
    commands: list[SimpleCommand]


@dataclass
class AndOr:
    first: Pipeline
    rest: list[tuple[str, Pipeline]]  # ("&&" | "||", pipeline)


def parse(text: str) -> list[AndOr]:
    """Parse a script into a list of and-or lists (separated by ; & or newline)."""
    tokens = tokenize(text)
    result: list[AndOr] = []
    pos = 0

    def parse_command() -> SimpleCommand:
        nonlocal pos
        words: list[Word] = []
        redirects: list[Redirect] = []
        while pos < len(tokens):
            tok = tokens[pos]
            if isinstance(tok, list):
                words.append(tok)
                pos += 1
            elif tok in (">", ">>", "<", "2>", "2>>"):
                pos += 1
                if pos >= len(tokens) or not isinstance(tokens[pos], list):
                    raise ShellError("Syntax error: newline unexpected")
                target = tokens[pos]
                assert isinstance(target, list)
                redirects.append(Redirect(tok, target))
                pos += 1
            elif tok in ("2>&1", "1>&2", ">&2"):
                redirects.append(Redirect(">&2" if tok == "1>&2" else tok, None))
                pos += 1
            else:
                break
        if not words and not redirects:
            bad = tokens[pos] if pos < len(tokens) else "end of file"
            raise ShellError(f'Syntax error: "{bad}" unexpected')
        return SimpleCommand(words, redirects)

    def parse_pipeline() -> Pipeline:
        nonlocal pos
        cmds = [parse_command()]
        while pos < len(tokens) and tokens[pos] == "|":
            pos += 1
            cmds.append(parse_command())
        return Pipeline(cmds)

    while pos < len(tokens):
        if tokens[pos] in (";", "\n", "&"):
            if tokens[pos] != "\n" and not result:
                raise ShellError(f'Syntax error: "{tokens[pos]}" unexpected')
            pos += 1
            continue
        first = parse_pipeline()
        rest: list[tuple[str, Pipeline]] = []
        while pos < len(tokens) and tokens[pos] in ("&&", "||"):
            op = tokens[pos]
            assert isinstance(op, str)
            pos += 1
            while pos < len(tokens) and tokens[pos] == "\n":
                pos += 1
            rest.append((op, parse_pipeline()))
        result.append(AndOr(first, rest))
        if pos < len(tokens) and tokens[pos] not in (";", "\n", "&"):
            raise ShellError(f'Syntax error: "{tokens[pos]}" unexpected')
    return result
