"""Input/output streams and the terminal line discipline.

:class:`TerminalInput` is a minimal cooked line discipline (echo, CR -> NL,
backspace, ^C, ^D, ^U) and :class:`StreamOutput` performs the ``\\n`` ->
``\\r\\n`` output translation a pty applies when ``tty`` is set.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = [
    "INTERRUPT",
    "BufferOutput",
    "Input",
    "NullOutput",
    "Output",
    "PipeInput",
    "StreamOutput",
    "StringInput",
    "TerminalInput",
    "TerminalSize",
]

INTERRUPT = "\x00<interrupt>"  # sentinel line returned by TerminalInput on ^C


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


class _FileOutput(Output):
    """Writes into a file of the fake filesystem."""

    def __init__(self, files: dict[str, str], path: str) -> None:
        self._files = files
        self._path = path

    async def write(self, text: str) -> None:
        self._files[self._path] = self._files.get(self._path, "") + text


@dataclass
class _IO:
    stdin: Input
    stdout: Output
    stderr: Output
