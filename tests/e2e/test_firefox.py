"""The same extension in Firefox (Debian's firefox-esr), installed as a temporary add-on and
driven over Marionette: paired by a token entered in its options page, it names an unlabeled
image with the daemon's text (the core path)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile

import pytest

from .conftest import EXTENSION, free_port, wait_until

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
ADDON_ID = json.loads((EXTENSION / "manifest.json").read_text())["browser_specific_settings"]["gecko"]["id"]
ADDON_UUID = "5d7c3c52-7a0e-4f55-9a4c-a11e1fe1e1e1"  # fixed, so the test knows its moz-extension:// host

marionette_driver = pytest.importorskip("marionette_driver", reason="marionette-driver is not installed")
if FIREFOX is None:
    pytest.skip("Firefox is not installed", allow_module_level=True)


@pytest.fixture
def firefox():
    from marionette_driver.addons import Addons
    from marionette_driver.marionette import Marionette

    profile = tempfile.mkdtemp(prefix="a11y-helper-firefox-")
    port = free_port()
    prefs = {
        "marionette.port": port,
        "extensions.webextensions.uuids": json.dumps({ADDON_ID: ADDON_UUID}),
        "browser.shell.checkDefaultBrowser": False,
        "browser.startup.homepage_override.mstone": "ignore",
        "browser.aboutwelcome.enabled": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "toolkit.telemetry.reportingpolicy.firstRun": False,
        "app.update.disabledForTesting": True,
        "network.proxy.type": 0,
        "extensions.autoDisableScopes": 0,
    }
    with open(os.path.join(profile, "user.js"), "w") as f:
        for key, value in prefs.items():
            f.write(f"user_pref({json.dumps(key)}, {json.dumps(value)});\n")
    proc = subprocess.Popen(
        [
            FIREFOX,
            "--marionette",
            "-remote-allow-system-access",
            "--headless",
            "--no-remote",
            "--profile",
            profile,
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOZ_HEADLESS": "1"},
    )
    client = None
    try:
        client = Marionette(host="127.0.0.1", port=port)
        client.start_session()
        Addons(client).install(str(EXTENSION), temp=True)
        yield client
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.delete_session()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def text_of(client, element_id: str) -> str:
    return client.execute_script(f"return document.getElementById({element_id!r}).textContent") or ""


def test_firefox_names_an_image_from_the_daemon(firefox, daemon, sites):
    from marionette_driver.by import By

    main, _ = sites
    client = firefox
    # Marionette will not navigate a tab to an extension page; the browser window may.
    url = f"moz-extension://{ADDON_UUID}/options/options.html"
    with client.using_context(client.CONTEXT_CHROME):
        client.execute_script("openTrustedLinkIn(arguments[0], 'current')", script_args=[url])
    wait_until(
        lambda: (
            client.get_url() == url and client.execute_script("return document.body?.dataset.ready") == "true"
        ),
        timeout=15,
        message="the options page in Firefox",
    )
    port = client.find_element(By.ID, "port")
    port.clear()
    port.send_keys(str(daemon.port))
    client.find_element(By.ID, "save-port").click()
    wait_until(lambda: "saved" in text_of(client, "port-message"), timeout=10, message="the port saved")
    client.find_element(By.ID, "token").send_keys(daemon.token("firefox"))
    client.find_element(By.ID, "save-token").click()
    wait_until(
        lambda: "Token accepted" in text_of(client, "token-message"),
        timeout=15,
        message=lambda: (
            f"the token accepted in Firefox ({text_of(client, 'token-message')!r}, "
            f"{text_of(client, 'status')!r}, daemon: {daemon.lines[-3:]})"
        ),
    )
    assert text_of(client, "status").startswith("Connected")

    client.navigate(f"{main.url}/plain.html")
    wait_until(
        lambda: (
            "FORGOTTEN TOKEN"
            in (
                client.execute_script("return document.getElementById('img').getAttribute('alt')") or ""
            ).upper()
        ),
        timeout=30,
        message="the daemon's text as the image's alt in Firefox",
    )
    alt = client.execute_script("return document.getElementById('img').getAttribute('alt')")
    assert alt.startswith("Image text:"), alt
    assert (
        client.execute_script("return document.getElementById('img').getAttribute('data-a11y-helper')")
        == "named"
    )
