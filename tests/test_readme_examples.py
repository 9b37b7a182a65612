"""Every Python example under the README's "Python SDK" heading runs against a live server.

Each block runs in its own interpreter with Django out of reach, against daphne + the demo
simulator (registered as cluster 1); the placeholders `https://kubepolaris.example.com`,
`your-token` and `admin`/`admin-password` are swapped for the live server's.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.liveserver import LiveServer

ROOT = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"^(#+)\s+Python SDK\s*$", re.MULTILINE)


def sdk_section() -> tuple[str, str]:
    """(source name, markdown of README.md's Python SDK section)."""
    path = ROOT / "README.md"
    text = path.read_text()
    match = HEADING.search(text)
    assert match, "no 'Python SDK' heading in README.md"
    level = len(match.group(1))
    rest = text[match.end():]
    end = re.search(rf"^#{{1,{level}}}\s", rest, re.MULTILINE)
    return path.name, rest[: end.start()] if end else rest


SOURCE, SECTION = sdk_section()
EXAMPLES = re.findall(r"```python\n(.*?)```", SECTION, re.DOTALL)


def test_the_section_has_the_promised_examples() -> None:
    text = "\n".join(EXAMPLES)
    assert "client.clusters.list()" in text and 'token="your-token"' in text  # the seed's example
    for call in (".scale(", ".follow_logs(", ".exec("):
        assert call in text, f"{SOURCE} has no example using {call}"


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    server = LiveServer(with_sim=True).start()
    assert server.cluster_id == 1, "the examples address the first registered cluster"
    yield server
    server.stop()


@pytest.mark.parametrize("code", EXAMPLES, ids=[f"{SOURCE}-{i + 1}" for i in range(len(EXAMPLES))])
def test_example_runs(code: str, live: LiveServer, tmp_path: Path) -> None:
    program = (code.replace("https://kubepolaris.example.com", live.url)
               .replace('"your-token"', repr(live.token()))
               .replace('username="admin"', f"username={live.admin_username!r}")
               .replace('password="admin-password"', f"password={live.admin_password!r}"))
    script = tmp_path / "example.py"
    script.write_text("import sys\nsys.modules['django'] = None  # the SDK must not need it\n" + program)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=90)
    assert result.returncode == 0, f"example failed:\n{code}\n--- stderr ---\n{result.stderr}"
    assert result.stdout.strip(), "every example prints what it did"
