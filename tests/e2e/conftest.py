"""End-to-end fixtures for the browser extension: a real daemon, real Chromium, real pages.

- `Daemon` runs `a11y-helper serve --port P` as a subprocess with its own config dir
  (A11Y_HELPER_CONFIG_DIR), reads its stderr in a thread, and answers its pairing prompt on
  stdin.
- Two local HTTP servers (two ports, so two origins) serve the test pages and images drawn
  with Pillow from known words.
- `launch_browser` starts Debian's Chromium with the unpacked extension (Playwright never
  downloads a browser here) and returns the context, its service worker and the extension id.
"""

from __future__ import annotations

import functools
import http.server
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from tests.conftest import hangul

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
CHROMIUM = os.environ.get("A11Y_HELPER_CHROMIUM", "/usr/bin/chromium")
CLI = Path(sys.executable).with_name("a11y-helper")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Words drawn into the test images; each test image says something different so a name
# taken from the wrong image fails.
WORDS = {
    "library.png": ["LIBRARY OPEN LATE"],
    "sale.png": ["BIG SALE TODAY"],
    "poster.png": ["CONCERT TONIGHT"],
    "divider.png": ["DECORATIVE BORDER"],
    "hidden.png": ["HIDDEN WORDS"],
    "signup.png": ["SIGN UP"],
    "svgpicture.png": ["VECTOR GARDEN"],
    "below.png": ["FAR BELOW"],
    "lazy.png": ["LAZY HARBOUR"],
    "later.png": ["ADDED LATER"],
    "demand.png": ["READ ME NOW"],
    "notfound.png": ["FORGOTTEN TOKEN"],
    "resend.png": ["SENT AGAIN"],
}


def wait_until(predicate, timeout: float = 15.0, interval: float = 0.1, message="condition"):
    """Polls `predicate` until it returns something truthy; fails the test after `timeout`.

    `message` says what was awaited; a callable is asked only on failure (to show the state)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    if callable(message):
        message = message()
    pytest.fail(f"timed out after {timeout} s waiting for {message} (last value: {last!r})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render(lines: list[str], size: int = 44, margin: int = 28) -> Image.Image:
    font = ImageFont.load_default(size=size)
    width = max(int(font.getlength(line)) for line in lines) + 2 * margin
    height = int(len(lines) * size * 1.5) + 2 * margin
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * size * 1.5), line, font=font, fill=(0, 0, 0))
    return image


class Daemon:
    """`a11y-helper serve` on a port, as a user would start it in a terminal."""

    def __init__(self, port: int, config_dir: Path) -> None:
        self.port = port
        self.config_dir = config_dir
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []
        self._new: queue.Queue[str] = queue.Queue()

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "A11Y_HELPER_CONFIG_DIR": str(self.config_dir)}

    def start(self) -> Daemon:
        assert self.proc is None or self.proc.poll() is not None
        self.lines.clear()
        self.proc = subprocess.Popen(
            [str(CLI), "serve", "--port", str(self.port), "--workers", "1"],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            env=self.env,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()
        self.wait_for_line("ready", timeout=60)
        return self

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stderr:
            self.lines.append(line.rstrip("\n"))
            self._new.put(line)

    def wait_for_line(self, text: str, timeout: float = 15.0) -> str:
        def seen():
            if (
                self.proc is not None
                and self.proc.poll() is not None
                and not any(text in x for x in self.lines)
            ):
                pytest.fail(f"a11y-helper serve exited ({self.proc.returncode}):\n" + "\n".join(self.lines))
            return next((x for x in self.lines if text in x), None)

        return wait_until(seen, timeout, message=f"daemon line containing {text!r}")

    def answer(self, line: str) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def token(self, name: str) -> str:
        out = subprocess.run(
            [str(CLI), "pair", "add", "--name", name],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return out.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def daemon_factory(tmp_path_factory):
    started: list[Daemon] = []

    def make() -> Daemon:
        d = Daemon(free_port(), tmp_path_factory.mktemp("daemon-config"))
        started.append(d)
        return d.start()

    yield make
    for d in started:
        d.kill()


@pytest.fixture(scope="session")
def daemon(daemon_factory) -> Daemon:
    """One daemon shared by the tests that do not stop it."""
    return daemon_factory()


@pytest.fixture(scope="session")
def token(daemon) -> str:
    """A token for the shared daemon, made as an administrator would (`a11y-helper pair add`)."""
    return daemon.token("e2e browsers")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class Site:
    def __init__(self, root: Path) -> None:
        handler = functools.partial(QuietHandler, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="session")
def sites(tmp_path_factory):
    """(same-origin site, cross-origin site), both serving the generated pages and images."""
    root = tmp_path_factory.mktemp("site")
    img = root / "img"
    img.mkdir()
    for name, lines in WORDS.items():
        render(lines).save(img / name)
    Image.new("RGB", (20, 20), (0, 0, 0)).save(img / "tiny.png")
    shape = Image.new("RGB", (240, 160), (255, 255, 255))
    ImageDraw.Draw(shape).ellipse((60, 20, 180, 140), fill=(200, 30, 30))
    shape.save(img / "red-circle.png")
    shape.save(img / "IMG_4031.png")
    hangul(["새 창에서 열기"]).save(img / "korean.png")  # a script the models do not read
    main, other = Site(root), Site(root)
    for page in (Path(__file__).parent / "pages").glob("*.html"):
        (root / page.name).write_text(page.read_text().replace("{{OTHER}}", other.url))
    yield main, other
    main.server.shutdown()
    other.server.shutdown()


class Browser:
    def __init__(self, context, worker) -> None:
        self.context = context
        self.worker = worker
        self.extension_id = worker.url.split("/")[2]

    def ext_url(self, path: str) -> str:
        return f"chrome-extension://{self.extension_id}/{path}"

    def configure(self, **values) -> None:
        """Writes settings (token, port, ...) into the extension's storage, as the options page does."""
        self.worker.evaluate("(values) => chrome.storage.local.set(values)", values)

    def status(self) -> dict:
        return self.worker.evaluate("() => a11yHelper.handle({type: 'get-status', check: true}, {})")

    def command(self, via: str = "command", **extra) -> bool:
        """What the browser does on the shortcut (or the context menu): the same entry point."""
        return self.worker.evaluate(
            """async ([via, extra]) => {
                const [tab] = await chrome.tabs.query({active: true, lastFocusedWindow: true});
                return a11yHelper.readTarget(tab, via, extra);
            }""",
            [via, extra],
        )


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as p:
        yield p


def _launch(playwright, contexts: list, scale: int = 1) -> Browser:
    profile = tempfile.mkdtemp(prefix="a11y-helper-profile-")
    # A real high-density screen, not Playwright's emulation (which leaves the tab's captures
    # at CSS-pixel size): the browser itself renders at `scale` device pixels per CSS pixel.
    screen = (
        {"viewport": {"width": 1000, "height": 700}}
        if scale == 1
        else {
            "no_viewport": True,
            "args_extra": [f"--force-device-scale-factor={scale}", "--window-size=1000,700"],
        }
    )
    context = playwright.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        **{k: v for k, v in screen.items() if k != "args_extra"},
        args=[
            *CHROMIUM_FLAGS,
            *screen.get("args_extra", []),
            f"--disable-extensions-except={EXTENSION}",
            f"--load-extension={EXTENSION}",
        ],
    )
    contexts.append((context, profile))
    worker = (
        context.service_workers[0]
        if context.service_workers
        else context.wait_for_event("serviceworker", timeout=15_000)
    )
    return Browser(context, worker)


def _close(contexts: list) -> None:
    for context, profile in contexts:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def launch_browser(playwright_instance):
    """Starts Chromium with the extension; each call gets a fresh profile (`scale`: the
    device pixel ratio)."""
    contexts: list = []
    yield lambda scale=1: _launch(playwright_instance, contexts, scale)
    _close(contexts)


@pytest.fixture(scope="session")
def _shared_browser(playwright_instance, daemon, token):
    contexts: list = []
    browser = _launch(playwright_instance, contexts)
    browser.configure(token=token, port=daemon.port)
    yield browser
    _close(contexts)


@pytest.fixture
def paired(_shared_browser):
    """Chromium with the extension, paired with the shared daemon by a token (no UI). Shared
    by the tests that leave its settings as they found them; the pages they open are closed."""
    before = set(_shared_browser.context.pages)
    yield _shared_browser
    for page in _shared_browser.context.pages:
        if page not in before:
            page.close()


def ax_node(page, selector: str) -> dict:
    """The accessibility-tree node Chromium computed for the element at `selector`."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no element matches {selector}"
        nodes = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"]
    finally:
        cdp.detach()
    return nodes[0]


def ax_name(page, selector: str) -> str:
    node = ax_node(page, selector)
    return (node.get("name") or {}).get("value", "")
