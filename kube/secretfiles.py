"""Where a cluster client's TLS material lives while the client does: never in a shared or lasting file.

Python's `ssl` (and so urllib3 and aiohttp) loads a client certificate and key only from a *path*. The
kubernetes config loader therefore writes inline `client-key-data` to `tempfile.mkstemp` files that stay
until the process exits. Instead, `kube.clients` hands the loader paths made here:

- On Linux, an anonymous in-memory file (`memfd_create`) opened as `/proc/self/fd/N`: the key is never on
  disk, only this process can open it, and it disappears when the client is dropped (the fd is closed).
- Elsewhere (no memfd or no /proc), a file created 0600 (O_EXCL, O_NOFOLLOW) in a private 0700 directory
  `VAR_DIR/kube-tmp/<pid>-<random>/`, deleted when the client is dropped. Directories of dead processes
  (and loose files the loader wrote there in earlier versions) are removed at start-up and on first use.

This module imports neither Django apps nor `kubernetes`, so start-up code can call `clear_stale` cheaply.
"""
from __future__ import annotations

import atexit
import contextlib
import logging
import os
import secrets
import shutil
import threading
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_process_dir: tuple[int, Path] | None = None  # (pid, directory): a forked child gets its own
_memfd_ok: bool | None = None


def base_dir() -> Path:
    """`VAR_DIR/kube-tmp`, private to the server's user (0700)."""
    path = Path(settings.VAR_DIR) / "kube-tmp"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def use_memfd() -> bool:
    """True when in-memory files can be opened by path here (Linux with /proc); probed once."""
    global _memfd_ok
    if _memfd_ok is None:
        _memfd_ok = False
        if hasattr(os, "memfd_create"):
            fd = -1
            try:
                fd = os.memfd_create("kubepolaris-probe", os.MFD_CLOEXEC)
                os.write(fd, b"ok")
                with open(f"/proc/self/fd/{fd}", "rb") as handle:
                    _memfd_ok = handle.read() == b"ok"
            except OSError:
                _memfd_ok = False
            finally:
                if fd >= 0:
                    os.close(fd)
    return _memfd_ok


def process_dir() -> Path:
    """This process's private directory (created 0700 on first use, after clearing dead processes' ones)."""
    global _process_dir
    with _lock:
        if _process_dir is not None and _process_dir[0] == os.getpid() and _process_dir[1].is_dir():
            return _process_dir[1]
        clear_stale()
        path = base_dir() / f"{os.getpid()}-{secrets.token_hex(4)}"
        path.mkdir(mode=0o700)
        os.chmod(path, 0o700)
        atexit.register(shutil.rmtree, path, True)  # a clean exit leaves nothing; a crash is cleared at start-up
        _process_dir = (os.getpid(), path)
        return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def clear_stale() -> int:
    """Remove what dead processes left in `kube-tmp` (and loose files older versions wrote); returns the count."""
    removed = 0
    try:
        entries = list(base_dir().iterdir())
    except OSError:
        return 0
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            pid_text = entry.name.split("-", 1)[0]
            if pid_text.isdigit() and (int(pid_text) == os.getpid() or _alive(int(pid_text))):
                continue
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
        removed += 1
    if removed:
        logger.info("Removed %d stale Kubernetes client file(s) or folder(s) from %s", removed, base_dir())
    return removed


class SecretFiles:
    """The files of one client. `add` returns a path the loader and `ssl` can open; `close` makes it vanish."""

    def __init__(self) -> None:
        self._fds: list[int] = []
        self._paths: list[Path] = []
        self._lock = threading.Lock()

    def add(self, name: str, content: bytes) -> str:
        """A path holding `content`, readable only by this process (memfd) or this user (0600 file)."""
        if use_memfd():
            fd = os.memfd_create(f"kubepolaris-{name}", os.MFD_CLOEXEC)
            try:
                view = memoryview(content)
                while view:
                    view = view[os.write(fd, view):]
            except BaseException:
                os.close(fd)
                raise
            with self._lock:
                self._fds.append(fd)
            return f"/proc/self/fd/{fd}"
        path = process_dir() / f"{name}-{secrets.token_hex(8)}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with self._lock:
            self._paths.append(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        return str(path)

    def close(self) -> None:
        """Forget every file (idempotent). Connections already open keep working; new ones cannot load them."""
        with self._lock:
            fds, paths = self._fds, self._paths
            self._fds, self._paths = [], []
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        for path in paths:
            with contextlib.suppress(OSError):
                path.unlink()
