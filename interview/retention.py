"""Which answer videos to delete: the retention rule for video answers (pure).

Videos are large and personal. A setting decides how long they are kept, while the figures
measured from them (eye contact, face in frame, the timeline; and the transcript of their
audio) are always kept:

- ``keep``: keep every video until the applicant deletes it;
- ``after_scoring``: delete a video once its answer has been scored;
- ``days``: delete a video N days after it was recorded.

:func:`videos_to_delete` only chooses; the storage adapter deletes (each path proved to be
inside the data folder first, see :func:`interview.video.delete_videos`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

MODES = ("keep", "after_scoring", "days")


@dataclass(frozen=True)
class VideoRetention:
    mode: str = "keep"
    #: for ``days``: how many days after recording a video is deleted
    days: int = 30

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"unknown video retention {self.mode!r}; use one of {', '.join(MODES)}")
        if self.mode == "days" and not (isinstance(self.days, int) and self.days >= 1):
            raise ValueError("video retention in days needs a whole number of days, 1 or more")

    def describe(self) -> str:
        return {"keep": "Videos are kept until you delete them.",
                "after_scoring": "Each video is deleted once its answer is scored; the figures "
                                 "and transcript stay.",
                "days": f"Videos are deleted {self.days} days after recording; the figures and "
                        "transcript stay."}[self.mode]


@dataclass(frozen=True)
class StoredVideo:
    """What the rule needs to know about one stored answer video."""

    take_id: str
    path: str
    recorded_at: datetime
    scored: bool


def videos_to_delete(videos: Iterable[StoredVideo], rule: VideoRetention,
                     now: datetime) -> list[StoredVideo]:
    """The videos the rule says to delete now (oldest first)."""
    if rule.mode == "keep":
        return []
    if rule.mode == "after_scoring":
        due = [v for v in videos if v.scored]
    else:
        limit = now - timedelta(days=rule.days)
        due = [v for v in videos if v.recorded_at <= limit]
    return sorted(due, key=lambda v: v.recorded_at)
