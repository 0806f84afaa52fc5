"""``a11y-helper serve`` as a program: start, refuse a busy port, pair at its prompt, stop on a
signal, keep nothing on disk or in its logs, and stay within bounds under load."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from helper.client import Client
from helper.server.pairing import Pairing, PairingTimeout
from helper.server.tokens import TokenStore
from tests.conftest import assert_reads, encode, render
from tests.server.conftest import Program, free_port

EXTENSION = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


def pair_token(program: Program) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "helper", "pair", "add", "--name", "tests"],
        env={**os.environ, "A11Y_HELPER_CONFIG_DIR": str(program.config_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_ready_line_and_a_second_instance_on_the_same_port(program, tmp_path):
    assert program.wait_for("ready on") == f"a11y-helper: ready on ws://127.0.0.1:{program.port}/v1"
    second = subprocess.run(
        [sys.executable, "-m", "helper", "serve", "--port", str(program.port)],
        env={**os.environ, "A11Y_HELPER_CONFIG_DIR": str(tmp_path / "other")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 4
    assert f"port {program.port} on 127.0.0.1 is already in use" in second.stderr


def test_sigterm_closes_connections_with_1001_and_exits_0(program):
    token = pair_token(program)
    with Client.connect(token, port=program.port) as client:
        client.ocr(encode(render(["Before stopping"])))
        program.process.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as closed:
            client.receive(timeout=15)
    assert closed.value.rcvd.code == 1001
    assert program.process.wait(15) == 0  # (a second signal would be a user forcing the exit)


def test_sigint_stops_it_too(program):
    program.process.send_signal(signal.SIGINT)
    assert program.process.wait(15) == 0


@contextlib.contextmanager
def _pair(port: int, name: str):
    with connect(f"ws://127.0.0.1:{port}/v1", origin=EXTENSION, proxy=None) as ws:  # type: ignore[arg-type]
        ws.send(json.dumps({"type": "pair", "name": name}))
        yield ws


def test_pairing_is_approved_at_the_daemons_prompt(program):
    with _pair(program.port, "Chromium on this laptop") as ws:
        prompt = program.wait_for("Allow")
        assert "Chromium on this laptop" in prompt and EXTENSION in prompt
        program.answer("y")
        paired = json.loads(ws.recv(timeout=10))
        assert paired["type"] == "paired" and len(paired["token"]) >= 43
        ws.send(json.dumps({"type": "hello", "version": 1, "token": paired["token"]}))
        assert json.loads(ws.recv(timeout=10))["type"] == "welcome"
    with Client.connect(paired["token"], port=program.port, origin=EXTENSION) as client:
        assert_reads(client.ocr(encode(render(["Paired and reading"])))["text"], ["Paired and reading"])
    assert "Chromium on this laptop" in TokenStore(program.config_dir).list()[0].name


def test_a_refusal_is_final(program):
    with _pair(program.port, "Unknown thing") as ws:
        program.wait_for("Allow")
        program.answer("n")
        reply = json.loads(ws.recv(timeout=10))
        assert reply["code"] == "pairing_refused"
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd.code == 1008
    prompts = sum("Allow" in line for line in program.lines)
    with _pair(program.port, "Unknown thing") as ws:
        assert json.loads(ws.recv(timeout=10))["code"] == "pairing_refused"
    assert sum("Allow" in line for line in program.lines) == prompts  # not asked again
    assert TokenStore(program.config_dir).list() == []


def test_a_pending_pairing_times_out(tmp_path):
    """The person may be away: the request fails after the timeout. The approver here is a
    person who never answers, which a test can only be by waiting."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    class Away:
        async def ask(self, name: str, origin: str | None) -> bool:
            await asyncio.sleep(3600)
            return True

    pairing = Pairing(TokenStore(tmp_path), Away(), timeout_s=0.2)
    # On a thread of its own: other tests (Playwright's sync API) may own this thread's loop.
    with ThreadPoolExecutor(1) as pool, pytest.raises(PairingTimeout):
        pool.submit(asyncio.run, pairing.request("Chromium", EXTENSION)).result(10)
    assert TokenStore(tmp_path).list() == []


def test_nothing_read_is_written_to_disk_or_logs(tmp_path):
    secret_words = ["Quillfeather", "Zebracorn", "Marmalade"]
    temp = tmp_path / "tmp"
    temp.mkdir()
    program = Program(tmp_path / "config", free_port(), extra_env={"TMPDIR": str(temp)})
    try:
        program.wait_for("ready on")
        token = pair_token(program)
        with Client.connect(token, port=program.port) as client:
            result = client.ocr(encode(render([" ".join(secret_words), "Account 4417 1234"])))
            assert_reads(result["text"], secret_words)
            with pytest.raises(Exception):  # noqa: B017 - any refusal will do; it must not log content
                client.ocr(b"\x89PNG\r\n\x1a\n" + b"Quillfeather" * 10)
    finally:
        assert program.stop() == 0
    places = [program.config_dir, temp]  # its config dir and the temp dir it was given
    needles = [w.lower().encode() for w in [*secret_words, "4417 1234"]] + [token.encode()]
    for place in places:
        for path in place.rglob("*"):
            if path.is_file():
                data = path.read_bytes().lower()
                assert not any(n in data for n in needles), f"{path} holds recognised text or a token"
    log = program.log.lower()
    assert not any(n.decode() in log for n in needles), program.log
    assert "authenticated" in log  # the log does say what happened


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_load_8_clients_200_requests_each_exactly_one_answer(tmp_path):
    """Under a 2 GiB address-space ceiling (set on the child before it starts), 8 clients keep
    16 requests each in flight: every request gets one answer, the only refusal is ``busy``,
    memory stays flat, and the daemon answers afterwards."""
    ceiling = 2 * 1024**3
    program = Program(tmp_path / "config", free_port(), address_space=ceiling)
    try:
        program.wait_for("ready on")
        token = pair_token(program)
        images = [encode(render([f"Load test image {i}", "with a second line"])) for i in range(24)]
        with Client.connect(token, port=program.port) as warm:
            for image in images[:4]:
                warm.ocr(image)
        before = _rss_mb(program.process.pid)
        answers: dict[int, list[dict]] = {}
        failures: list[BaseException] = []

        def run(client_number: int) -> None:
            try:
                got: list[dict] = []
                with Client.connect(token, port=program.port, timeout=30) as client:
                    sent = 0
                    while len(got) < 200:
                        while sent < 200 and sent - len(got) < 16:
                            image = images[(client_number * 7 + sent) % len(images)]
                            client.send_ocr(image, id=sent, priority=("visible", "background")[sent % 2])
                            sent += 1
                        got.append(client.receive(timeout=120))
                answers[client_number] = got
            except BaseException as exc:  # reported below
                failures.append(exc)

        threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        assert not failures, failures
        after = _rss_mb(program.process.pid)
        for got in answers.values():
            assert sorted(m["id"] for m in got) == list(range(200))
            assert {m.get("code") for m in got if m["type"] == "error"} <= {"busy"}
        results = sum(m["type"] == "result" for got in answers.values() for m in got)
        assert results >= 800, f"only {results} of 1600 were read"
        print(f"load: {results} results, {1600 - results} busy; RSS {before:.0f} -> {after:.0f} MB")
        assert after - before < 150, f"RSS grew from {before:.0f} to {after:.0f} MB"
        with Client.connect(token, port=program.port) as client:
            assert_reads(client.ocr(encode(render(["Still answering"])))["text"], ["Still answering"])
    finally:
        assert program.stop() == 0
