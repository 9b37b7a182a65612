"""A tiny, harmless shell interpreter for simulated ``kubectl exec`` sessions.

Nothing here starts a real process or touches the real filesystem: every
command is a Python coroutine working on an in-memory fake filesystem built
from the pod spec.  The interpreter understands enough POSIX shell to feel
real in a terminal or in scripts:

* ``;``, ``&&``, ``||``, simple pipelines (``a | b``, buffered, not concurrent)
* single/double quotes, backslash escapes, ``# comments``
* variables (``X=1``, ``$X``, ``${X}``, ``$?``, ``$$``, ``$0``, ``$#``, ``$1``..)
* ``$((arithmetic))`` (integers, ``+ - * / %``, comparisons, parentheses)
  evaluated by a small recursive-descent parser (no ``eval``)
* ``$(command)`` substitution
* redirections ``>``, ``>>``, ``2>``, ``2>&1``, ``<`` against the fake fs
* builtins: echo, printf, cd, pwd, export, unset, env, hostname, whoami, id,
  ls, cat, head, grep, wc, touch, mkdir, rm, sleep, true, false, exit, date,
  uname, stty, tty, clear, which, test/[ , sh/bash (nested shells)

Shell flavours: invoked as ``sh``/``/bin/sh`` the shell behaves like Debian's
dash (prompt ``# ``, errors ``sh: 1: foo: not found``); invoked as ``bash`` it
behaves like bash (prompt ``root@<host>:<cwd># ``, errors
``bash: foo: command not found``).  Both exit 127 for unknown commands.

Terminal handling lives here too: :class:`TerminalInput` is a minimal cooked
line discipline (echo, CR -> NL, backspace, ^C, ^D, ^U) and
:class:`StreamOutput` performs the ``\\n`` -> ``\\r\\n`` output translation
a pty applies when ``tty`` is set.

The package is split into small modules:

* :mod:`.streams` -- input/output streams and the terminal line discipline
* :mod:`.fs` -- :class:`ContainerInfo` (env, hostname, fake filesystem)
* :mod:`.lexer` / :mod:`.parser` -- tokenising and and-or command lists
* :mod:`.expand` -- variables, ``$((arithmetic))``, ``$(command)``
* :mod:`.interpreter` -- :class:`Shell` (exec, scripts, execution)
* :mod:`.builtins` / :mod:`.fileutils` -- the commands
* :mod:`.errors` -- exceptions
"""

from __future__ import annotations

from .errors import ExecNotFound as ExecNotFound
from .errors import ShellError as ShellError
from .errors import ShellExit as ShellExit
from .expand import arithmetic as arithmetic
from .fs import BIN_DIRS as BIN_DIRS
from .fs import DEFAULT_PATH as DEFAULT_PATH
from .fs import ContainerInfo as ContainerInfo
from .interpreter import SHELL_NAMES as SHELL_NAMES
from .interpreter import Shell as Shell
from .lexer import OPERATORS as OPERATORS
from .lexer import Segment as Segment
from .lexer import Word as Word
from .lexer import tokenize as tokenize
from .parser import AndOr as AndOr
from .parser import Pipeline as Pipeline
from .parser import Redirect as Redirect
from .parser import SimpleCommand as SimpleCommand
from .parser import parse as parse
from .streams import INTERRUPT as INTERRUPT
from .streams import BufferOutput as BufferOutput
from .streams import Input as Input
from .streams import NullOutput as NullOutput
from .streams import Output as Output
from .streams import PipeInput as PipeInput
from .streams import StreamOutput as StreamOutput
from .streams import StringInput as StringInput
from .streams import TerminalInput as TerminalInput
from .streams import TerminalSize as TerminalSize

__all__ = [
    "BufferOutput",
    "ContainerInfo",
    "ExecNotFound",
    "Input",
    "NullOutput",
    "Output",
    "PipeInput",
    "Shell",
    "StreamOutput",
    "StringInput",
    "TerminalInput",
    "TerminalSize",
    "arithmetic",
]
