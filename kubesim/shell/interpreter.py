"""The :class:`Shell` interpreter: exec, scripts, interactive loop, execution."""

from __future__ import annotations

import asyncio
import posixpath
from collections.abc import Awaitable, Callable

from .builtins import BuiltinsMixin
from .errors import ExecNotFound, ShellError, ShellExit
from .expand import ExpansionMixin
from .fileutils import FileCommandsMixin
from .fs import BIN_DIRS, ContainerInfo
from .lexer import _ASSIGN_RE, Word
from .parser import Pipeline, Redirect, SimpleCommand, parse
from .streams import (
    _IO,
    INTERRUPT,
    BufferOutput,
    Input,
    NullOutput,
    Output,
    StringInput,
    TerminalInput,
    TerminalSize,
    _FileOutput,
)

__all__ = ["SHELL_NAMES", "Shell"]

SHELL_NAMES = {"sh", "bash", "dash", "ash"}


# ---------------------------------------------------------------------------
# The shell
# ---------------------------------------------------------------------------


Builtin = Callable[[list[str], _IO], Awaitable[int]]


class Shell(ExpansionMixin, BuiltinsMixin, FileCommandsMixin):
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
