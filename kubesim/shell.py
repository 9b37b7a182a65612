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
"""

from __future__ import annotations

import asyncio
import codecs
import posixpath
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

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

INTERRUPT = "\x00<interrupt>"  # sentinel line returned by TerminalInput on ^C
SHELL_NAMES = {"sh", "bash", "dash", "ash"}
BIN_DIRS = ("/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin")
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.S)


# ---------------------------------------------------------------------------
# Errors and small value types
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


@dataclass
class TerminalSize:
    """Terminal geometry; updated by resize messages."""

    rows: int = 24
    cols: int = 80


# ---------------------------------------------------------------------------
# Input / output streams
# ---------------------------------------------------------------------------


class Input:
    """Line-oriented asynchronous input.  ``readline`` returns ``None`` at EOF."""

    async def readline(self) -> str | None:
        raise NotImplementedError

    async def read_all(self) -> str:
        chunks: list[str] = []
        while True:
            line = await self.readline()
            if line is None:
                return "".join(chunks)
            if line != INTERRUPT:
                chunks.append(line)


class StringInput(Input):
    """Input from a fixed string (pipes, here-strings, ``< file``)."""

    def __init__(self, text: str = "") -> None:
        self._lines = text.splitlines(keepends=True)

    async def readline(self) -> str | None:
        return self._lines.pop(0) if self._lines else None


class PipeInput(Input):
    """Raw (non-tty) input fed with bytes as they arrive; no echo."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._partial = ""
        self._eof = False

    async def feed(self, data: bytes) -> None:
        if self._eof:
            return
        self._partial += self._decoder.decode(data)
        while "\n" in self._partial:
            line, self._partial = self._partial.split("\n", 1)
            self._queue.put_nowait(line + "\n")

    def close(self) -> None:
        """Signal end of input (stdin closed)."""
        if self._eof:
            return
        self._eof = True
        self._partial += self._decoder.decode(b"", final=True)
        if self._partial:
            self._queue.put_nowait(self._partial)
            self._partial = ""
        self._queue.put_nowait(None)

    async def readline(self) -> str | None:
        line = await self._queue.get()
        if line is None:
            self._queue.put_nowait(None)  # EOF is sticky
        return line


class Output:
    """Text output sink."""

    async def write(self, text: str) -> None:
        raise NotImplementedError


class NullOutput(Output):
    async def write(self, text: str) -> None:
        return None


class BufferOutput(Output):
    """Collects output in memory (pipes, ``$(...)``, tests)."""

    def __init__(self) -> None:
        self._parts: list[str] = []

    async def write(self, text: str) -> None:
        self._parts.append(text)

    def getvalue(self) -> str:
        return "".join(self._parts)


class StreamOutput(Output):
    """Encodes text and hands bytes to ``send``; with ``crlf`` maps NL to CRLF."""

    def __init__(self, send: Callable[[bytes], Awaitable[None]], *, crlf: bool = False) -> None:
        self._send = send
        self._crlf = crlf

    async def write(self, text: str) -> None:
        if not text:
            return
        if self._crlf:
            text = re.sub(r"\r?\n", "\r\n", text)
        await self._send(text.encode("utf-8"))


class TerminalInput(Input):
    """A minimal cooked-mode line discipline (what a pty does for a tty exec).

    Input bytes are echoed to ``echo``; CR or LF completes a line; DEL/BS
    erase a character; ^U kills the line; ^C discards the line, echoes
    ``^C`` and calls ``on_interrupt``; ^D on an empty line is end-of-file for
    one read.  ANSI escape sequences (arrow keys) are swallowed.
    """

    def __init__(
        self,
        echo: Output,
        on_interrupt: Callable[[], None] | None = None,
    ) -> None:
        self._echo = echo
        self._on_interrupt = on_interrupt
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._line = ""
        self._esc = 0  # 0: normal, 1: after ESC, 2: inside CSI
        self._closed = False
        self._readers = 0

    def set_interrupt_handler(self, handler: Callable[[], None] | None) -> None:
        self._on_interrupt = handler

    def push_interrupt(self) -> None:
        """Wake a pending ``readline`` with the interrupt sentinel."""
        self._queue.put_nowait(INTERRUPT)

    async def feed(self, data: bytes) -> None:
        if self._closed:
            return
        echo: list[str] = []
        for ch in self._decoder.decode(data):
            if self._esc == 1:
                self._esc = 2 if ch in "[O" else 0
                continue
            if self._esc == 2:
                if "@" <= ch <= "~":
                    self._esc = 0
                continue
            if ch == "\x1b":
                self._esc = 1
            elif ch in "\r\n":
                echo.append("\r\n")
                self._queue.put_nowait(self._line + "\n")
                self._line = ""
            elif ch in "\x7f\x08":
                if self._line:
                    self._line = self._line[:-1]
                    echo.append("\b \b")
            elif ch == "\x15":  # ^U
                echo.append("\b \b" * len(self._line))
                self._line = ""
            elif ch == "\x03":  # ^C
                echo.append("^C\r\n")
                self._line = ""
                await self._flush_echo(echo)
                if self._readers:
                    self.push_interrupt()  # a blocked reader (prompt, cat) sees ^C
                if self._on_interrupt is not None:
                    self._on_interrupt()
            elif ch == "\x04":  # ^D
                if self._line:
                    self._queue.put_nowait(self._line)
                    self._line = ""
                else:
                    self._queue.put_nowait(None)
            elif ch == "\t" or ch >= " ":
                self._line += ch
                echo.append(ch)
            else:
                echo.append("^" + chr(ord(ch) + 64))
        await self._flush_echo(echo)

    async def _flush_echo(self, echo: list[str]) -> None:
        if echo:
            text = "".join(echo)
            echo.clear()
            await self._echo.write(text)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._line:
            self._queue.put_nowait(self._line)
            self._line = ""
        self._queue.put_nowait(None)

    async def readline(self) -> str | None:
        self._readers += 1
        try:
            line = await self._queue.get()
        finally:
            self._readers -= 1
        if line is None and self._closed and self._queue.empty():
            self._queue.put_nowait(None)  # once closed, EOF is sticky
        return line


# ---------------------------------------------------------------------------
# Container description (env, hostname, fake filesystem)
# ---------------------------------------------------------------------------


def _field_ref(pod: dict[str, Any], path: str) -> str:
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", "default"),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", "default"),
        "status.podIP": status.get("podIP", ""),
        "status.hostIP": status.get("hostIP", ""),
    }
    if path in simple:
        return str(simple[path])
    m = re.fullmatch(r"metadata\.(labels|annotations)\['(.+)'\]", path)
    if m:
        return str((meta.get(m.group(1)) or {}).get(m.group(2), ""))
    return ""


def _expand_k8s_refs(value: str, env: dict[str, str]) -> str:
    """Kubernetes ``$(VAR)`` expansion in env values (``$$`` escapes)."""

    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        return env.get(name, m.group(0))

    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)", repl, value)


def _os_release(image: str) -> str:
    if "alpine" in image:
        return (
            'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n'
            'PRETTY_NAME="Alpine Linux v3.20"\nHOME_URL="https://alpinelinux.org/"\n'
        )
    return (
        'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\n'
        'VERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n'
        'HOME_URL="https://www.debian.org/"\n'
    )


@dataclass
class ContainerInfo:
    """What the shell knows about the container it pretends to run in."""

    pod_name: str = "pod"
    namespace: str = "default"
    container: str = "main"
    image: str = "debian:bookworm"
    hostname: str = "pod"
    pod_ip: str = "10.244.0.10"
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    files: dict[str, str] = field(default_factory=dict)
    dirs: set[str] = field(default_factory=set)

    @classmethod
    def from_pod(cls, pod: dict[str, Any], container: str) -> ContainerInfo:
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        status = pod.get("status") or {}
        pod_name = str(meta.get("name") or "pod")
        namespace = str(meta.get("namespace") or "default")
        hostname = str(spec.get("hostname") or pod_name)
        containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
        cspec = next((c for c in containers if c.get("name") == container), {})
        image = str(cspec.get("image") or "debian:bookworm")
        pod_ip = str(status.get("podIP") or "10.244.0.10")

        env: dict[str, str] = {"PATH": DEFAULT_PATH, "HOSTNAME": hostname}
        env.update(
            {
                "KUBERNETES_SERVICE_HOST": "10.96.0.1",
                "KUBERNETES_SERVICE_PORT": "443",
                "KUBERNETES_SERVICE_PORT_HTTPS": "443",
                "KUBERNETES_PORT": "tcp://10.96.0.1:443",
            }
        )
        for item in cspec.get("env") or []:
            name = item.get("name")
            if not name:
                continue
            if "value" in item:
                env[name] = _expand_k8s_refs(str(item.get("value") or ""), env)
            elif (item.get("valueFrom") or {}).get("fieldRef"):
                env[name] = _field_ref(pod, item["valueFrom"]["fieldRef"].get("fieldPath", ""))
            else:
                # secretKeyRef/configMapKeyRef/resourceFieldRef: not resolved here.
                env.setdefault(name, "")
        env.setdefault("HOME", "/root")

        info = cls(
            pod_name=pod_name,
            namespace=namespace,
            container=container,
            image=image,
            hostname=hostname,
            pod_ip=pod_ip,
            env=env,
            workdir=str(cspec.get("workingDir") or "/"),
        )
        info._populate_fs()
        return info

    def _populate_fs(self) -> None:
        sa = "/var/run/secrets/kubernetes.io/serviceaccount"
        self.files.update(
            {
                "/etc/hostname": f"{self.hostname}\n",
                "/etc/hosts": (
                    "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"
                    "::1\tlocalhost ip6-localhost ip6-loopback\n"
                    f"{self.pod_ip}\t{self.hostname}\n"
                ),
                "/etc/resolv.conf": (
                    f"search {self.namespace}.svc.cluster.local svc.cluster.local cluster.local\n"
                    "nameserver 10.96.0.10\noptions ndots:5\n"
                ),
                "/etc/os-release": _os_release(self.image),
                "/etc/passwd": (
                    "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                ),
                "/etc/shells": "/bin/sh\n/bin/bash\n",
                f"{sa}/namespace": self.namespace,
                f"{sa}/token": "kubesim-fake-serviceaccount-token",
                "/root/.bashrc": "# ~/.bashrc: executed by bash(1) for non-login shells.\n",
            }
        )
        self.dirs.update(
            {
                "/",
                "/bin",
                "/boot",
                "/dev",
                "/etc",
                "/home",
                "/lib",
                "/media",
                "/mnt",
                "/opt",
                "/proc",
                "/root",
                "/run",
                "/sbin",
                "/srv",
                "/sys",
                "/tmp",
                "/usr",
                "/usr/bin",
                "/usr/local",
                "/usr/local/bin",
                "/usr/sbin",
                "/var",
                "/var/log",
                "/var/run",
                "/var/run/secrets",
                "/var/run/secrets/kubernetes.io",
                sa,
            }
        )
        path = posixpath.normpath(self.workdir)
        while path not in self.dirs:
            self.dirs.add(path)
            path = posixpath.dirname(path)

    def exists(self, path: str) -> bool:
        return path in self.files or path in self.dirs

    def is_dir(self, path: str) -> bool:
        return path in self.dirs

    def listdir(self, path: str) -> list[str]:
        prefix = path.rstrip("/") + "/"
        names = {
            p[len(prefix) :].split("/", 1)[0] for p in (*self.files, *self.dirs) if p.startswith(prefix) and p != prefix
        }
        return sorted(n for n in names if n)


# ---------------------------------------------------------------------------
# Lexer and parser
# ---------------------------------------------------------------------------

# A word is a list of segments (kind, text): kind "lit" (quoted literally,
# no expansion), "dq" (double quoted, expanded, not split), "uq" (unquoted,
# expanded and field-split).
Segment = tuple[str, str]
Word = list[Segment]
OPERATORS = ("&&", "||", ";;", "2>&1", "1>&2", ">&2", ">>", "2>>", "2>", ">", "<", "|", ";", "&", "\n")
_WORD_OPERATORS = tuple(o for o in OPERATORS if not o[0].isdigit())


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
# The shell
# ---------------------------------------------------------------------------


@dataclass
class _IO:
    stdin: Input
    stdout: Output
    stderr: Output


Builtin = Callable[[list[str], _IO], Awaitable[int]]


class Shell:
    """One simulated process tree inside a container.

    ``await Shell(...).exec(argv)`` behaves like the container runtime
    exec'ing ``argv``: shells (``sh``, ``bash``) run interactively or with
    ``-c``, other known commands run directly, unknown ones raise
    :class:`ExecNotFound` before producing any output.
    """

    def __init__(
        self,
        container: ContainerInfo,
        *,
        stdin: Input | None = None,
        stdout: Output | None = None,
        stderr: Output | None = None,
        tty: bool = False,
        terminal: TerminalSize | None = None,
    ) -> None:
        self.container = container
        self.io = _IO(stdin or StringInput(""), stdout or NullOutput(), stderr or NullOutput())
        self.tty = tty
        self.terminal = terminal or TerminalSize()
        self.vars: dict[str, str] = dict(container.env)
        if tty:
            self.vars.setdefault("TERM", "xterm")
        self.exported: set[str] = set(self.vars)
        self.cwd = container.workdir
        self.vars["PWD"] = self.cwd
        self.last_status = 0
        self.name = "sh"
        self.bash = False
        self.positional: list[str] = []
        self.lineno = 1
        # SIGINT delivery is shared by every shell of this exec session.
        self._sigint = asyncio.Event()
        if isinstance(self.io.stdin, TerminalInput):
            self.io.stdin.set_interrupt_handler(self.interrupt)

    # name -> method; SHELL_ONLY ones cannot be exec'd directly by the runtime.
    BUILTINS: dict[str, str] = {
        "echo": "_echo",
        "printf": "_printf",
        "cd": "_cd",
        "pwd": "_pwd",
        "export": "_export",
        "unset": "_unset",
        "env": "_env",
        "printenv": "_printenv",
        "hostname": "_hostname",
        "whoami": "_whoami",
        "id": "_id",
        "ls": "_ls",
        "cat": "_cat",
        "head": "_head",
        "grep": "_grep",
        "wc": "_wc",
        "touch": "_touch",
        "mkdir": "_mkdir",
        "rm": "_rm",
        "sleep": "_sleep",
        "true": "_true",
        "false": "_false",
        ":": "_true",
        "exit": "_exit",
        "date": "_date",
        "uname": "_uname",
        "stty": "_stty",
        "tty": "_tty_cmd",
        "clear": "_clear",
        "which": "_which",
        "test": "_test",
        "[": "_test",
    }
    SHELL_ONLY = frozenset({"cd", "export", "unset", "exit", ":", "["})

    def _builtin(self, name: str) -> Builtin | None:
        method = self.BUILTINS.get(name)
        return getattr(self, method) if method else None

    # -- public API ---------------------------------------------------------

    def interrupt(self) -> None:
        """Deliver SIGINT (^C) to the foreground job (interrupts ``sleep``)."""
        self._sigint.set()

    def is_executable(self, name: str) -> bool:
        base = self._resolve_exec(name)
        return base is not None

    async def exec(self, argv: list[str]) -> int:
        """Run ``argv`` as the container runtime would exec it.

        Raises :class:`ExecNotFound` if the program does not exist.
        """
        if not argv:
            raise ExecNotFound("")
        base = self._resolve_exec(argv[0])
        if base is None:
            raise ExecNotFound(argv[0])
        try:
            if base in SHELL_NAMES:
                return await self._run_shell_program(base, argv[1:], self.io)
            handler = self._builtin(base)
            assert handler is not None
            return await handler(argv[1:], self.io)
        except ShellError as exc:
            await self.io.stderr.write(f"{base}: {exc}\n")
            return exc.status
        except RecursionError:
            # Absurdly nested $(...) or sh -c: fail like a shell out of stack.
            await self.io.stderr.write(f"{base}: recursion too deep\n")
            return 2

    async def run_script(self, text: str, io: _IO | None = None) -> int:
        """Run shell source text in this shell (raises ShellExit on ``exit``)."""
        io = io or self.io
        try:
            program = parse(text)
        except ShellError as exc:
            await self._report(io, str(exc))
            self.last_status = exc.status
            return exc.status
        for and_or in program:
            status = await self._run_pipeline(and_or.first, io)
            for op, pipeline in and_or.rest:
                if (op == "&&") == (status == 0):
                    status = await self._run_pipeline(pipeline, io)
            self.last_status = status
        return self.last_status

    # -- program / interactive loop ----------------------------------------

    def _resolve_exec(self, name: str) -> str | None:
        if "/" in name:
            directory, base = posixpath.split(posixpath.normpath(name))
            if directory not in BIN_DIRS:
                return None
        else:
            base = name
        if base in SHELL_NAMES:
            if base == "bash" and "alpine" in self.container.image:
                return None
            return base
        if base in self.BUILTINS and base not in self.SHELL_ONLY:
            return base
        return None

    def _child(self, name: str) -> Shell:
        child = Shell.__new__(Shell)
        child.__dict__.update(self.__dict__)
        child.vars = {k: v for k, v in self.vars.items() if k in self.exported}
        child.exported = set(child.vars)
        child.name = name
        child.bash = name == "bash"
        child.lineno = 1
        child.positional = []
        return child

    async def _run_shell_program(self, name: str, args: list[str], io: _IO) -> int:
        sh = self._child(name)
        script: str | None = None
        interactive = False
        while args and args[0].startswith("-") and args[0] not in ("-", "--"):
            opt = args.pop(0)
            if opt == "-c":
                if not args:
                    await io.stderr.write(f"{name}: -c: option requires an argument\n")
                    return 2
                script = args.pop(0)
                break
            if "i" in opt:
                interactive = True
        if args and args[0] == "--":
            args.pop(0)
        if script is not None:
            if args:
                sh.vars["0"] = args[0]
            sh.positional = args[1:]
            return await sh._guarded(script, io)
        if args:  # sh FILE
            path = sh._abspath(args[0])
            if path not in sh.container.files:
                if sh.bash:
                    await io.stderr.write(f"bash: {args[0]}: No such file or directory\n")
                    return 127
                await io.stderr.write(f"sh: 0: cannot open {args[0]}: No such file\n")
                return 2
            sh.positional = args[1:]
            return await sh._guarded(sh.container.files[path], io)
        return await sh._interactive(io, force=interactive)

    async def _guarded(self, script: str, io: _IO) -> int:
        try:
            return await self.run_script(script, io)
        except ShellExit as exc:
            return exc.code

    def _prompt(self) -> str:
        if not self.bash:
            return "# "
        home = self.vars.get("HOME", "/root")
        where = "~" + self.cwd[len(home) :] if self.cwd == home or self.cwd.startswith(home + "/") else self.cwd
        return f"root@{self.container.hostname}:{where}# "

    async def _interactive(self, io: _IO, *, force: bool = False) -> int:
        show_prompt = self.tty or force
        while True:
            if show_prompt:
                await io.stderr.write(self._prompt())
            line = await io.stdin.readline()
            if line is None:
                if self.bash and show_prompt:
                    await io.stderr.write("exit\n")
                return self.last_status
            if line == INTERRUPT:
                self.last_status = 130
                continue
            try:
                if line.strip():
                    await self.run_script(line, io)
            except ShellExit as exc:
                if self.bash and show_prompt:
                    await io.stderr.write("exit\n")
                return exc.code
            self.lineno += 1

    # -- execution ----------------------------------------------------------

    async def _report(self, io: _IO, message: str) -> None:
        if self.bash:
            await io.stderr.write(f"bash: {message}\n")
        else:
            await io.stderr.write(f"{self.name}: {self.lineno}: {message}\n")

    async def _run_pipeline(self, pipeline: Pipeline, io: _IO) -> int:
        stdin = io.stdin
        status = 0
        for index, cmd in enumerate(pipeline.commands):
            last = index == len(pipeline.commands) - 1
            out: Output = io.stdout if last else BufferOutput()
            status = await self._run_command(cmd, _IO(stdin, out, io.stderr))
            if not last:
                assert isinstance(out, BufferOutput)
                stdin = StringInput(out.getvalue())
        return status

    async def _run_command(self, cmd: SimpleCommand, io: _IO) -> int:
        try:
            words: list[str] = []
            assignments: list[tuple[str, str]] = []
            for raw in cmd.words:
                if not words and raw and raw[0][0] == "uq":
                    m = _ASSIGN_RE.fullmatch(raw[0][1])
                    if m:
                        rest: Word = [("uq", m.group(2)), *raw[1:]]
                        assignments.append((m.group(1), "".join(await self._expand_word(rest, split=False))))
                        continue
                words.extend(await self._expand_word(raw))
            io = await self._apply_redirects(cmd.redirects, io)
        except ShellError as exc:
            await self._report(io, str(exc))
            return exc.status
        if not words:
            for name, value in assignments:
                self.vars[name] = value
            return 0
        saved = {name: self.vars.get(name) for name, _ in assignments}
        saved_exported = set(self.exported)
        for name, value in assignments:
            self.vars[name] = value
            self.exported.add(name)
        try:
            return await self._dispatch(words, io)
        finally:
            for name, old in saved.items():
                if old is None:
                    self.vars.pop(name, None)
                else:
                    self.vars[name] = old
            self.exported = saved_exported

    async def _dispatch(self, words: list[str], io: _IO) -> int:
        name, args = words[0], words[1:]
        if "/" in name:
            base = self._resolve_exec(name)
            if base is None:
                await self._report(io, f"{name}: not found" if not self.bash else f"{name}: No such file or directory")
                return 127
        else:
            base = name
        if base in SHELL_NAMES and (base != "bash" or self._resolve_exec("bash")):
            return await self._run_shell_program(base, args, io)
        handler = self._builtin(base)
        if handler is None:
            await self._report(io, f"{name}: command not found" if self.bash else f"{name}: not found")
            return 127
        try:
            return await handler(args, io)
        except ShellError as exc:
            await io.stderr.write(f"{base}: {exc}\n")
            return exc.status

    async def _apply_redirects(self, redirects: list[Redirect], io: _IO) -> _IO:
        stdin, stdout, stderr = io.stdin, io.stdout, io.stderr
        for r in redirects:
            if r.op == "2>&1":
                stderr = stdout
                continue
            if r.op == ">&2":
                stdout = stderr
                continue
            assert r.target is not None
            target = "".join(await self._expand_word(r.target, split=False))
            if target == "/dev/null":
                if r.op == "<":
                    stdin = StringInput("")
                elif r.op.startswith("2"):
                    stderr = NullOutput()
                else:
                    stdout = NullOutput()
                continue
            if target in ("/dev/stdout", "/dev/stderr"):
                chosen = io.stdout if target == "/dev/stdout" else io.stderr
                if r.op.startswith("2"):
                    stderr = chosen
                else:
                    stdout = chosen
                continue
            path = self._abspath(target)
            if r.op == "<":
                if path not in self.container.files:
                    raise ShellError(f"cannot open {target}: No such file", 2)
                stdin = StringInput(self.container.files[path])
                continue
            if self.container.is_dir(path):
                raise ShellError(f"cannot create {target}: Is a directory", 2)
            if posixpath.dirname(path) not in self.container.dirs:
                raise ShellError(f"cannot create {target}: Directory nonexistent", 2)
            append = r.op.endswith(">>")
            if not append or path not in self.container.files:
                self.container.files[path] = ""
            file_out = _FileOutput(self.container.files, path)
            if r.op.startswith("2"):
                stderr = file_out
            else:
                stdout = file_out
        return _IO(stdin, stdout, stderr)

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

    # -- builtins -----------------------------------------------------------

    async def _true(self, args: list[str], io: _IO) -> int:
        return 0

    async def _false(self, args: list[str], io: _IO) -> int:
        return 1

    async def _exit(self, args: list[str], io: _IO) -> int:
        code = self.last_status
        if args:
            if not re.fullmatch(r"-?\d+", args[0]):
                await self._report(io, f"exit: Illegal number: {args[0]}")
                raise ShellExit(2)
            code = int(args[0]) & 0xFF
        raise ShellExit(code)

    async def _echo(self, args: list[str], io: _IO) -> int:
        newline = True
        escapes = not self.bash  # dash's echo interprets backslash escapes
        while args and re.fullmatch(r"-[neE]+", args[0]):
            flags = args.pop(0)
            newline = newline and "n" not in flags
            if "e" in flags:
                escapes = True
            if "E" in flags:
                escapes = False
        text = " ".join(args)
        if escapes:
            text = _unescape(text)
        await io.stdout.write(text + ("\n" if newline else ""))
        return 0

    async def _printf(self, args: list[str], io: _IO) -> int:
        if not args:
            await io.stderr.write("printf: usage: printf format [arguments]\n")
            return 2
        fmt, values = _unescape(args[0]), list(args[1:])
        out: list[str] = []
        while True:
            consumed = False

            def conv(m: re.Match[str]) -> str:
                nonlocal consumed
                if m.group(0) == "%%":
                    return "%"
                consumed = True
                value = values.pop(0) if values else ""
                if m.group(2) in "di":
                    try:
                        return ("%" + m.group(1) + "d") % int(value or 0)
                    except ValueError:
                        return "0"
                return ("%" + m.group(1) + "s") % value

            out.append(re.sub(r"%([-0-9.]*)([sdi])|%%", conv, fmt))
            if not values or not consumed:
                break
        await io.stdout.write("".join(out))
        return 0

    async def _pwd(self, args: list[str], io: _IO) -> int:
        await io.stdout.write(self.cwd + "\n")
        return 0

    async def _cd(self, args: list[str], io: _IO) -> int:
        target = args[0] if args else self.vars.get("HOME", "/root")
        if target == "-":
            target = self.vars.get("OLDPWD", self.cwd)
        path = self._abspath(target)
        if not self.container.is_dir(path):
            if self.bash:
                why = "Not a directory" if path in self.container.files else "No such file or directory"
                await io.stderr.write(f"bash: cd: {target}: {why}\n")
                return 1
            await self._report(io, f"cd: can't cd to {target}")
            return 2
        self.vars["OLDPWD"] = self.cwd
        self.cwd = path
        self.vars["PWD"] = path
        return 0

    async def _export(self, args: list[str], io: _IO) -> int:
        if not args or args == ["-p"]:
            for name in sorted(self.exported):
                if name in self.vars:
                    await io.stdout.write(f"export {name}='{self.vars[name]}'\n")
            return 0
        for arg in args:
            m = _ASSIGN_RE.fullmatch(arg)
            name = m.group(1) if m else arg
            if not _NAME_RE.fullmatch(name):
                await self._report(io, f"export: {arg}: bad variable name")
                return 2
            if m:
                self.vars[name] = m.group(2)
            self.exported.add(name)
        return 0

    async def _unset(self, args: list[str], io: _IO) -> int:
        for name in args:
            if name != "-v":
                self.vars.pop(name, None)
                self.exported.discard(name)
        return 0

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in self.vars.items() if k in self.exported}
        env["PWD"] = self.cwd
        return env

    async def _env(self, args: list[str], io: _IO) -> int:
        env = self._environment()
        while args and _ASSIGN_RE.fullmatch(args[0]):
            m = _ASSIGN_RE.fullmatch(args.pop(0))
            assert m is not None
            env[m.group(1)] = m.group(2)
        if args:
            return await self._dispatch(args, io)
        await io.stdout.write("".join(f"{k}={v}\n" for k, v in env.items()))
        return 0

    async def _printenv(self, args: list[str], io: _IO) -> int:
        env = self._environment()
        if not args:
            await io.stdout.write("".join(f"{k}={v}\n" for k, v in env.items()))
            return 0
        status = 0
        for name in args:
            if name in env:
                await io.stdout.write(env[name] + "\n")
            else:
                status = 1
        return status

    async def _hostname(self, args: list[str], io: _IO) -> int:
        if args and args[0] in ("-i", "-I"):
            await io.stdout.write(self.container.pod_ip + ("\n" if args[0] == "-i" else " \n"))
        else:
            await io.stdout.write(self.container.hostname + "\n")
        return 0

    async def _whoami(self, args: list[str], io: _IO) -> int:
        await io.stdout.write("root\n")
        return 0

    async def _id(self, args: list[str], io: _IO) -> int:
        await io.stdout.write("uid=0(root) gid=0(root) groups=0(root)\n")
        return 0

    async def _ls(self, args: list[str], io: _IO) -> int:
        flags = "".join(a[1:] for a in args if a.startswith("-") and len(a) > 1)
        paths = [a for a in args if not a.startswith("-") or a == "-"] or ["."]
        status = 0
        for index, arg in enumerate(paths):
            path = self._abspath(arg)
            if not self.container.exists(path):
                await io.stderr.write(f"ls: cannot access '{arg}': No such file or directory\n")
                status = 2
                continue
            if not self.container.is_dir(path):
                await io.stdout.write(arg + "\n")
                continue
            names = self.container.listdir(path)
            names = [".", "..", *names] if "a" in flags else [n for n in names if not n.startswith(".")]
            if len(paths) > 1:
                await io.stdout.write(("\n" if index else "") + f"{arg}:\n")
            if "l" in flags:
                lines = [f"total {len(names) * 4}"]
                for n in names:
                    full = posixpath.join(path, n)
                    if self.container.is_dir(full) or n in (".", ".."):
                        lines.append(f"drwxr-xr-x 2 root root 4096 Jan  1 00:00 {n}")
                    else:
                        size = len(self.container.files.get(full, "").encode())
                        lines.append(f"-rw-r--r-- 1 root root {size:>4} Jan  1 00:00 {n}")
                await io.stdout.write("\n".join(lines) + "\n")
            elif names:
                sep = "\n" if ("1" in flags or not self.tty) else "  "
                await io.stdout.write(sep.join(names) + "\n")
        return status

    async def _read_files(self, cmd: str, args: list[str], io: _IO) -> tuple[list[str], int]:
        """Contents of the file arguments (or stdin), with errors reported."""
        files = [a for a in args if a == "-" or not a.startswith("-")]
        if not files:
            return [await io.stdin.read_all()], 0
        contents, status = [], 0
        for arg in files:
            if arg == "-":
                contents.append(await io.stdin.read_all())
                continue
            path = self._abspath(arg)
            if self.container.is_dir(path):
                await io.stderr.write(f"{cmd}: {arg}: Is a directory\n")
                status = 1
            elif path not in self.container.files:
                await io.stderr.write(f"{cmd}: {arg}: No such file or directory\n")
                status = 1 if cmd != "grep" else 2
            else:
                contents.append(self.container.files[path])
        return contents, status

    async def _cat(self, args: list[str], io: _IO) -> int:
        if not [a for a in args if a == "-" or not a.startswith("-")]:
            # Stream stdin line by line, like the real thing.
            while (line := await io.stdin.readline()) is not None:
                if line != INTERRUPT:
                    await io.stdout.write(line)
                else:
                    return 130
            return 0
        contents, status = await self._read_files("cat", args, io)
        for text in contents:
            await io.stdout.write(text)
        return status

    async def _head(self, args: list[str], io: _IO) -> int:
        count = 10
        rest: list[str] = []
        it = iter(args)
        for arg in it:
            if arg == "-n":
                count = int(next(it, "10"))
            elif re.fullmatch(r"-n?\d+", arg):
                count = int(arg.lstrip("-n"))
            else:
                rest.append(arg)
        contents, status = await self._read_files("head", rest, io)
        for text in contents:
            await io.stdout.write("".join(text.splitlines(keepends=True)[:count]))
        return status

    async def _grep(self, args: list[str], io: _IO) -> int:
        flags, patterns, rest = "", [], []
        it = iter(args)
        for arg in it:
            if arg == "-e":
                patterns.append(next(it, ""))
            elif arg.startswith("-") and len(arg) > 1:
                flags += arg[1:]
            else:
                rest.append(arg)
        if not patterns:
            if not rest:
                await io.stderr.write("Usage: grep [OPTION]... PATTERNS [FILE]...\n")
                return 2
            patterns.append(rest.pop(0))
        files = rest
        pattern = "|".join(f"(?:{p})" for p in patterns)
        try:
            regex = re.compile(pattern, re.I if "i" in flags else 0)
        except re.error:
            regex = re.compile("|".join(re.escape(p) for p in patterns), re.I if "i" in flags else 0)
        contents, status = await self._read_files("grep", files, io)
        matched = 0
        for text in contents:
            for line in text.splitlines():
                if bool(regex.search(line)) != ("v" in flags):
                    matched += 1
                    if "c" not in flags and "q" not in flags:
                        await io.stdout.write(line + "\n")
        if "c" in flags:
            await io.stdout.write(f"{matched}\n")
        return status or (0 if matched else 1)

    async def _wc(self, args: list[str], io: _IO) -> int:
        flags = "".join(a[1:] for a in args if a.startswith("-"))
        contents, status = await self._read_files("wc", args, io)
        text = "".join(contents)
        counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode())}
        chosen = [k for k in "lwc" if k in flags] or ["l", "w", "c"]
        await io.stdout.write(" ".join(str(counts[k]) for k in chosen) + "\n")
        return status

    async def _touch(self, args: list[str], io: _IO) -> int:
        for arg in args:
            path = self._abspath(arg)
            if posixpath.dirname(path) not in self.container.dirs:
                await io.stderr.write(f"touch: cannot touch '{arg}': No such file or directory\n")
                return 1
            if not self.container.exists(path):
                self.container.files[path] = ""
        return 0

    async def _mkdir(self, args: list[str], io: _IO) -> int:
        parents = "-p" in args
        for arg in (a for a in args if not a.startswith("-")):
            path = self._abspath(arg)
            if self.container.exists(path) and not parents:
                await io.stderr.write(f"mkdir: cannot create directory '{arg}': File exists\n")
                return 1
            if posixpath.dirname(path) not in self.container.dirs and not parents:
                await io.stderr.write(f"mkdir: cannot create directory '{arg}': No such file or directory\n")
                return 1
            while path not in self.container.dirs:
                self.container.dirs.add(path)
                path = posixpath.dirname(path)
        return 0

    async def _rm(self, args: list[str], io: _IO) -> int:
        flags = "".join(a[1:] for a in args if a.startswith("-"))
        status = 0
        for arg in (a for a in args if not a.startswith("-")):
            path = self._abspath(arg)
            if path in self.container.files:
                del self.container.files[path]
            elif self.container.is_dir(path) and "r" in flags and path != "/":
                self.container.dirs = {d for d in self.container.dirs if d != path and not d.startswith(path + "/")}
                for f in [f for f in self.container.files if f.startswith(path + "/")]:
                    del self.container.files[f]
            elif self.container.is_dir(path):
                await io.stderr.write(f"rm: cannot remove '{arg}': Is a directory\n")
                status = 1
            elif "f" not in flags:
                await io.stderr.write(f"rm: cannot remove '{arg}': No such file or directory\n")
                status = 1
        return status

    async def _sleep(self, args: list[str], io: _IO) -> int:
        if not args:
            await io.stderr.write("sleep: missing operand\n")
            return 1
        total = 0.0
        for arg in args:
            m = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", arg)
            if not m:
                await io.stderr.write(f"sleep: invalid time interval '{arg}'\n")
                return 1
            total += float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
        self._sigint.clear()
        try:
            await asyncio.wait_for(self._sigint.wait(), timeout=total)
        except TimeoutError:
            return 0
        self._sigint.clear()
        return 130  # interrupted by ^C

    async def _date(self, args: list[str], io: _IO) -> int:
        now = time.gmtime()
        fmt = next((a[1:] for a in args if a.startswith("+")), None)
        if fmt is not None:
            await io.stdout.write(time.strftime(fmt, now) + "\n")
        else:
            await io.stdout.write(time.strftime("%a %b %e %H:%M:%S UTC %Y", now) + "\n")
        return 0

    async def _uname(self, args: list[str], io: _IO) -> int:
        fields = {
            "s": "Linux",
            "n": self.container.hostname,
            "r": "6.1.0-kubesim",
            "v": "#1 SMP PREEMPT_DYNAMIC Debian 6.1.0-kubesim",
            "m": "x86_64",
            "o": "GNU/Linux",
        }
        flags = "".join(a[1:] for a in args if a.startswith("-"))
        chosen = "snrvmo" if "a" in flags else ("".join(k for k in "snrvmo" if k in flags) or "s")
        await io.stdout.write(" ".join(fields[k] for k in chosen) + "\n")
        return 0

    async def _stty(self, args: list[str], io: _IO) -> int:
        if not self.tty:
            await io.stderr.write("stty: 'standard input': Inappropriate ioctl for device\n")
            return 1
        if args == ["size"]:
            await io.stdout.write(f"{self.terminal.rows} {self.terminal.cols}\n")
        elif not args or args == ["-a"]:
            await io.stdout.write(
                f"speed 38400 baud; rows {self.terminal.rows}; columns {self.terminal.cols}; line = 0;\n"
            )
        return 0

    async def _tty_cmd(self, args: list[str], io: _IO) -> int:
        await io.stdout.write("/dev/pts/0\n" if self.tty else "not a tty\n")
        return 0 if self.tty else 1

    async def _clear(self, args: list[str], io: _IO) -> int:
        await io.stdout.write("\x1b[H\x1b[2J\x1b[3J")
        return 0

    async def _which(self, args: list[str], io: _IO) -> int:
        status = 0
        for name in args:
            if name.startswith("-"):
                continue
            base = self._resolve_exec(name)
            if base is None:
                status = 1
            else:
                await io.stdout.write((name if "/" in name else f"/usr/bin/{base}") + "\n")
        return status

    async def _test(self, args: list[str], io: _IO) -> int:
        if args and args[-1] == "]":
            args = args[:-1]
        negate = bool(args) and args[0] == "!"
        if negate:
            args = args[1:]
        result = self._evaluate_test(args)
        return int(result == negate)

    def _evaluate_test(self, args: list[str]) -> bool:
        if not args:
            return False
        if len(args) == 1:
            return bool(args[0])
        if len(args) == 2:
            op, arg = args
            path = self._abspath(arg)
            checks = {
                "-z": lambda: not arg,
                "-n": lambda: bool(arg),
                "-e": lambda: self.container.exists(path),
                "-f": lambda: path in self.container.files,
                "-d": lambda: self.container.is_dir(path),
                "-s": lambda: bool(self.container.files.get(path)),
            }
            if op not in checks:
                raise ShellError(f"{op}: unexpected operator")
            return checks[op]()
        left, op, right = args[0], args[1], args[2]
        if op in ("=", "=="):
            return left == right
        if op == "!=":
            return left != right
        numeric = {"-eq": 0, "-ne": 0, "-lt": 0, "-le": 0, "-gt": 0, "-ge": 0}
        if op in numeric:
            try:
                a, b = int(left), int(right)
            except ValueError as exc:
                raise ShellError(f"Illegal number: {left if not left.lstrip('-').isdigit() else right}") from exc
            return {
                "-eq": a == b,
                "-ne": a != b,
                "-lt": a < b,
                "-le": a <= b,
                "-gt": a > b,
                "-ge": a >= b,
            }[op]
        raise ShellError(f"{op}: unexpected operator")


class _FileOutput(Output):
    """Writes into a file of the fake filesystem."""

    def __init__(self, files: dict[str, str], path: str) -> None:
        self._files = files
        self._path = path

    async def write(self, text: str) -> None:
        self._files[self._path] = self._files.get(self._path, "") + text


def _unescape(text: str) -> str:
    """Interpret the backslash escapes echo -e / printf understand."""
    table = {"n": "\n", "t": "\t", "\\": "\\", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "0": "\0"}
    return re.sub(r"\\([ntr\\abe0])", lambda m: table[m.group(1)], text)
