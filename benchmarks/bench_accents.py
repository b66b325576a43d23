"""Accents (a proxy): WER of interview answers read by espeak-ng with other languages' voices.

    .venv/bin/python benchmarks/bench_accents.py [--variants]

IMGs speak English with many accents, and no accented recordings with transcripts ship in the
packages this project may use, so this benchmark builds a proxy offline: espeak-ng reads
English interview answers with the voices of other languages. What that imitates, honestly:

- voices of languages with their own script (Hindi, Tamil, Bengali, Urdu, Arabic, Persian,
  Mandarin, Cantonese, Korean, Russian...) read Latin text with English letter rules but their
  own voice, rhythm and partly their phoneme realisation: a mild accent;
- Latin-script voices (Spanish, Swahili as the nearest espeak-ng has to Yoruba/Hausa, Indonesian
  as the nearest to Tagalog, Vietnamese) read the English spelling with *their own* letter
  rules: far stronger than a real speaker's accent (a floor, not a typical case);
- espeak-ng is a formant synthesiser: every voice is more robotic than a person.

WER is after Whisper's English normaliser, per voice, for the default settings (and, with
``--variants``, beam and vocabulary variants). Skips (exit 0) with a reason when espeak-ng or
the normaliser is missing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from speech_eval import normalizer_skip_reason, wer  # noqa: E402

#: interview answers in the words IMGs use (not the calibration texts)
SENTENCES = [
    "I graduated from medical school six years ago and worked as a general physician in a busy district hospital.",
    "During my observership in Boston, I learned how the care team works together with interpreters and nurses.",
    "I passed Step 1 and Step 2 CK on my first attempt, and I am certified by the ECFMG.",
    "When a patient's family disagreed with the plan, I listened first and then explained the options in simple words.",
    "I chose family medicine because I want long relationships with patients in a rural community.",
    "My research on diabetes care taught me to ask clear questions and to check every result twice.",
    "I would like to ask how residents are supported when they start working with the electronic medical record.",
    "In Canada, I completed the MCCQE Part I and the NAC OSCE, and I applied through CaRMS.",
]

#: voice -> (label, group); group "own script" reads English letter rules, "latin" its own rules
VOICES = {
    "en-us": ("English (US), control", "control"),
    "en-gb-x-rp": ("English (UK RP), control", "control"),
    "hi": ("Hindi", "own script"),
    "ta": ("Tamil", "own script"),
    "bn": ("Bengali", "own script"),
    "ur": ("Urdu", "own script"),
    "ar": ("Arabic", "own script"),
    "fa": ("Persian", "own script"),
    "cmn": ("Mandarin", "own script"),
    "yue": ("Cantonese", "own script"),
    "ko": ("Korean", "own script"),
    "ru": ("Russian", "own script"),
    "es-419": ("Spanish (Latin America)", "latin: own letter rules"),
    "sw": ("Swahili (nearest to Yoruba/Hausa)", "latin: own letter rules"),
    "id": ("Indonesian (nearest to Tagalog)", "latin: own letter rules"),
    "vi": ("Vietnamese", "latin: own letter rules"),
}

VARIANTS = {
    "default": {},
    "beam 1": {"beam_size": 1},
    "beam 3": {"beam_size": 3},
    "beam 5": {"beam_size": 5},
    "no vocabulary hint": {"vocabulary": ()},
}


def synthesise(folder: Path) -> dict[str, list[Path]]:
    """One WAV per voice: the sentences with a short pause between them (an answer)."""
    out = {}
    text = " ".join(SENTENCES)
    for voice in VOICES:
        path = folder / f"{voice}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-g", "6", "-w", str(path), text],
                       check=True, capture_output=True)
        out[voice] = path
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", action="store_true", help="also measure beam and vocabulary variants")
    args = parser.parse_args()
    if not shutil.which("espeak-ng"):
        print("skipped: espeak-ng is not installed (apt-get install espeak-ng)")
        return
    reason = normalizer_skip_reason()
    if reason:
        print(f"skipped: {reason}")
        return
    from interview.transcribe import FasterWhisperTranscriber

    folder = Path(tempfile.mkdtemp(prefix="bench-accents-"))
    audio = synthesise(folder)
    t = FasterWhisperTranscriber()
    base = t.options
    reference = " ".join(SENTENCES)
    variants = VARIANTS if args.variants else {"default": {}}
    table: dict[str, dict[str, float]] = {}
    for name, variant in variants.items():
        t.options = replace(base, **{k: v for k, v in variant.items() if k != "vocabulary"})
        vocab = variant.get("vocabulary")
        table[name] = {}
        for voice, path in audio.items():
            text = t.transcribe(path, vocabulary=vocab).text
            table[name][voice] = wer(reference, text)
    names = list(table)
    print(f"{len(SENTENCES)} interview sentences ({len(reference.split())} words) per voice, espeak-ng -s 150; "
          f"WER after Whisper's EnglishTextNormalizer; faster-whisper {t.model_name}")
    print(f"{'voice':40s} {'group':24s} " + " ".join(f"{n[:18]:>18s}" for n in names))
    for voice, (label, group) in VOICES.items():
        print(f"{label + ' [' + voice + ']':40s} {group:24s} " + " ".join(f"{table[n][voice]:18.3f}" for n in names))
    for group in dict.fromkeys(g for _, g in VOICES.values()):
        voices = [v for v, (_, g) in VOICES.items() if g == group]
        print(f"{'mean, ' + group:65s} " + " ".join(
            f"{sum(table[n][v] for v in voices) / len(voices):18.3f}" for n in names))
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
