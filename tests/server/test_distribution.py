"""The wheel as a user gets it: `uv build`, a clean venv with only the server's dependencies, and then
`chatwoot-mcp --sandbox` serving over stdio from that venv, away from this checkout.

Dependencies are installed from uv's cache (`--offline`, pinned by uv.lock), which `uv sync` has filled; only
when the cache lacks one is PyPI asked. About 10-20 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from chatwoot_mcp import __version__

from .conftest import REPO

UV = shutil.which("uv")
pytestmark = pytest.mark.skipif(UV is None, reason="uv is not installed (CI installs it)")


def _uv(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    assert UV is not None
    return subprocess.run([UV, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=180)


def _clean_env() -> dict[str, str]:
    """No CHATWOOT_* settings, no PYTHONPATH into this checkout, no virtual environment of the tests."""
    drop = ("CHATWOOT_", "PYTHONPATH", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bin/ directory of a fresh venv with the built wheel installed (and nothing from the dev group)."""
    root = tmp_path_factory.mktemp("dist")
    built = _uv("build", "--wheel", "--out-dir", root / "dist")
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("chatwoot_mcp-*.whl")
    assert wheel.name == f"chatwoot_mcp-{__version__}-py3-none-any.whl"
    requirements = root / "requirements.txt"
    exported = _uv("export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "-o", requirements)
    assert exported.returncode == 0, exported.stderr
    venv = root / "venv"
    created = _uv("venv", "--python", sys.executable, venv)
    assert created.returncode == 0, created.stderr
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    install = ["pip", "install", "--python", python, "-r", requirements, wheel]
    result = _uv(*install, "--offline")
    if result.returncode != 0:  # a dependency missing from the cache: fetch it
        result = _uv(*install)
    assert result.returncode == 0, result.stderr
    yield python.parent


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "chatwoot-mcp"), *args], capture_output=True, text=True, cwd=cwd, env=_clean_env(), timeout=60
    )


@pytest.mark.anyio
async def test_the_installed_wheel_serves_the_sandbox_over_stdio(installed: Path, tmp_path: Path) -> None:
    parameters = StdioServerParameters(
        command=str(installed / "chatwoot-mcp"), args=["--sandbox"], env=_clean_env(), cwd=tmp_path
    )
    with anyio.fail_after(60):
        async with Client(parameters) as client:
            tools = (await client.list_tools()).tools
            counts = await client.call_tool("get_counts", {"status": "open"})
    assert len(tools) > 20
    assert not counts.is_error, counts.content


def test_the_installed_wheel_reports_its_version(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, "--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.strip() == f"chatwoot-mcp {__version__}"


def test_the_installed_wheel_is_typed_and_lean(installed: Path) -> None:
    probe = subprocess.run(
        [
            str(installed / "python"),
            "-c",
            "import importlib.util as u, pathlib as p, chatwoot_client, chatwoot_mcp, chatwoot_sandbox;"
            "print(all((p.Path(m.__file__).parent / 'py.typed').exists()"
            " for m in (chatwoot_client, chatwoot_mcp, chatwoot_sandbox)));"
            "print([m for m in ('pytest', 'ruff', 'pyright') if u.find_spec(m)])",
        ],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=60,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.split("\n")[:2] == ["True", "[]"], "py.typed in every package, no development tools"


def test_schemas_outside_a_checkout_says_it_is_a_development_command(installed: Path, tmp_path: Path) -> None:
    result = _run(installed, "schemas", "--check", cwd=tmp_path)
    assert result.returncode == 2
    assert "development command" in result.stderr and "source checkout" in result.stderr
    assert "missing" not in result.stderr, "not a list of every file as missing"
    assert not (tmp_path / "tool_schemas").exists()
