"""The kubesim built-in shell on its own (no WebSocket)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kubesim.shell import (
    BufferOutput,
    ContainerInfo,
    ExecNotFound,
    PipeInput,
    Shell,
    StreamOutput,
    StringInput,
    TerminalInput,
    TerminalSize,
    arithmetic,
)

pytestmark = pytest.mark.timeout(30)

POD: dict[str, Any] = {
    "metadata": {"name": "api-7d9f", "namespace": "shop", "uid": "u-1"},
    "spec": {
        "containers": [
            {
                "name": "api",
                "image": "python:3.12-slim",
                "workingDir": "/srv/app",
                "env": [
                    {"name": "MODE", "value": "prod"},
                    {"name": "URL", "value": "http://$(MODE).local"},
                    {"name": "MY_POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                ],
            }
        ]
    },
    "status": {"podIP": "10.0.0.9"},
}


def make_shell(
    stdin: str = "", *, tty: bool = False, terminal: TerminalSize | None = None
) -> tuple[Shell, BufferOutput, BufferOutput]:
    out, err = BufferOutput(), BufferOutput()
    shell = Shell(
        ContainerInfo.from_pod(POD, "api"),
        stdin=StringInput(stdin),
        stdout=out,
        stderr=err,
        tty=tty,
        terminal=terminal,
    )
    return shell, out, err


async def run(argv: list[str], stdin: str = "", **kwargs: Any) -> tuple[int, str, str]:
    shell, out, err = make_shell(stdin, **kwargs)
    code = await shell.exec(argv)
    return code, out.getvalue(), err.getvalue()


async def sh(script: str, **kwargs: Any) -> tuple[int, str, str]:
    return await run(["sh", "-c", script], **kwargs)


async def test_echo_variants() -> None:
    assert await sh("echo hello world") == (0, "hello world\n", "")
    assert await sh("echo -n no-newline; echo ' done'") == (0, "no-newline done\n", "")
    assert await run(["echo", "hi"]) == (0, "hi\n", "")
    assert await run(["/bin/echo", "-n", "x"]) == (0, "x", "")


async def test_quoting() -> None:
    code, out, _ = await sh("""X=val; echo 'single $X' "double $X" mixed\\ word "a  b" ''""")
    assert code == 0
    assert out == "single $X double val mixed word a  b \n"


async def test_variables_and_special_parameters() -> None:
    code, out, _ = await sh("X=1; Y=${X}2; echo $X $Y ${Y}3; false; echo $?; true; echo $? $HOSTNAME")
    assert code == 0
    assert out == "1 12 123\n1\n0 api-7d9f\n"
    assert (await sh("echo [$UNSET] ${UNSET:-dflt}"))[1] == "[] dflt\n"
    assert (await run(["sh", "-c", 'echo "$0 $1 $#"', "myname", "first"]))[1] == "myname first 1\n"


async def test_arithmetic_expansion() -> None:
    code, out, _ = await sh("A=7; echo $((1 + 2 * 3)) $(((1 + 2) * 3)) $((A % 4)) $(($A / 2)) $((-7 / 2)) $((-7 % 3))")
    assert code == 0
    assert out == "7 9 3 3 -3 -1\n"
    code, out, err = await sh("echo $((5 / 0))")
    assert code == 2
    assert out == ""
    assert "division by zero" in err


def test_arithmetic_is_not_eval() -> None:
    assert arithmetic("2*(3+4)-1", lambda name: "") == 13
    assert arithmetic("x * 2", lambda name: {"x": "21"}.get(name, "")) == 42
    with pytest.raises(Exception, match="arithmetic"):
        arithmetic("__import__('os')", lambda name: "")


async def test_sequences_and_conditionals() -> None:
    assert await sh("echo a; echo b") == (0, "a\nb\n", "")
    assert await sh("true && echo yes || echo no") == (0, "yes\n", "")
    assert await sh("false && echo yes || echo no") == (0, "no\n", "")
    assert await sh("false || false && echo never") == (1, "", "")
    assert await sh("[ 3 -gt 2 ] && echo bigger") == (0, "bigger\n", "")


async def test_exit_codes() -> None:
    assert await sh("exit 3") == (3, "", "")
    assert await sh("echo before; exit 42; echo after") == (42, "before\n", "")
    assert await sh("false") == (1, "", "")
    assert await run(["false"]) == (1, "", "")
    assert await sh("exit 256") == (0, "", "")


async def test_command_not_found_sh_and_bash_styles() -> None:
    code, out, err = await sh("nosuchcmd arg; echo rc=$?")
    assert (code, out, err) == (0, "rc=127\n", "sh: 1: nosuchcmd: not found\n")
    code, _, err = await run(["bash", "-c", "nosuchcmd"])
    assert (code, err) == (127, "bash: nosuchcmd: command not found\n")


async def test_direct_exec_of_unknown_program_raises() -> None:
    with pytest.raises(ExecNotFound, match=r'exec: "kubectl": executable file not found in \$PATH'):
        await run(["kubectl", "get", "pods"])
    with pytest.raises(ExecNotFound):
        await run(["cd", "/"])  # shell builtin, not an executable
    with pytest.raises(ExecNotFound, match="no such file or directory"):
        await run(["/opt/missing"])


async def test_env_hostname_and_files() -> None:
    code, out, _ = await run(["env"], tty=True)
    env = dict(line.split("=", 1) for line in out.splitlines())
    assert code == 0
    assert env["MODE"] == "prod"
    assert env["URL"] == "http://prod.local"
    assert env["MY_POD"] == "api-7d9f"
    assert env["HOSTNAME"] == "api-7d9f"
    assert env["HOME"] == "/root"
    assert env["TERM"] == "xterm"
    assert "/usr/bin" in env["PATH"]
    assert "TERM" not in (await run(["env"]))[1]
    assert await run(["hostname"]) == (0, "api-7d9f\n", "")
    assert await run(["cat", "/etc/hostname"]) == (0, "api-7d9f\n", "")
    assert "Debian" in (await run(["cat", "/etc/os-release"]))[1]
    assert (await run(["cat", "/var/run/secrets/kubernetes.io/serviceaccount/namespace"]))[1] == "shop"
    assert await run(["cat", "/nope"]) == (1, "", "cat: /nope: No such file or directory\n")


async def test_filesystem_navigation() -> None:
    code, out, _ = await sh("pwd; cd /etc && pwd; cd; pwd; whoami; ls /var/run/secrets")
    assert code == 0
    assert out == "/srv/app\n/etc\n/root\nroot\nkubernetes.io\n"
    assert "hostname" in (await run(["ls", "/etc"]))[1].split()
    code, out, _ = await sh("echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f | wc -l; ls /tmp")
    assert (code, out) == (0, "2\nf\n")
    assert (await sh("cd /nowhere"))[0] == 2


async def test_pipes_redirections_and_substitution() -> None:
    assert (await sh("env | grep -c MODE"))[1] == "1\n"
    assert await sh("echo err >&2; echo out") == (0, "out\n", "err\n")
    assert await sh("ls /missing 2>&1") == (2, "ls: cannot access '/missing': No such file or directory\n", "")
    assert await sh("ls /missing 2>/dev/null") == (2, "", "")
    assert (await sh("echo host=$(hostname) n=$(echo $((2+2)))"))[1] == "host=api-7d9f n=4\n"


async def test_syntax_error() -> None:
    code, _, err = await sh("echo 'oops")
    assert code == 2
    assert err == "sh: 1: Syntax error: Unterminated quoted string\n"


async def test_stty_size_follows_resize() -> None:
    size = TerminalSize()
    shell, out, _ = make_shell(tty=True, terminal=size)
    assert await shell.exec(["stty", "size"]) == 0
    size.rows, size.cols = 50, 160
    assert await shell.exec(["stty", "size"]) == 0
    assert out.getvalue() == "24 80\n50 160\n"
    code, _, err = await run(["stty", "size"])  # no tty
    assert code == 1
    assert "Inappropriate ioctl" in err


async def test_interactive_shell_reads_until_exit() -> None:
    code, out, err = await run(["sh"], stdin="echo one\nX=5\necho $((X*2))\nexit 9\necho never\n")
    assert (code, out, err) == (9, "one\n10\n", "")  # no prompt without a tty
    code, out, err = await run(["/bin/bash"], stdin="echo hi\n", tty=True)
    assert code == 0
    assert out == "hi\n"
    assert err == "root@api-7d9f:/srv/app# root@api-7d9f:/srv/app# exit\n"  # prompts, then EOF
    code, _, err = await run(["sh"], stdin="cd /\n", tty=True)
    assert err == "# # "


async def test_sleep_really_sleeps_and_is_cancellable() -> None:
    start = asyncio.get_running_loop().time()
    assert await run(["sleep", "0.2"]) == (0, "", "")
    assert asyncio.get_running_loop().time() - start >= 0.19

    shell, _, _ = make_shell()
    task = asyncio.create_task(shell.exec(["sh", "-c", "sleep 3600; echo never"]))
    await asyncio.sleep(0.05)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_ctrl_c_interrupts_sleep_in_tty_session() -> None:
    out = BufferOutput()
    sent: list[bytes] = []

    async def send(data: bytes) -> None:
        sent.append(data)
        await out.write(data.decode())

    stdout = StreamOutput(send, crlf=True)
    term = TerminalInput(stdout)
    shell = Shell(ContainerInfo.from_pod(POD, "api"), stdin=term, stdout=stdout, stderr=stdout, tty=True)
    task = asyncio.create_task(shell.exec(["sh"]))
    await asyncio.sleep(0.05)  # let the prompt appear
    await term.feed(b"sleep 3600\r")
    await asyncio.sleep(0.05)
    await term.feed(b"\x03")
    await asyncio.sleep(0.05)
    await term.feed(b"echo rc=$?\rexit\r")  # type-ahead: echoed before it runs
    assert await asyncio.wait_for(task, 5) == 0
    assert out.getvalue() == "# sleep 3600\r\n^C\r\n# echo rc=$?\r\nexit\r\nrc=130\r\n# "
    assert all(b"\n" not in chunk.replace(b"\r\n", b"") for chunk in sent)


async def test_line_discipline_editing_and_eof() -> None:
    echo = BufferOutput()
    term = TerminalInput(echo)
    await term.feed(b"ecx\x7fho\x1b[A hi\r")
    assert await term.readline() == "echo hi\n"
    await term.feed(b"\x04")
    assert await term.readline() is None
    assert echo.getvalue() == "ecx\b \bho hi\r\n"


async def test_pipe_input_without_tty_has_no_echo() -> None:
    stdin = PipeInput()
    out, err = BufferOutput(), BufferOutput()
    shell = Shell(ContainerInfo.from_pod(POD, "api"), stdin=stdin, stdout=out, stderr=err)
    task = asyncio.create_task(shell.exec(["cat"]))
    await stdin.feed(b"abc\nde")
    stdin.close()
    assert await asyncio.wait_for(task, 5) == 0
    assert out.getvalue() == "abc\nde"


def test_arithmetic_wraps_like_64bit_shells() -> None:
    assert arithmetic("9223372036854775807 + 1", lambda name: "") == -9223372036854775808
    with pytest.raises(Exception, match="nested too deeply"):
        arithmetic("(" * 5000 + "1" + ")" * 5000, lambda name: "")
