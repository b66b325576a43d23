"""Session formats: how a session is run, as applicants meet it on the day.

* ``practice``: feedback after each answer, no clock pressure (the suggested length is a guide).
* ``panel``: a panel interview: feedback at the end, and the interviewer's follow-up is asked
  after each main answer and answered aloud (recorded, stored with its main answer).
* ``svi``: in the style of the AAMC Standardized Video Interview: 30 seconds to read the
  prompt, 3 minutes to answer, one take (no retakes), recording stops at the limit.
* ``mmi``: a multiple mini-interview station: a scenario card, about 2 minutes to read it,
  6 to 8 minutes to discuss it (the station's own time, 7 minutes by default) with a warning
  one minute before the end, then one follow-up.

Timers count from the real start of recording (the recorder reports it), not from when the
card appears; a take that reaches the limit is stopped and saved (``timed_out``), never lost.
Pure: no Streamlit, no storage. :func:`phase` is the state machine a page draws from, given
the times it has seen on its (injectable) clock.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal, Mapping

from .errors import InterviewError

FormatId = Literal["practice", "panel", "svi", "mmi"]


class UnknownFormat(InterviewError):
    """A session format that does not exist."""


@dataclass(frozen=True)
class SessionFormat:
    """One way of running a session."""

    id: str
    label: str
    description: str
    #: "practice": feedback after each answer; "interview": feedback at the end
    mode: str
    #: seconds to read the question before recording (None: no read timer)
    read_seconds: int | None = None
    #: the answer time limit in seconds (None: untimed, the suggested length is a guide)
    answer_seconds: int | None = None
    #: a station's own time is used when it lies in this range (MMI: 6 to 8 minutes)
    answer_range: tuple[int, int] | None = None
    #: warn this long before the limit
    warning_seconds: int | None = None
    #: one take only: no "record again"
    one_take: bool = False
    #: how many of the question's follow-ups are asked and answered aloud (recorded)
    recorded_follow_ups: int = 0
    #: recording starts by itself when the read time is over
    auto_start: bool = False
    #: draw from these categories only (None: the usual draw)
    categories: tuple[str, ...] | None = None
    #: questions are read aloud by default
    voice_default: bool = False

    @property
    def timed(self) -> bool:
        return self.answer_seconds is not None

    def answer_limit(self, question: Mapping[str, Any] | None = None) -> int | None:
        """The answer time limit for ``question``: the station's suggested time where it lies
        within :attr:`answer_range`, else the format's limit (None when untimed)."""
        if self.answer_seconds is None:
            return None
        suggested = (question or {}).get("suggested_seconds")
        if self.answer_range and isinstance(suggested, int):
            low, high = self.answer_range
            if low <= suggested <= high:
                return suggested
        return self.answer_seconds

    def to_dict(self) -> dict:
        return asdict(self)


FORMATS: dict[str, SessionFormat] = {
    "practice": SessionFormat(
        "practice", "Practice", "Feedback after each answer; take your time.", mode="practice"),
    "panel": SessionFormat(
        "panel", "Panel interview",
        "Questions as on the day, the interviewer's follow-up answered aloud, feedback at the end.",
        mode="interview", recorded_follow_ups=1, voice_default=True),
    "svi": SessionFormat(
        "svi", "Video interview (SVI style)",
        "30 seconds to read each prompt, 3 minutes to answer, one take: recording starts by "
        "itself and stops at the limit.",
        mode="interview", read_seconds=30, answer_seconds=180, one_take=True, auto_start=True,
        voice_default=True),
    "mmi": SessionFormat(
        "mmi", "MMI stations",
        "A scenario card, 2 minutes to read it, 6 to 8 minutes to discuss it (a warning one "
        "minute before the end), then one follow-up.",
        mode="interview", read_seconds=120, answer_seconds=420, answer_range=(360, 480),
        warning_seconds=60, one_take=True, recorded_follow_ups=1, auto_start=True,
        categories=("mmi",), voice_default=True),
}

#: the format of sessions stored before formats existed, by their mode
LEGACY = {"practice": "practice", "interview": "panel"}


def get_format(format_id: str | None) -> SessionFormat:
    """The format with this id; :class:`UnknownFormat` (naming the choices) otherwise."""
    if format_id is None:
        return FORMATS["practice"]
    try:
        return FORMATS[format_id]
    except KeyError:
        raise UnknownFormat(f"unknown session format {format_id!r}; use one of: "
                            + ", ".join(FORMATS)) from None


@dataclass(frozen=True)
class AnswerTiming:
    """How one take was timed: read time used, answer time used (from the real start of
    recording), whether it reached the limit, and the limits in force."""

    read_seconds: float | None = None
    answer_seconds: float | None = None
    timed_out: bool = False
    started_at: datetime | None = None
    read_limit: float | None = None
    answer_limit: float | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["started_at"] = self.started_at.isoformat() if self.started_at else None
        return d


def timing_from_clock(fmt: SessionFormat, question: Mapping[str, Any] | None, *,
                      shown_at: float, started_at: float | None, stopped_at: float,
                      started_at_utc: datetime | None = None) -> AnswerTiming:
    """The timing of a take measured on the page's clock (seconds): the card appeared at
    ``shown_at``, answering started at ``started_at`` (None: when the card appeared, i.e.
    no read phase) and the take arrived at ``stopped_at``. Beyond the limit the take is
    timed out and its answer time is the limit (what was said after it is still kept)."""
    start = started_at if started_at is not None else shown_at
    limit = fmt.answer_limit(question)
    used = max(0.0, stopped_at - start)
    timed_out = limit is not None and used >= limit
    return AnswerTiming(
        read_seconds=round(max(0.0, start - shown_at), 3) if fmt.read_seconds else None,
        answer_seconds=round(min(used, limit) if timed_out else used, 3),
        timed_out=timed_out, started_at=started_at_utc,
        read_limit=fmt.read_seconds, answer_limit=limit)


Phase = Literal["reading", "answering", "warning", "over"]


def phase(fmt: SessionFormat, question: Mapping[str, Any] | None, *, now: float,
          shown_at: float, started_at: float | None) -> tuple[Phase, float | None]:
    """Where a timed question stands at ``now``: ``(phase, seconds left in it)``.

    ``reading`` until the read time is over (or answering started early); then
    ``answering``, ``warning`` within the warning time of the limit, ``over`` at the limit.
    Untimed formats are always ``answering`` with None left."""
    if started_at is None:
        if fmt.read_seconds and now - shown_at < fmt.read_seconds:
            return "reading", fmt.read_seconds - (now - shown_at)
        started_at = shown_at + (fmt.read_seconds or 0)
    limit = fmt.answer_limit(question)
    if limit is None:
        return "answering", None
    left = limit - (now - started_at)
    if left <= 0:
        return "over", 0.0
    if fmt.warning_seconds and limit > fmt.warning_seconds and left <= fmt.warning_seconds:
        return "warning", left
    return "answering", left


def warning_text(seconds: int) -> str:
    """"One minute left" and the like, for the warning before the limit."""
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ("One minute" if minutes == 1 else f"{minutes} minutes") + " left: start wrapping up."
    return f"{seconds} seconds left: start wrapping up."
