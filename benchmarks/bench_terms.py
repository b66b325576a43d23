"""Health-system terms with and without vocabulary biasing (the default faster-whisper backend).

    .venv/bin/python benchmarks/bench_terms.py [--no-generate] [--show]

Uses the committed recordings of sentences full of U.S. and Canadian terms
(tests/fixtures/terms_*.flac, espeak-ng en-us at 150 words/min) and, when espeak-ng is
installed, synthesises the same sentences with other voices and a slower rate into a temporary
folder. Also transcribes recordings with few or no such terms (the other speech fixtures and
some plain interview sentences) to catch terms the hint makes the model invent.

For each setting it prints:
- term recall: lexicon matches (interview.lexicon, the scorer's own matcher, counted per
  concept group) found in the transcript / found in the reference text;
- invented terms: lexicon matches in the transcript beyond those in the reference;
- word error rate (jiwer, lowercase, punctuation removed);
- median real-time factor of these short clips (the 2-minute figure is bench_transcribe.py's).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))
FIXTURES = ROOT / "tests" / "fixtures"

#: extra voices / rates synthesised at run time (the committed files are en-us at 150)
VOICES = [("en-us", 120), ("en-gb", 150), ("en-us+f3", 140)]
#: plain answers (few lexicon terms) for the invented-terms count
PLAIN = [
    ("us", "I chose this program because the teaching is strong and the team is kind."),
    ("us", "When a patient was unstable, I called my senior resident and we talked to the family."),
    ("ca", "My biggest weakness is that I sometimes take on too much work, so I now ask for help."),
    ("ca", "I enjoy working with children and I want to stay in this city with my family."),
    ("us", "Thank you for your time, I really enjoyed meeting the residents today."),
    ("ca", "In my free time I run, I cook, and I volunteer at a community kitchen."),
]
PLAIN_FIXTURES = {"answer": "answer.wav", "fillers1": "fillers1.wav", "fillers2": "fillers2.wav",
                  "short": "short_stereo_44k.wav", "clipped": "clipped.wav"}


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())


def term_counts(text: str, country: str) -> Counter:
    from interview.lexicon import load_lexicon

    return Counter(m.group for m in load_lexicon(country).find(text))


def recordings(generate: bool) -> tuple[list[tuple[Path, str, str]], list[tuple[Path, str, str]]]:
    """(term recordings, plain recordings), each as (path, country, reference text)."""
    refs = json.loads((FIXTURES / "references.json").read_text())
    terms = [(FIXTURES / f"{k}.flac", c, refs["texts"][k]) for k, c in refs["terms"].items()]
    plain = [(FIXTURES / f, "us", refs["texts"][k]) for k, f in PLAIN_FIXTURES.items()]
    if generate and shutil.which("espeak-ng"):
        from make_fixtures import TERMS

        tmp = Path(tempfile.mkdtemp(prefix="bench-terms-"))
        for voice, rate in VOICES:
            for key, (country, text, spoken) in TERMS.items():
                path = tmp / f"{key}-{voice}-{rate}.wav"
                subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(path), spoken or text], check=True)
                terms.append((path, country, text))
        for v, (voice, rate) in enumerate([("en-us", 150), *VOICES]):
            for i, (country, text) in enumerate(PLAIN):
                path = tmp / f"plain-{v}-{i}.wav"
                subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(path), text], check=True)
                plain.append((path, country, text))
    elif generate:
        print("espeak-ng not installed: only the committed fixtures are measured")
    return terms, plain


def settings() -> dict[str, object]:
    """name -> vocabulary argument (a callable of the country for per-country lists)."""
    from interview.transcribe import vocabulary_for

    return {
        "off": (),
        "default (US + Canada)": None,
        "per country": vocabulary_for,
    }


def measure(transcriber, items, vocabulary, show: bool) -> dict[str, float]:
    found = expected = invented = 0
    refs, hyps, rtfs = [], [], []
    for path, country, ref in items:
        vocab = vocabulary(country) if callable(vocabulary) else vocabulary
        started = time.perf_counter()
        t = transcriber.transcribe(path, vocabulary=vocab)
        rtfs.append((time.perf_counter() - started) / t.duration)
        want, got = term_counts(ref, country), term_counts(t.text, country)
        found += sum((want & got).values())
        expected += sum(want.values())
        invented += sum((got - want).values())
        refs.append(normalise(ref))
        hyps.append(normalise(t.text))
        if show and (want - got or got - want):
            print(f"    {path.name}: missed {dict(want - got)} invented {dict(got - want)}: {t.text}")
    import jiwer

    return {"found": found, "expected": expected, "invented": invented, "wer": jiwer.wer(refs, hyps),
            "rtf": statistics.median(rtfs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-generate", action="store_true", help="only the committed fixtures")
    parser.add_argument("--show", action="store_true", help="print every transcript that misses or invents a term")
    args = parser.parse_args()

    from interview.transcribe import get_transcriber

    terms, plain = recordings(not args.no_generate)
    transcriber = get_transcriber()
    transcriber.transcribe(terms[0][0])  # warm up
    print(f"{len(terms)} term recordings, {len(plain)} plain recordings; model {transcriber.model_name}, verbatim on")
    for name, vocabulary in settings().items():
        print(f"vocabulary {name}:")
        a = measure(transcriber, terms, vocabulary, args.show)
        b = measure(transcriber, plain, vocabulary, args.show)
        recall = a["found"] / a["expected"] if a["expected"] else 0.0
        print(f"  term recordings:  term recall {recall:6.1%} ({a['found']}/{a['expected']})  "
              f"invented {a['invented']}  WER {a['wer']:.3f}  median RTF {a['rtf']:.3f}")
        print(f"  plain recordings: invented terms {b['invented']} (reference has {b['expected']})  "
              f"WER {b['wer']:.3f}  median RTF {b['rtf']:.3f}")


if __name__ == "__main__":
    main()
