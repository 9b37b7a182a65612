"""Shell builtins (echo, cd, export, test, ...) and small system commands."""

from __future__ import annotations

import asyncio
import re
import time
from typing import TYPE_CHECKING

from .errors import ShellError, ShellExit
from .lexer import _ASSIGN_RE, _NAME_RE
from .streams import _IO

if TYPE_CHECKING:
    from .fs import ContainerInfo
    from .streams import TerminalSize

__all__ = ["BuiltinsMixin"]


class BuiltinsMixin:
    """Shell builtins and small system commands for :class:`~.interpreter.Shell`.

    The name -> method table is ``Shell.BUILTINS``; the file commands (ls,
    cat, grep, ...) are in :mod:`.fileutils`.
    """

    if TYPE_CHECKING:  # provided by Shell
        container: ContainerInfo
        terminal: TerminalSize
        tty: bool
        vars: dict[str, str]
        exported: set[str]
        cwd: str
        last_status: int
        bash: bool
        _sigint: asyncio.Event

        def _resolve_exec(self, name: str) -> str | None: ...

        async def _report(self, io: _IO, message: str) -> None: ...

        async def _dispatch(self, words: list[str], io: _IO) -> int: ...

        def _abspath(self, path: str) -> str: ...

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


def _unescape(text: str) -> str:
    """Interpret the backslash escapes echo -e / printf understand."""
    table = {"n": "\n", "t": "\t", "\\": "\\", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "0": "\0"}
    return re.sub(r"\\([ntr\\abe0])", lambda m: table[m.group(1)], text)
