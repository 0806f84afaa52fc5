"""`a11y-helper ocr` on PDFs and multi-page TIFFs as a user runs it: real processes, real files."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from tests.conftest import assert_reads, encode, render
from tests.pdfmaker import build_pdf, scanned_page, text_page
from tests.test_cli import run

SCAN = ["Meter reading form", "Gas meter 04711 read today"]


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    mixed = folder / "mixed.pdf"
    mixed.write_bytes(
        build_pdf(
            [text_page(["Rent increase notice"]), scanned_page(render(SCAN, size=40)), text_page(["Yours"])]
        )
    )
    locked = folder / "locked.pdf"
    locked.write_bytes(build_pdf([text_page(["Bank statement for May"])], user_password="tulip"))
    broken = folder / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    fax = folder / "fax.tif"
    pages = [render([f"Fax page {n} of two"]) for n in (1, 2)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    fax.write_bytes(buffer.getvalue())
    photo = folder / "photo.png"
    photo.write_bytes(encode(render(["Platform 4 closed"])))
    return {"mixed": mixed, "locked": locked, "broken": broken, "fax": fax, "photo": photo, "folder": folder}


def test_text_pages_with_form_feeds_and_markers_and_progress(docs):
    done = run("ocr", str(docs["mixed"]))
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    chunks = out.split("\f")
    assert len(chunks) == 3
    assert chunks[0] == "--- page 1 of 3 ---\nRent increase notice\n"
    assert chunks[1].startswith("--- page 2 of 3 ---\n")
    assert_reads(chunks[1], SCAN)
    assert chunks[2] == "--- page 3 of 3 ---\nYours\n"
    # stderr is a pipe here: plain progress lines, no bar
    assert done.stderr.decode().splitlines() == [
        f"a11y-helper: {docs['mixed']}: {n}/3 pages read" for n in (1, 2, 3)
    ]


def test_json_streams_one_record_per_page_then_the_document(docs):
    done = run("ocr", str(docs["mixed"]), "--format", "json", "--pages", "3,2")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [(r["kind"], r.get("page")) for r in records] == [("page", 3), ("page", 2), ("document", None)]
    third, second, whole = records
    assert third["source"] == "text-layer" and third["text"] == "Yours" and third["page_count"] == 3
    assert second["source"] == "ocr" and second["ok"] and second["schema"] == 1
    assert_reads(second["text"], SCAN)
    assert second["blocks"][0]["lines"][0]["words"][0]["box"]["height"] > 0 and second["dpi"] == 200.0
    assert whole["ok"] and whole["pages_read"] == [3, 2] and whole["text_layer_pages"] == [3]
    assert whole["alt"].startswith("3-page document. 2 of its pages read. Page 3: Yours.")


def test_alt_summary_and_password(docs):
    done = run("ocr", str(docs["locked"]), "--format", "alt", "--password", "tulip")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().strip() == "1-page document. Page 1: Bank statement for May."
    refused = run("ocr", str(docs["locked"]), "--format", "json")
    assert refused.returncode == 1
    (record,) = [json.loads(line) for line in refused.stdout.decode().splitlines()]
    assert record["ok"] is False and record["error"]["code"] == "pdf_encrypted"
    assert "error pdf_encrypted" in refused.stderr.decode()


def test_batch_with_globs_in_order_one_failure_does_not_stop_the_rest(docs):
    folder = docs["folder"]
    done = run("ocr", str(folder / "*.pdf"), str(docs["fax"]), str(docs["photo"]), "--format", "json")
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stdout.decode().splitlines()]
    paths = [r["path"] for r in records]
    # the glob expands in sorted order: broken, locked, mixed
    order = ["broken.pdf", "locked.pdf"] + ["mixed.pdf"] * 4 + ["fax.tif"] * 3 + ["photo.png"]
    assert [p.rsplit("/", 1)[-1] for p in paths] == order
    assert records[0]["error"]["code"] == "decode_failed"
    assert records[1]["error"]["code"] == "pdf_encrypted"
    assert [r["ok"] for r in records[2:]] == [True] * 8
    assert_reads(records[7]["text"], ["Fax page 2 of two"])
    assert_reads(records[-1]["text"], ["Platform 4 closed"])
    assert "kind" not in records[-1]  # a single image's record is unchanged


def test_first_page_arrives_while_the_rest_is_read(tmp_path):
    long_scan = tmp_path / "long.pdf"
    long_scan.write_bytes(
        build_pdf([scanned_page(render([f"Scanned page number {n}"] * 3, size=30)) for n in range(5)])
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "helper", "ocr", str(long_scan), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        first = json.loads(process.stdout.readline())
        still_running = process.poll() is None
        rest = process.stdout.read().decode().splitlines()
    finally:
        process.wait(timeout=120)
    assert first["page"] == 1 and first["ok"]
    assert still_running  # four pages were still being read when page 1 was printed
    assert len(rest) == 5 and json.loads(rest[-1])["kind"] == "document"


def test_bad_page_ranges(docs):
    assert run("ocr", str(docs["mixed"]), "--pages", "2-1").returncode == 2
    done = run("ocr", str(docs["mixed"]), "--pages", "4", "--format", "json")
    assert done.returncode == 1
    assert json.loads(done.stdout.decode())["error"]["code"] == "bad_page_range"


def test_progress_bar_on_a_terminal():
    from helper.reading import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    progress = Progress(screen)
    for done in (1, 2):
        progress.update("scan.pdf", done, 4)
    progress.clear()  # before a page's text goes to the same terminal
    progress.update("scan.pdf", 4, 4)
    progress.clear()  # nothing left to wipe after the last page
    progress.update("photo.png", 1, 1)  # single pages show nothing
    wipe = "\r" + " " * len("scan.pdf: [############------------] 2/4 pages") + "\r"
    assert screen.getvalue() == (
        "\rscan.pdf: [######------------------] 1/4 pages"
        "\rscan.pdf: [############------------] 2/4 pages"
        + wipe
        + "\rscan.pdf: [########################] 4/4 pages\n"
    )


def test_running_header_and_footer_apart_in_text_said_once_in_alt(tmp_path):
    from tests.documents.test_running import BODY_TEXT, HEADER_TEXT, typed_pages

    letter = tmp_path / "letter.pdf"
    letter.write_bytes(typed_pages())
    done = run("ocr", str(letter))
    assert done.returncode == 0, done.stderr
    pages = done.stdout.decode().rstrip("\n").split("\f")
    for n, (chunk, body) in enumerate(zip(pages, BODY_TEXT, strict=True), start=1):
        marker, text = chunk.rstrip("\n").split("\n", 1)
        parts = text.split("\n\n")
        # Streaming: page 1's header is not known to repeat yet; its page number is a footer.
        head = [] if n == 1 else [f"Header: {HEADER_TEXT}"]
        first = [HEADER_TEXT] if n == 1 else []
        assert parts == head + first + ["\n".join(body), f"Footer: Page {n} of 3"], marker
    alt = run("ocr", str(letter), "--format", "alt").stdout.decode().strip()
    assert alt.count(HEADER_TEXT) == 1 and "Page 2 of 3" not in alt
    assert alt.startswith(f"3-page document. Running header: {HEADER_TEXT}. Page 1: Your rent")
    records = [json.loads(line) for line in run("ocr", str(letter), "--format", "json").stdout.splitlines()]
    assert [b["role"] for b in records[1]["blocks"]] == ["header", "body", "footer"]
    assert records[1]["alt"] == "Image text: The garden gate has been mended and the bins move to Tuesdays."
    assert records[-1]["alt"] == alt


def test_a_pdf_on_disk_is_opened_by_path_and_stdin_still_works(tmp_path, monkeypatch, engine):
    """pdfium gets the path (it reads the file lazily; memory does not grow with its size);
    standard input has no path and is given as bytes."""
    from helper.cli import _read
    from helper.documents import pdf
    from helper.reading import Options, Output, read_one

    letter = tmp_path / "letter.pdf"
    letter.write_bytes(build_pdf([text_page(["Read from the disk"]), text_page(["Second page"])]))
    opened = []
    real = pdf.pdfium.PdfDocument
    monkeypatch.setattr(pdf.pdfium, "PdfDocument", lambda data, **kw: opened.append(data) or real(data, **kw))
    output = Output(collect=True)
    assert read_one(str(letter), engine, Options("text"), output, _read)
    assert [str(x) for x in opened] == [str(letter)]
    assert "Read from the disk" in output.chunks[0][1] and "Second page" in output.chunks[1][1]
    read_one("-", engine, Options("text"), output, _read, data=letter.read_bytes())
    assert isinstance(opened[1], bytes)
    done = run("ocr", "-", "--format", "text", stdin=letter.read_bytes())
    assert done.returncode == 0 and "Second page" in done.stdout.decode()
