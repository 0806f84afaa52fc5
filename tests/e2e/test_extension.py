"""The extension in Chromium against the real daemon: names, on-demand reading, pairing,
a daemon that is not running or restarts, and pages that try to use the daemon themselves."""

from __future__ import annotations

import pytest

from .conftest import ax_name, ax_node, wait_until

NAMED = "[data-a11y-helper='named']"


def attr(page, selector: str, name: str):
    return page.get_attribute(selector, name)


def words_in(name: str, *words: str) -> bool:
    return all(w.lower() in name.lower() for w in words)


def state(page, selector: str) -> str:
    """Where an element is and what it is called, for a failure message."""
    found = page.evaluate(
        """(sel) => {
            const e = document.querySelector(sel), r = e.getBoundingClientRect();
            return [r.top, r.bottom, innerHeight, e.getAttribute("aria-busy"),
                    e.getAttribute("aria-label") ?? e.getAttribute("alt"), document.visibilityState];
        }""",
        selector,
    )
    top, bottom, height, busy, name, shown = found
    return f"top {top} bottom {bottom} of {height}, aria-busy {busy}, name {name!r}, page {shown}"


def wait_named(page, selector: str, *words: str, timeout: float = 30) -> None:
    """Wait until the element's accessible name holds all the words; a failure says where it is."""
    wait_until(
        lambda: words_in(ax_name(page, selector), *words),
        timeout=timeout,
        message=lambda: f"the name of {selector} to hold {words} ({state(page, selector)})",
    )


def test_unlabeled_images_get_names_from_the_daemon(paired, sites):
    main, _ = sites
    page = paired.context.new_page()
    page.goto(f"{main.url}/images.html")

    expected = {
        "#same": ("LIBRARY", "LATE"),
        "#cross": ("SALE", "TODAY"),
        "#bglink": ("SIGN", "UP"),
        "#later": ("ADDED", "LATER"),
        # Out of view: read in the background, from its URL.
        "#below": ("FAR", "BELOW"),
        # Read from the screen: named once they are in view.
        "#canvas": ("CANVAS", "PICNIC"),
        "#svg": ("VECTOR", "GARDEN"),
    }
    for selector, words in expected.items():
        if selector in ("#canvas", "#svg"):
            page.locator(selector).scroll_into_view_if_needed()
        wait_named(page, selector, *words)
        name = ax_name(page, selector)
        assert name.startswith("Image text:"), name
    # How the names are given: alt on <img>, aria-label on the link, role=img on canvas/svg.
    assert attr(page, "#same", "alt").startswith("Image text:")
    assert attr(page, "#cross", "alt").startswith("Image text:")
    assert attr(page, "#bglink", "aria-label").startswith("Image text:")
    for selector in ("#canvas", "#svg"):
        assert ax_node(page, selector)["role"]["value"] == "image"
    # The original alt is kept, so that the page can be put back as it was.
    assert '"sale.png"' in attr(page, "#cross", "data-a11y-helper-original")

    # Images without text: what the page says about them, or an honest statement.
    wait_until(
        lambda: ax_name(page, "#nocaption").startswith("Image, no text found"),
        timeout=20,
        message="the captioned picture's name",
    )
    assert ax_name(page, "#nocaption") == "Image, no text found. Caption: A red circle on white"
    wait_until(
        lambda: ax_name(page, "#camera") == "Image, no text found.",
        timeout=20,
        message="an honest name for a picture called IMG_4031",
    )
    # Text in a script the models do not read is found, so it is not called "no text".
    wait_until(
        lambda: ax_name(page, "#korean") == "Image, text that could not be read. File name: korean",
        timeout=20,
        message=lambda: f"the Korean sign's name (now {ax_name(page, '#korean')!r})",
    )

    # Left alone: an author's good alt, decorative and hidden images, a tiny image.
    assert attr(page, "#good", "alt") == "Poster: concert tonight at eight"
    assert ax_name(page, "#good") == "Poster: concert tonight at eight"
    assert attr(page, "#decorative", "alt") == ""
    assert ax_node(page, "#decorative").get("ignored") or ax_name(page, "#decorative") == ""
    for selector in ("#hidden", "#presentation", "#tiny", "#good", "#decorative"):
        assert attr(page, selector, "data-a11y-helper") is None, selector
    for selector in ("#hidden", "#presentation", "#tiny"):
        assert attr(page, selector, "alt") is None, selector

    # The lazy image is named once it is scrolled to (it loads only then).
    assert attr(page, "#lazy", "alt") is None
    page.locator("#lazy").scroll_into_view_if_needed()
    wait_until(
        lambda: words_in(ax_name(page, "#lazy"), "LAZY", "HARBOUR"),
        timeout=30,
        message="the lazy image's name",
    )
    # Nothing is left marked busy.
    assert page.locator("[aria-busy='true']").count() == 0


@pytest.mark.parametrize("delay", [0, 40])
def test_a_picture_that_moves_while_it_is_captured_is_named_by_its_own_pixels(paired, sites, delay):
    """An SVG is read from a capture of the screen. The page puts a banner ("WRONG PLACE")
    above it `delay` ms after its reading starts: at once (the capture must wait for the page
    to be painted as it is) or while the capture is under way (the reading must be thrown away
    and done again where the picture went)."""
    main, _ = sites
    page = paired.context.new_page()
    page.goto(f"{main.url}/shift.html?delay={delay}")
    wait_named(page, "#svg", "VECTOR", "GARDEN")
    assert page.evaluate("() => window.shifts") == 1, "the page moved the picture during its reading"
    assert "WRONG" not in ax_name(page, "#svg").upper()
    assert page.locator("[aria-busy='true']").count() == 0


def test_canvases_are_read_from_their_own_pixels(paired, sites):
    """A canvas the page drew itself is read from its pixels, so it is named while far out of
    view; one holding another origin's image cannot be read by script, so it is read from the
    screen once it is in view."""
    main, _ = sites
    page = paired.context.new_page()
    page.goto(f"{main.url}/canvas.html")
    wait_named(page, "#deep", "DEEP", "HARBOUR")
    top = page.evaluate("() => document.querySelector('#deep').getBoundingClientRect().top")
    assert top > page.evaluate("() => innerHeight"), "named without being on the screen"
    assert attr(page, "#tainted", "aria-label") is None
    page.locator("#tainted").scroll_into_view_if_needed()
    wait_named(page, "#tainted", "SALE", "TODAY")


LIVE = "[data-a11y-helper-ui] [role='status']"


def test_on_demand_text_that_could_not_be_read_is_said_so(paired, sites):
    main, _ = sites
    page = paired.context.new_page()
    page.goto(f"{main.url}/demand.html")
    page.evaluate(
        """() => new Promise((done) => {
            const link = Object.assign(document.createElement("a"), { id: "sign", href: "#sign" });
            const img = Object.assign(new Image(), { src: "img/korean.png", alt: "Sign", onload: done });
            link.append(img);
            document.body.append(link);
        })"""
    )
    page.focus("#sign")
    assert paired.command("command")
    live = page.locator(LIVE)
    wait_until(
        lambda: live.text_content() == "This image has text that could not be read.",
        timeout=20,
        message="the live region to say the text could not be read",
    )


def test_on_demand_read_is_announced_and_copyable(paired, sites):
    main, _ = sites
    page = paired.context.new_page()
    page.goto(f"{main.url}/demand.html")
    # The author's alt "Poster" is kept by the automatic pass...
    page.wait_for_timeout(0)
    assert attr(page, "#poster", "alt") == "Poster"
    # ...but the user can ask what the image says: focus the link around it, press the shortcut.
    page.focus("#link")
    assert paired.command("command")
    live = page.locator(LIVE)
    wait_until(
        lambda: "READ ME NOW" in (live.text_content() or "").upper(),
        timeout=20,
        message="the live region to speak the image's text",
    )
    said = live.text_content()
    assert said.startswith("Text in image:"), said
    assert "again to review or copy" in said
    assert live.get_attribute("aria-live") == "polite"
    assert "READ ME NOW" in page.locator("[data-a11y-helper-ui] textarea").input_value().upper()
    # Pressing the shortcut again puts the text under the focus, selected, to copy it.
    assert paired.command("command")
    wait_until(
        lambda: (
            page.evaluate(
                "() => document.querySelector('[data-a11y-helper-ui]').shadowRoot.activeElement?.tagName"
            )
            == "TEXTAREA"
        ),
        timeout=5,
        message="focus in the text panel",
    )
    assert attr(page, "#poster", "alt") == "Poster", "reading on demand does not rename"
    # Tab to "Copy text", Enter: the text is on the clipboard, and the user hears so.
    paired.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=main.url)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_until(lambda: live.text_content() == "Copied.", timeout=5, message="'Copied.' in the live region")
    assert "READ ME NOW" in page.evaluate("() => navigator.clipboard.readText()").upper()
    page.keyboard.press("Shift+Tab")
    # Escape closes the panel and gives the focus back.
    page.keyboard.press("Escape")
    wait_until(
        lambda: page.evaluate("() => document.activeElement?.id") == "link",
        timeout=5,
        message="focus back on the link",
    )

    # The context menu on the image does the same.
    page.click("#poster", button="right")
    src = page.evaluate("() => document.querySelector('#poster').currentSrc")
    page.evaluate(
        "() => { document.querySelector('[data-a11y-helper-ui]').shadowRoot"
        ".querySelector('[role=status]').textContent = '' }"
    )
    assert paired.command("menu", srcUrl=src)
    wait_until(
        lambda: "READ ME NOW" in (live.text_content() or "").upper(),
        timeout=20,
        message="the context menu's answer in the live region",
    )

    # Nothing to read where the focus is: the user hears so.
    page.focus("#other")
    assert paired.command("command")
    wait_until(
        lambda: (live.text_content() or "").startswith("No image here"),
        timeout=10,
        message="'No image here' in the live region",
    )


def test_pairing_approved_in_the_daemon_terminal(launch_browser, daemon):
    browser = launch_browser()
    browser.configure(port=daemon.port)
    page = browser.context.new_page()
    page.goto(browser.ext_url("options/options.html"))
    status = page.locator("#status")
    wait_until(
        lambda: (status.text_content() or "").startswith("Not paired"),
        timeout=10,
        message="options page saying 'Not paired'",
    )
    page.get_by_label("Name for this browser").fill("Approved browser")
    seen = len(daemon.lines)
    page.get_by_role("button", name="Pair with the daemon").click()
    wait_until(
        lambda: "answer y" in (page.locator("#pair-message").text_content() or ""),
        timeout=10,
        message="the options page telling the user to approve on the daemon side",
    )
    wait_until(
        lambda: any("Allow 'Approved browser'" in line for line in daemon.lines[seen:]),
        timeout=10,
        message="the daemon's prompt",
    )
    daemon.answer("y")
    wait_until(
        lambda: (page.locator("#pair-message").text_content() or "").startswith("Paired."),
        timeout=10,
        message="'Paired.' on the options page",
    )
    wait_until(
        lambda: (status.text_content() or "").startswith("Connected"),
        timeout=10,
        message="options page saying 'Connected'",
    )
    token = browser.worker.evaluate("async () => (await chrome.storage.local.get('token')).token")
    assert isinstance(token, str) and len(token) >= 20
    # What the extension stores: the token and settings, never images or text.
    stored = browser.worker.evaluate("async () => Object.keys(await chrome.storage.local.get(null))")
    assert set(stored) <= {"token", "port", "auto", "sites"}


def test_pairing_refused_in_the_daemon_terminal(launch_browser, daemon):
    browser = launch_browser()
    browser.configure(port=daemon.port)
    page = browser.context.new_page()
    page.goto(browser.ext_url("options/options.html"))
    page.get_by_label("Name for this browser").fill("Refused browser")
    seen = len(daemon.lines)
    page.get_by_role("button", name="Pair with the daemon").click()
    wait_until(
        lambda: any("Allow 'Refused browser'" in line for line in daemon.lines[seen:]),
        timeout=10,
        message="the daemon's prompt",
    )
    daemon.answer("n")
    wait_until(
        lambda: "refused" in (page.locator("#pair-message").text_content() or ""),
        timeout=10,
        message="the refusal on the options page",
    )
    assert (page.locator("#status").text_content() or "").startswith("Not paired")
    assert browser.worker.evaluate("async () => (await chrome.storage.local.get('token')).token") is None


def test_daemon_not_running_then_restarted(launch_browser, daemon_factory, sites):
    main, _ = sites
    own = daemon_factory()  # stopped and started again here: not the shared one
    browser = launch_browser()
    browser.configure(token=own.token("restart browser"), port=own.port)
    assert browser.status()["state"] == "connected"
    own.stop()  # it closes the connection (1001) and exits

    popup = browser.context.new_page()
    popup.goto(browser.ext_url("popup/popup.html"))
    wait_until(
        lambda: (popup.locator("#status").text_content() or "").startswith("Daemon not running"),
        timeout=10,
        message="the popup saying 'Daemon not running'",
    )

    page = browser.context.new_page()
    page.goto(f"{main.url}/plain.html")
    # The page is unharmed: no name invented, nothing left busy.
    wait_until(
        lambda: page.evaluate("() => document.querySelector('#img').complete"),
        timeout=5,
        message="the image to load",
    )
    page.wait_for_function("() => !document.querySelector('[aria-busy]')", timeout=10_000)
    assert attr(page, "#img", "alt") is None
    assert attr(page, "#img", "data-a11y-helper") is None

    # The daemon starts again: the extension reconnects by itself and names the image, no reload.
    own.start()
    wait_until(
        lambda: words_in(ax_name(page, "#img"), "FORGOTTEN", "TOKEN"),
        timeout=20,
        message="the image named after the daemon came back",
    )
    wait_until(
        lambda: (popup.locator("#status").text_content() or "").startswith("Connected"),
        timeout=10,
        message="the popup saying 'Connected'",
    )
    own.kill()


def test_requests_in_flight_are_sent_again_after_a_drop(launch_browser, daemon_factory, sites):
    import signal

    main, _ = sites
    own = daemon_factory()
    browser = launch_browser()
    browser.configure(token=own.token("resend browser"), port=own.port)
    assert browser.status()["state"] == "connected"
    # The daemon hangs (its socket stays open), then dies while the request is in flight.
    own.proc.send_signal(signal.SIGSTOP)
    page = browser.context.new_page()
    page.goto(f"{main.url}/resend.html")
    wait_until(lambda: attr(page, "#img", "aria-busy") == "true", timeout=10, message="the image marked busy")
    wait_until(
        lambda: browser.worker.evaluate("() => a11yHelper.daemon.inflight.size") == 1,
        timeout=10,
        message="one request in flight",
    )
    own.kill()
    own.start()
    wait_until(
        lambda: words_in(ax_name(page, "#img"), "SENT", "AGAIN"),
        timeout=25,
        message="the image named by the restarted daemon",
    )
    assert attr(page, "#img", "aria-busy") is None
    own.kill()


def test_a_web_page_cannot_use_the_daemon(paired, daemon, sites):
    main, _ = sites
    page = paired.context.new_page()
    page.goto(f"{main.url}/plain.html")
    outcome = page.evaluate(
        """(port) => new Promise((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/v1`);
            ws.onopen = () => {
                ws.send(JSON.stringify({type: "pair", name: "evil page"}));
                resolve("open");
            };
            ws.onclose = (ev) => resolve(`closed ${ev.code}`);
        })""",
        daemon.port,
    )
    assert outcome == "closed 1006", outcome  # refused at the HTTP upgrade (403)
    assert not any("evil page" in line for line in daemon.lines)


def test_queue_priorities_and_keepalive_on_a_real_socket(paired, daemon, sites):
    """While the daemon is busy (here: paused), the service worker keeps at most four requests
    on the wire, sends `visible` ones before `background` ones, and pings to keep the socket
    (and itself) alive; once the work is done, the pings stop."""
    import signal

    main, _ = sites
    sw = paired.worker
    sw.evaluate(
        """async (url) => {
            const d = a11yHelper.daemon;
            await d.ensureConnected();
            d.keepaliveMs = 300;  // 20 s in use; shortened so the test need not wait
            globalThis.__sent = [];
            const send = d.ws.send.bind(d.ws);
            d.ws.send = (data) => {
                if (typeof data === "string") {
                    __sent.push(JSON.parse(data).type);
                } else {
                    const n = new DataView(data.buffer).getUint32(0);
                    __sent.push(JSON.parse(new TextDecoder().decode(data.slice(4, 4 + n))).priority);
                }
                return send(data);
            };
            globalThis.__bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
        }""",
        f"{main.url}/img/library.png",
    )
    daemon.proc.send_signal(signal.SIGSTOP)
    try:
        sw.evaluate(
            """() => {
                const d = a11yHelper.daemon;
                const submit = (priority) => d.submit({bytes: __bytes, priority});
                globalThis.__jobs = Promise.all([
                    ...Array.from({length: 6}, () => submit("background")),
                    ...Array.from({length: 3}, () => submit("visible")),
                ]);
            }"""
        )
        wait_until(
            lambda: sw.evaluate("() => __sent.filter((x) => x === 'ping').length") >= 2,
            timeout=10,
            message=lambda: (
                "keepalive pings while the work is pending: "
                + str(
                    sw.evaluate(
                        "() => { const d = a11yHelper.daemon; return [__sent, d.status, d.queue.length,"
                        " d.inflight.size, d.keepaliveTimer !== null] }"
                    )
                )
            ),
        )
    finally:
        daemon.proc.send_signal(signal.SIGCONT)
    results = sw.evaluate("() => __jobs.then((all) => all.map((r) => r.alt))")
    assert all("LIBRARY" in alt.upper() for alt in results), results
    frames = sw.evaluate("() => __sent.filter((x) => x !== 'ping')")
    assert frames == ["background"] * 4 + ["visible"] * 3 + ["background"] * 2, frames
    pings = sw.evaluate("() => __sent.filter((x) => x === 'ping').length")
    assert sw.evaluate("() => a11yHelper.daemon.keepaliveTimer") is None, "no keepalive without work"
    sw.evaluate("() => { a11yHelper.daemon.keepaliveMs = 20000; }")
    assert sw.evaluate("() => __sent.filter((x) => x === 'ping').length") == pings


def test_screen_captures_on_a_high_density_screen(launch_browser, daemon, token, sites):
    """With devicePixelRatio 2 the capture has twice the CSS pixels: the crop must still be the
    canvas, not a quarter of it (which would read a wrong or partial text)."""
    main, _ = sites
    browser = launch_browser(scale=2)
    browser.configure(token=token, port=daemon.port)
    page = browser.context.new_page()
    page.goto(f"{main.url}/images.html")
    assert page.evaluate("() => devicePixelRatio") == 2
    for selector, words in (("#canvas", ("CANVAS", "PICNIC")), ("#svg", ("VECTOR", "GARDEN"))):
        page.locator(selector).scroll_into_view_if_needed()
        wait_until(
            lambda s=selector, w=words: words_in(ax_name(page, s), *w),
            timeout=30,
            message=f"the name of {selector} at devicePixelRatio 2",
        )
