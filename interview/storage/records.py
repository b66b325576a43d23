"""The records every Store method returns: plain, frozen dataclasses, never live ORM
objects, so the UI can cache them and pass them between threads."""

from __future__ import annotations

import statistics
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from typing import Any, Literal

from ..errors import StorageError
from ..profile import ProgramProfile

Mode = Literal["practice", "interview"]
MODES = ("practice", "interview")
SOURCES = ("audio", "upload", "microphone", "typed")
STATUSES = ("recorded", "transcribing", "scored", "failed")


def new_id() -> str:
    """A fresh string id (uuid4 hex, 32 characters)."""
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


class _Record:
    def to_dict(self) -> dict:
        """A JSON-ready dict (datetimes as ISO 8601 strings)."""
        return jsonable(asdict(self))  # type: ignore[arg-type]


@dataclass(frozen=True)
class ApplicantRecord(_Record):
    """An applicant: name and the contact details the email signature uses.

    ``email`` is the applicant's own login email and ``coach_email`` their coach's, which
    the access rule (interview.access) uses on a shared server."""

    id: str
    name: str
    email: str | None = None
    phone: str | None = None
    aamc_id: str | None = None
    carms_id: str | None = None
    coach_email: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class ProfileRecord(_Record):
    """A saved program profile (``to_profile()`` gives the validated ProgramProfile)."""

    id: str
    applicant_id: str | None
    name: str
    country: str
    region: str | None = None
    city: str | None = None
    specialty: str | None = None
    mission: str = ""
    features: list[str] = field(default_factory=list)
    created_at: datetime | None = None

    def to_profile(self) -> ProgramProfile:
        return ProgramProfile(
            name=self.name, country=self.country, region=self.region, city=self.city,
            specialty=self.specialty, mission=self.mission or "", features=list(self.features),
        )


@dataclass(frozen=True)
class CommentRecord(_Record):
    """A coach's comment on one answer (``answer_id``) or the whole session (None)."""

    id: str
    session_id: str
    answer_id: str | None
    author: str
    body: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class OverrideRecord(_Record):
    """A coach's override of one criterion's score. ``auto_score`` is the automatic score
    at the time of the override; ``score`` None means "back to the automatic score"."""

    id: str
    answer_id: str
    criterion_id: str
    auto_score: float | None
    score: float | None
    reason: str
    author: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class AnswerRecord(_Record):
    """One attempt at one question of a session.

    ``transcript`` is ``Transcript.to_dict()``, ``metrics`` ``DeliveryMetrics.to_dict()``,
    ``scores`` ``AnswerScore.to_dict()`` (with ``criteria``: list of dicts with ``id``,
    ``score``...), ``overall`` the automatic overall score. ``comments`` and ``overrides``
    (oldest first) are filled by ``get_session`` / ``get_answer``."""

    id: str
    session_id: str
    position: int
    attempt: int
    question_id: str | None
    question_text: str
    category: str | None = None
    kind: str | None = None
    suggested_seconds: int | None = None
    follow_ups: list[str] = field(default_factory=list)
    look_for: str | None = None
    source: str = "typed"
    audio_path: str | None = None
    text: str | None = None
    transcript: dict | None = None
    metrics: dict | None = None
    scores: dict | None = None
    overall: float | None = None
    status: str = "recorded"
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    comments: list[CommentRecord] = field(default_factory=list)
    overrides: list[OverrideRecord] = field(default_factory=list)
    #: the main answer this follow-up answers (None for a main answer)
    parent_answer_id: str | None = None
    #: 0 for a main answer, 1.. for the interviewer's follow-ups
    follow_up: int = 0
    #: timing of the take (counted from the real start of recording), see interview.formats
    read_seconds: float | None = None
    answer_seconds: float | None = None
    read_limit: float | None = None
    answer_limit: float | None = None
    timed_out: bool = False
    recording_started_at: datetime | None = None
    #: the answers to this answer's follow-ups (latest attempt each, by follow-up number)
    follow_up_answers: list["AnswerRecord"] = field(default_factory=list)

    @property
    def criteria(self) -> list[dict]:
        """The automatic criterion results (dicts), empty before scoring."""
        return list((self.scores or {}).get("criteria") or [])

    def auto_score(self, criterion_id: str) -> float | None:
        for c in self.criteria:
            if c.get("id") == criterion_id:
                return c.get("score")
        return None

    def override(self, criterion_id: str) -> OverrideRecord | None:
        """The latest override of that criterion (None if never overridden or reverted)."""
        latest = None
        for o in self.overrides:
            if o.criterion_id == criterion_id:
                latest = o
        return latest if latest is not None and latest.score is not None else None

    @property
    def final_scores(self) -> dict[str, float]:
        """criterion id -> score, the coach's override where there is one."""
        out: dict[str, float] = {}
        for c in self.criteria:
            o = self.override(c["id"])
            out[c["id"]] = o.score if o is not None else c.get("score")
        return out

    @property
    def final_overall(self) -> float | None:
        """The automatic overall, or, once a coach overrides a criterion, the mean of the
        final criterion scores."""
        if self.overall is None:
            return None
        if not any(self.override(c["id"]) for c in self.criteria):
            return self.overall
        vals = [v for v in self.final_scores.values() if v is not None]
        return round(statistics.fmean(vals), 2) if vals else self.overall

    @property
    def display_text(self) -> str:
        """What the applicant said: the typed text or the transcript's text."""
        if self.text:
            return self.text
        return (self.transcript or {}).get("text", "") or ""


@dataclass(frozen=True)
class EmailDraftRecord(_Record):
    """A saved thank-you email draft, one per interviewer."""

    id: str
    session_id: str | None
    interviewer_name: str
    interviewer_title: str | None = None
    interviewer_role: str | None = None
    interviewer_email: str | None = None
    detail: str | None = None
    tone: str | None = None
    subject: str = ""
    body: str = ""
    send_by: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    #: login email of whoever saved it (None: saved locally or before logins existed)
    owner_email: str | None = None


@dataclass(frozen=True)
class SessionRecord(_Record):
    """A practice or interview session.

    ``questions`` are the drawn questions as asked (dicts with ``id``, ``text``,
    ``category``, ``kind``, ``suggested_seconds``, ``follow_ups``, ``look_for``).
    ``answers`` holds the latest attempt per position (by position); ``attempts`` maps a
    position to all its attempts (oldest first); ``comments`` every comment of the session.
    ``list_sessions`` fills ``answers`` too (not ``attempts``)."""

    id: str
    applicant_id: str | None
    profile_id: str | None
    mode: str
    seed: int | None
    question_ids: list[str]
    questions: list[dict]
    created_at: datetime | None = None
    finished_at: datetime | None = None
    #: practice | panel | svi | mmi (None for sessions stored before formats: see format_id)
    format: str | None = None
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    applicant: ApplicantRecord | None = None
    profile: ProfileRecord | None = None
    answers: list[AnswerRecord] = field(default_factory=list)
    attempts: dict[int, list[AnswerRecord]] = field(default_factory=dict)
    comments: list[CommentRecord] = field(default_factory=list)

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None

    @property
    def overall(self) -> float | None:
        """Mean final overall score of the latest scored attempts (None if none scored)."""
        vals = [a.final_overall for a in self.answers if a.final_overall is not None]
        return round(statistics.fmean(vals), 2) if vals else None

    @property
    def format_id(self) -> str:
        """The session's format; older sessions get the one their mode stood for."""
        if self.format:
            return self.format
        return "panel" if self.mode == "interview" else "practice"

    @property
    def applicant_name(self) -> str:
        return self.applicant.name if self.applicant else ""

    @property
    def program_name(self) -> str:
        return self.profile.name if self.profile else ""

    def answer_at(self, position: int) -> AnswerRecord | None:
        """The latest attempt at ``position`` (1-based), or None."""
        for a in self.answers:
            if a.position == position:
                return a
        return None


#: the session formats a session may be stored with (see interview.formats)
FORMAT_IDS = ("practice", "panel", "svi", "mmi")

_TIMING_FIELDS = ("read_seconds", "answer_seconds", "read_limit", "answer_limit", "timed_out")


def timing_columns(timing: Any) -> dict:
    """The answer columns for a take's timing (an AnswerTiming, its dict, or None)."""
    if timing is None:
        return {}
    d = timing if isinstance(timing, dict) else (
        timing.to_dict() if hasattr(timing, "to_dict") else None)
    if d is None:
        raise StorageError(f"not a timing: {timing!r}")
    out: dict[str, Any] = {}
    for k in _TIMING_FIELDS:
        v = d.get(k)
        if k == "timed_out":
            out[k] = bool(v)
        elif v is not None:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise StorageError(f"timing {k} must be a number of seconds, got {v!r}")
            out[k] = float(v)
    started = d.get("started_at")
    out["recording_started_at"] = parse_dt(started) if isinstance(started, str) else started
    return out


def copy_record(cls, row, **extra):
    names = {f.name for f in fields(cls)}
    values = {n: getattr(row, n) for n in names if hasattr(row, n) and n not in extra}
    values.update(extra)
    # copy JSON containers so records never share mutable state with the ORM
    for k, v in list(values.items()):
        if isinstance(v, (list, dict)):
            values[k] = _deepcopy_json(v)
    return cls(**values)


def _deepcopy_json(v):
    if isinstance(v, dict):
        return {k: _deepcopy_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_deepcopy_json(x) for x in v]
    return v


def as_json(value: Any) -> Any:
    """Accept a record with ``to_dict()`` (Transcript, DeliveryMetrics, AnswerScore) or a dict."""
    if value is None:
        return None
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def parse_dt(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


_AUDIO_MAGIC = [
    (b"RIFF", ".wav"), (b"OggS", ".ogg"), (b"fLaC", ".flac"), (b"ID3", ".mp3"),
    (b"\xff\xfb", ".mp3"), (b"\xff\xf3", ".mp3"), (b"\x1a\x45\xdf\xa3", ".webm"),
]
