"""Filler recall with and without verbatim mode (the default faster-whisper backend).

    .venv/bin/python benchmarks/bench_fillers.py [--no-generate]

Uses the committed recordings with known fillers (tests/fixtures/fillers*.wav) and, when
espeak-ng is installed, synthesises more (several sentences x voices) into a temporary folder.
For each mode it prints filler recall (spoken fillers the transcript kept), filler precision
(transcribed fillers that were spoken) and the word error rate of the non-filler words.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "fixtures"
FILLERS = ("um", "uh")

EXTRA_SENTENCES = [
    "Um, my name is Doctor Patel and, uh, I trained in internal medicine in Mumbai.",
    "I think, uh, the most important thing, um, is communication with the team.",
    "Uh, when the patient was, um, unstable, I called my senior resident right away.",
    "So, um, I passed Step 2 CK last year, and, uh, I completed an observership in Boston.",
    "Um, in Canada, uh, I would like to, um, work in a rural community.",
    "My biggest weakness, uh, is that I, um, sometimes take on too much work.",
]
VOICES = ["en-us", "en-gb", "en-us+f3"]


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]+", " ", text.lower()).split()


def count(text: str) -> int:
    return sum(1 for w in words(text) if w in FILLERS)


def recordings(generate: bool) -> list[tuple[Path, str]]:
    refs = json.loads((FIXTURES / "references.json").read_text())["texts"]
    found = [(FIXTURES / f"{k}.wav", refs[k]) for k in ("fillers1", "fillers2")]
    if generate and shutil.which("espeak-ng"):
        tmp = Path(tempfile.mkdtemp(prefix="bench-fillers-"))
        for v, voice in enumerate(VOICES):
            for i, sentence in enumerate(EXTRA_SENTENCES):
                path = tmp / f"extra-{v}-{i}.wav"
                subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), sentence], check=True)
                found.append((path, sentence))
    elif generate:
        print("espeak-ng not installed: only the committed fixtures are measured")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-generate", action="store_true", help="only the committed fixtures")
    args = parser.parse_args()

    import jiwer

    from interview.transcribe import get_transcriber

    items = recordings(not args.no_generate)
    transcriber = get_transcriber()
    spoken = sum(count(ref) for _, ref in items)
    print(f"{len(items)} recordings, {spoken} spoken fillers ({', '.join(FILLERS)}); model {transcriber.model_name}")
    for verbatim in (True, False):
        kept = extra = 0
        refs, hyps = [], []
        for path, ref in items:
            text = transcriber.transcribe(path, verbatim=verbatim).text
            r, h = count(ref), count(text)
            kept += min(r, h)
            extra += max(h - r, 0)
            refs.append(" ".join(w for w in words(ref) if w not in FILLERS))
            hyps.append(" ".join(w for w in words(text) if w not in FILLERS))
        found = kept + extra
        recall = kept / spoken if spoken else 0.0
        precision = kept / found if found else 1.0
        wer = jiwer.wer(refs, hyps)
        mode = "verbatim on " if verbatim else "verbatim off"
        print(f"{mode}: filler recall {recall:6.1%} ({kept}/{spoken})  precision {precision:6.1%}  "
              f"WER without fillers {wer:.3f}")


if __name__ == "__main__":
    main()
