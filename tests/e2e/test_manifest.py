"""The manifest asks for no more than the extension needs, and works in both browsers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from .conftest import EXTENSION, ROOT

MANIFEST = json.loads((EXTENSION / "manifest.json").read_text())


def test_permissions_are_minimal():
    # storage: the token and settings; contextMenus: "Read the text in this image".
    assert sorted(MANIFEST["permissions"]) == ["contextMenus", "storage"]
    # Every page (content script, image bytes of any origin, captureVisibleTab); the daemon on
    # ws://127.0.0.1 is covered too.
    assert MANIFEST["host_permissions"] == ["<all_urls>"]
    assert "optional_permissions" not in MANIFEST
    # No page can load the extension's files (they would fingerprint it).
    assert "web_accessible_resources" not in MANIFEST
    assert "'unsafe" not in MANIFEST["content_security_policy"]["extension_pages"]


def test_one_tree_for_chromium_and_firefox():
    assert MANIFEST["manifest_version"] == 3
    background = MANIFEST["background"]
    assert background["service_worker"] == "background.js"  # Chromium
    assert background["scripts"] == ["background.js"]  # Firefox's event page
    assert background["type"] == "module"
    assert MANIFEST["browser_specific_settings"]["gecko"]["id"]
    assert MANIFEST["commands"]["read-image"]["suggested_key"]["default"]
    for path in [
        MANIFEST["background"]["service_worker"],
        MANIFEST["options_ui"]["page"],
        MANIFEST["action"]["default_popup"],
        MANIFEST["storage"]["managed_schema"],
        *MANIFEST["content_scripts"][0]["js"],
        *MANIFEST["icons"].values(),
    ]:
        assert (EXTENSION / path).is_file(), path


def test_content_scripts_never_talk_to_the_daemon():
    for script in (EXTENSION / "content").glob("*.js"):
        text = script.read_text()
        assert "WebSocket" not in text and "127.0.0.1" not in text, script


def web_ext() -> str | None:
    for candidate in (
        os.environ.get("A11Y_HELPER_WEB_EXT"),
        shutil.which("web-ext"),
        str(ROOT / "node_modules" / ".bin" / "web-ext"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.mark.skipif(web_ext() is None, reason="web-ext (npm) is not installed")
def test_web_ext_lint_passes():
    out = subprocess.run(
        [web_ext(), "lint", "--source-dir", str(EXTENSION), "--no-config-discovery", "--output", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(out.stdout)
    assert report["summary"]["errors"] == 0, report["errors"]
    # The one expected warning: Firefox ignores `background.service_worker` (it uses `scripts`).
    assert [w["code"] for w in report["warnings"]] == ["BACKGROUND_SERVICE_WORKER_IGNORED"], report[
        "warnings"
    ]
