"""The "sound card" of the test speech-dispatcher: a generic output module runs this per
utterance as ``python speechd_sink.py OUTDIR LANGUAGE RATE`` with the text on stdin.

It keeps what speech-dispatcher handed over (``NNNN-LANG.txt``), synthesises it with
espeak-ng, and writes the audio to ``NNNN-LANG.wav`` no faster than a sound card would play
it, so that when speech-dispatcher cancels the utterance (it kills this process group) the
file holds what a listener would have heard. The WAV header is rewritten after every chunk,
so the file is valid wherever it is cut.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time
import wave


def main() -> None:
    outdir, language, rate = sys.argv[1], sys.argv[2], sys.argv[3]
    text = sys.stdin.buffer.read()
    number = len(glob.glob(os.path.join(outdir, "*.txt")))
    stem = os.path.join(outdir, f"{number:04d}-{language}")
    with open(stem + ".txt", "wb") as kept:
        kept.write(text)
    espeak = subprocess.Popen(
        ["espeak-ng", "-v", language, "-s", rate, "--stdin", "--stdout"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert espeak.stdin is not None and espeak.stdout is not None
    espeak.stdin.write(text)
    espeak.stdin.close()
    header = espeak.stdout.read(44)
    sample_rate = int.from_bytes(header[24:28], "little") if len(header) == 44 else 22050
    with wave.open(stem + ".wav", "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(b"")  # the header now, not at the first chunk: espeak-ng can be slow to start
        start, written = time.monotonic(), 0
        while chunk := espeak.stdout.read(2048):
            out.writeframes(chunk)  # patches the header: valid if we are killed now
            written += len(chunk) // 2
            ahead = start + written / sample_rate - 0.1 - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
    espeak.wait()


if __name__ == "__main__":
    main()
