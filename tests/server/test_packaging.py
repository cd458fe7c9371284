"""What ships: one version everywhere, the MCP registry's server.json, the desktop-extension manifest, LICENSE,
CHANGELOG, and project metadata a package index shows.

The wheel itself (built, installed in a clean venv, served over stdio) is tested in test_distribution.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from chatwoot_mcp import __version__
from chatwoot_mcp.config import ENV_VARS

from .conftest import REPO, subprocess_env
from .test_readme_snippets import chatwoot_mcp_argv, parse_cli

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SERVER_JSON = json.loads((REPO / "server.json").read_text(encoding="utf-8"))
MANIFEST = json.loads((REPO / "manifest.json").read_text(encoding="utf-8"))
VENDORED = Path(__file__).parent / "vendored"

# The constraints the MCP registry's server.json schema (2025-09-29) documents, written out here because that
# schema is not in any package this project can install (vendored/SOURCE.md).
_INPUT = {
    "type": "object",
    "properties": {
        "description": {"type": "string"},
        "isRequired": {"type": "boolean"},
        "format": {"enum": ["string", "number", "boolean", "filepath"]},
        "value": {"type": "string"},
        "isSecret": {"type": "boolean"},
        "default": {"type": "string"},
        "placeholder": {"type": "string"},
        "choices": {"type": "array", "items": {"type": "string"}},
    },
}
_NAMED = {"required": ["name"], "properties": {"name": {"type": "string"}}}
REGISTRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description", "version"],
    "properties": {
        "$schema": {"const": "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json"},
        "name": {"type": "string", "pattern": "^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$", "minLength": 3, "maxLength": 200},
        "description": {"type": "string", "minLength": 1, "maxLength": 100},
        "version": {"type": "string", "maxLength": 255, "not": {"pattern": r"^[\^~>=<]|\.x$|\*"}},
        "repository": {
            "type": "object",
            "required": ["url", "source"],
            "properties": {"url": {"type": "string"}, "source": {"type": "string"}},
        },
        "packages": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["registryType", "identifier", "version", "transport"],
                "properties": {
                    "registryType": {"type": "string"},
                    "registryBaseUrl": {"type": "string"},
                    "identifier": {"type": "string"},
                    "version": {"type": "string", "minLength": 1, "not": {"const": "latest"}},
                    "fileSha256": {"type": "string", "pattern": "^[a-f0-9]{64}$"},
                    "runtimeHint": {"type": "string"},
                    "transport": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"enum": ["stdio", "streamable-http", "sse"]}},
                    },
                    "runtimeArguments": {"type": "array"},
                    "packageArguments": {"type": "array"},
                    "environmentVariables": {
                        "type": "array",
                        "items": {"allOf": [_INPUT, _NAMED]},
                    },
                },
            },
        },
    },
}


# -- one version ---------------------------------------------------------------------------------------------------


def test_the_version_is_written_in_one_place_and_every_copy_matches_it() -> None:
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "server/chatwoot_mcp/__init__.py"
    assert SERVER_JSON["version"] == __version__
    assert [package["version"] for package in SERVER_JSON["packages"]] == [__version__]
    assert MANIFEST["version"] == __version__
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M), (
        f"CHANGELOG.md has no section for {__version__}"
    )


def test_version_flag_prints_the_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "chatwoot_mcp", "--version"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.strip() == f"chatwoot-mcp {__version__}"


# -- server.json (MCP registry) -----------------------------------------------------------------------------------


def test_server_json_meets_the_registry_schema() -> None:
    jsonschema.validate(SERVER_JSON, REGISTRY_SCHEMA)
    (package,) = SERVER_JSON["packages"]
    assert package["registryType"] == "pypi" and package["identifier"] == PYPROJECT["project"]["name"]
    assert package["transport"] == {"type": "stdio"}


def test_server_json_names_the_package_readme_claims() -> None:
    """The registry accepts a PyPI package only if its README carries `mcp-name: <the server.json name>`."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"mcp-name: {SERVER_JSON['name']}" in readme
    assert SERVER_JSON["name"].startswith("io.github.") and SERVER_JSON["name"].endswith("/chatwoot-mcp")


def test_server_json_environment_is_real_described_and_secret_where_it_must_be() -> None:
    (package,) = SERVER_JSON["packages"]
    variables = {variable["name"]: variable for variable in package["environmentVariables"]}
    assert set(variables) <= set(ENV_VARS), f"not settings chatwoot-mcp reads: {sorted(set(variables) - set(ENV_VARS))}"
    required = {name for name, variable in variables.items() if variable.get("isRequired")}
    assert required == {"CHATWOOT_BASE_URL", "CHATWOOT_API_TOKEN", "CHATWOOT_ACCOUNT_ID"}
    for name, variable in variables.items():
        assert variable.get("description"), f"{name} has no description"
        assert variable.get("isSecret", False) == name.endswith(("_TOKEN", "_KEY")), f"{name}: isSecret is wrong"


def test_descriptions_fit_the_registry() -> None:
    assert len(PYPROJECT["project"]["description"]) <= 100
    assert len(SERVER_JSON["description"]) <= 100


# -- manifest.json (desktop extension, .mcpb) ---------------------------------------------------------------------


def test_manifest_is_valid_against_the_mcpb_schema() -> None:
    schema = json.loads((VENDORED / "mcpb-manifest-v0.4.schema.json").read_text(encoding="utf-8"))
    assert MANIFEST["manifest_version"] == "0.4"
    jsonschema.validate(MANIFEST, schema)


def test_manifest_asks_for_the_settings_and_keeps_the_token_sensitive() -> None:
    user_config = MANIFEST["user_config"]
    env = MANIFEST["server"]["mcp_config"]["env"]
    assert set(env) <= set(ENV_VARS)
    referenced = {m for value in env.values() for m in re.findall(r"\$\{user_config\.(\w+)\}", value)}
    assert referenced == set(user_config), "every user_config entry is used, and only those"
    asked = {name: value.removeprefix("${user_config.").removesuffix("}") for name, value in env.items()}
    for name in ("CHATWOOT_BASE_URL", "CHATWOOT_API_TOKEN", "CHATWOOT_ACCOUNT_ID"):
        assert user_config[asked[name]]["required"] is True, name
    assert user_config[asked["CHATWOOT_API_TOKEN"]]["sensitive"] is True
    assert not any(entry.get("sensitive") for key, entry in user_config.items() if key != asked["CHATWOOT_API_TOKEN"])


def test_manifest_launches_chatwoot_mcp_with_real_flags() -> None:
    config = MANIFEST["server"]["mcp_config"]
    argv = chatwoot_mcp_argv([config["command"], *config["args"]])
    assert argv is not None, "the manifest does not launch chatwoot-mcp"
    assert parse_cli(argv).command == "serve"
    assert (REPO / MANIFEST["server"]["entry_point"]).exists()


# -- LICENSE and metadata ------------------------------------------------------------------------------------------


def test_license_is_the_mit_text_the_metadata_names() -> None:
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 chatwoot-mcp contributors\n")
    assert PYPROJECT["project"]["license"] == "MIT" and PYPROJECT["project"]["license-files"] == ["LICENSE"]
    assert MANIFEST["license"] == "MIT"


@pytest.mark.parametrize("field", ["authors", "keywords", "classifiers", "urls", "readme", "license"])
def test_project_metadata_is_filled_in(field: str) -> None:
    assert PYPROJECT["project"].get(field), f"pyproject.toml [project] has no {field}"


def test_classifiers_match_the_supported_pythons() -> None:
    classifiers = PYPROJECT["project"]["classifiers"]
    assert "Typing :: Typed" in classifiers
    minimum = re.fullmatch(r">=3\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert minimum is not None
    versions = sorted(int(c.rsplit(".", 1)[1]) for c in classifiers if re.fullmatch(r".*Python :: 3\.\d+", c))
    assert versions and versions[0] == int(minimum[1])


def test_every_package_is_marked_typed() -> None:
    for package in ("client/chatwoot_client", "server/chatwoot_mcp", "server/chatwoot_sandbox"):
        assert (REPO / package / "py.typed").exists(), package
