"""The extension's own pages (options, popup) for keyboard and screen-reader users: every
control has a name in Chromium's accessibility tree, the focus is always visible, the state is
in a live region, and errors are said in plain words next to the field."""

from __future__ import annotations

import pytest

from .conftest import wait_until

INTERACTIVE = {"button", "textbox", "checkbox", "link", "combobox", "spinbutton", "radio"}


def unnamed_controls(page) -> list[dict]:
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [
        n
        for n in nodes
        if not n.get("ignored")
        and (n.get("role") or {}).get("value") in INTERACTIVE
        and not ((n.get("name") or {}).get("value") or "").strip()
    ]


def tab_through(page, stops: int) -> list[dict]:
    """Presses Tab `stops` times; for each stop, what has the focus and how its outline looks."""
    seen = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        seen.append(
            page.evaluate("""() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            return {id: el.id, tag: el.tagName, label: el.labels?.[0]?.textContent ?? el.textContent,
                    outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};
        }""")
        )
    return seen


@pytest.mark.parametrize("path", ["options/options.html", "popup/popup.html"])
def test_every_control_is_named_and_focus_is_visible(paired, path):
    browser = paired
    page = browser.context.new_page()
    page.goto(browser.ext_url(path))
    status = page.locator("#status")
    assert status.get_attribute("role") == "status"
    wait_until(
        lambda: (status.text_content() or "").startswith("Connected"),
        timeout=10,
        message="the status saying 'Connected'",
    )
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert page.title()
    assert page.locator("h1").count() == 1
    assert unnamed_controls(page) == []

    controls = page.evaluate(
        """() => Array.from(document.querySelectorAll('button, input, select, textarea, a[href]'))
            .filter((el) => !el.disabled && el.offsetParent).length"""
    )
    stops = tab_through(page, controls)
    ids = [f"{s['tag']}#{s['id']}:{s['label']}" for s in stops]
    assert len(set(ids)) == controls, f"every control is reached by Tab once: {ids}"
    for stop in stops:
        assert stop["outline"] != "none" and stop["width"] >= 2, f"no visible focus on {stop}"


def test_options_errors_are_plain_and_tied_to_their_field(launch_browser, daemon):
    browser = launch_browser()
    browser.configure(port=daemon.port)
    page = browser.context.new_page()
    page.goto(browser.ext_url("options/options.html"))
    port = page.get_by_label("Port of the daemon")
    port.fill("eighty")
    page.get_by_role("button", name="Save port").click()
    assert port.get_attribute("aria-invalid") == "true"
    assert page.evaluate("() => document.activeElement.id") == "port"
    description = page.evaluate(
        "() => document.getElementById('port').getAttribute('aria-describedby').split(' ')"
        ".map((id) => document.getElementById(id).textContent).join(' ')"
    )
    assert "whole number from 1 to 65535" in description

    token = page.get_by_label("Token")
    page.get_by_role("button", name="Save token").click()
    assert token.get_attribute("aria-invalid") == "true"
    assert "Paste the token" in page.locator("#token-error").text_content()

    # A wrong token: the daemon says no, and so does the page, in words.
    token.fill("not-a-real-token")
    page.get_by_role("button", name="Save token").click()
    wait_until(
        lambda: "did not accept" in (page.locator("#token-message").text_content() or ""),
        timeout=15,
        message="the wrong token refused in words",
    )
    # A token from `a11y-helper pair add`, entered once: connected.
    token.fill(daemon.token("entered by hand"))
    page.get_by_role("button", name="Save token").click()
    wait_until(
        lambda: "Token accepted" in (page.locator("#token-message").text_content() or ""),
        timeout=15,
        message="the token accepted",
    )
    assert (page.locator("#status").text_content() or "").startswith("Connected")


def test_popup_turns_a_site_off_and_the_page_is_restored(paired, sites):
    main, _ = sites
    browser = paired
    page = browser.context.new_page()
    page.goto(f"{main.url}/plain.html")
    wait_until(
        lambda: (page.get_attribute("#img", "alt") or "").startswith("Image text:"),
        timeout=20,
        message="the image named",
    )
    # What the popup's switch writes (the popup reads the active tab, which a test cannot open
    # it on): the site turned off in storage.
    browser.worker.evaluate("(host) => chrome.storage.local.set({sites: {[host]: false}})", "127.0.0.1")
    wait_until(
        lambda: page.get_attribute("#img", "alt") is None, timeout=10, message="the author's markup back"
    )
    assert page.get_attribute("#img", "data-a11y-helper") is None
    options = browser.context.new_page()
    options.goto(browser.ext_url("options/options.html"))
    options.get_by_role("button", name="Turn 127.0.0.1 back on").click()
    wait_until(
        lambda: (page.get_attribute("#img", "alt") or "").startswith("Image text:"),
        timeout=20,
        message="the image named again",
    )


def test_global_auto_mode_switch_in_the_options_page(paired, sites):
    main, _ = sites
    page = paired.context.new_page()
    page.goto(f"{main.url}/plain.html")
    wait_until(
        lambda: (page.get_attribute("#img", "alt") or "").startswith("Image text:"),
        timeout=20,
        message="the image named",
    )
    options = paired.context.new_page()
    options.goto(paired.ext_url("options/options.html"))
    auto = options.get_by_label("Name unlabeled images automatically on every site")
    wait_until(lambda: auto.is_checked(), timeout=5, message="automatic naming shown as on")
    auto.focus()
    options.keyboard.press("Space")  # by keyboard, as a screen reader user would
    wait_until(
        lambda: "only when you ask" in (options.locator("#port-message").text_content() or ""),
        timeout=5,
        message="the change said in words",
    )
    wait_until(
        lambda: page.get_attribute("#img", "alt") is None, timeout=10, message="the page put back as it was"
    )
    options.keyboard.press("Space")
    wait_until(
        lambda: (page.get_attribute("#img", "alt") or "").startswith("Image text:"),
        timeout=20,
        message="the image named again",
    )
