"""Exceptions raised by the kubesim shell."""

from __future__ import annotations

__all__ = ["ExecNotFound", "ShellError", "ShellExit"]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class ExecNotFound(Exception):
    """A direct (non-shell) exec named an executable that does not exist.

    Mirrors runc's start failure; the message is the runc-style text,
    e.g. ``exec: "foo": executable file not found in $PATH``.
    """

    def __init__(self, name: str) -> None:
        if "/" in name:
            detail = f'exec: "{name}": stat {name}: no such file or directory'
        else:
            detail = f'exec: "{name}": executable file not found in $PATH'
        super().__init__(detail)
        self.name = name


class ShellExit(Exception):
    """Raised by ``exit``; unwinds to the enclosing shell process."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class ShellError(Exception):
    """A shell-level error (syntax, bad expansion); reported on stderr."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status
