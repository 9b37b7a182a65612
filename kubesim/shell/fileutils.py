"""File commands (ls, cat, head, grep, wc, touch, mkdir, rm) on the fake filesystem."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from .streams import _IO, INTERRUPT

if TYPE_CHECKING:
    from .fs import ContainerInfo

__all__ = ["FileCommandsMixin"]


class FileCommandsMixin:
    """File commands over the fake filesystem for :class:`~.interpreter.Shell`."""

    if TYPE_CHECKING:  # provided by Shell
        container: ContainerInfo
        tty: bool

        def _abspath(self, path: str) -> str: ...

    # -- file commands ------------------------------------------------------

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
