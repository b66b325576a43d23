"""Typed transcription results, shared by every backend, the metrics and storage.

Modelled on faster-whisper's ``Segment`` and ``Word``: small records, serialisable to JSON
(``to_dict`` / ``from_dict``) so they can be stored and printed by the CLI.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Word:
    word: str
    start: float
    end: float
    probability: float = 1.0


@dataclass
class Segment:
    id: int
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


@dataclass
class Transcript:
    """A transcribed answer. ``duration`` is the audio's length in seconds."""

    text: str
    segments: list[Segment] = field(default_factory=list)
    language: str = "en"
    duration: float = 0.0
    backend: str = ""
    model: str = ""
    #: seconds spent transcribing (wall clock), for the real-time factor
    elapsed: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def real_time_factor(self) -> float:
        return self.elapsed / self.duration if self.duration else 0.0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["words"] = [asdict(w) for w in self.words]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Transcript":
        segments = [
            Segment(
                id=s["id"], start=s["start"], end=s["end"], text=s["text"],
                words=[Word(**w) for w in s.get("words", [])],
            )
            for s in d.get("segments", [])
        ]
        return cls(
            text=d.get("text", ""), segments=segments, language=d.get("language", "en"),
            duration=d.get("duration", 0.0), backend=d.get("backend", ""), model=d.get("model", ""),
            elapsed=d.get("elapsed", 0.0), warnings=list(d.get("warnings", [])),
        )
