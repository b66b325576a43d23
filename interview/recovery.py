"""Recovery: find the takes a crash, a closed tab or a failing database left unfinished,
and finish them from the saved audio.

What is looked for (:func:`find_unfinished`):

- answers with status "recorded" (saved, never processed) or "transcribing" (its process
  died: no live process holds its claim), and answers that "failed" (the latest attempt
  at their question only: a failed take recorded again since is history);
- recordings on disk whose row was never committed (a crash between the audio write and
  the insert, or a database that refused the insert): their sidecar holds what the row
  needs, so they are added back as a new attempt;
- leftovers of a save that never completed (``.part`` files, a sidecar without its audio):
  takes that were never accepted; they are removed.

:func:`recover` processes each answer (transcribe, measure, score) holding its claim, so
two recoveries, or a recovery and a live app, never work on the same answer. It is
idempotent: a second run finds nothing new to do (an answer that fails again for the same
reason stays failed, with the same message). Answers a live process is working on, and
recordings that are not in this data directory (another host on a shared database), are
left alone.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from .errors import InterviewError
from .storage import AnswerBusy, AnswerRecord, Store, utcnow
from .errors import StorageError
from .storage.files import answer_rel, read_sidecar

#: a typed answer still "recorded" this long after its last change was abandoned
TYPED_GRACE = timedelta(minutes=2)

KINDS = {
    "pending": "saved but never processed",
    "stuck": "left 'transcribing' by a process that stopped",
    "failed": "failed",
    "orphan": "recording saved without its row",
    "partial": "incomplete save (never accepted)",
}


@dataclass
class RecoveryItem:
    """One thing recovery found; ``outcome`` is set by :func:`recover`: "scored",
    "failed", "removed", "busy" (a live process took it meanwhile) or "found" (dry run)."""

    kind: str
    answer_id: str
    session_id: str | None = None
    position: int | None = None
    status: str | None = None
    path: str | None = None
    outcome: str = "found"
    error: str | None = None

    @property
    def describe(self) -> str:
        where = f"session {self.session_id}" if self.session_id else ""
        if self.position:
            where += f", question {self.position}"
        return f"{KINDS.get(self.kind, self.kind)}: answer {self.answer_id} ({where})"


@dataclass
class RecoveryReport:
    items: list[RecoveryItem] = field(default_factory=list)
    #: answers a live process is working on (left alone)
    in_progress: list[str] = field(default_factory=list)
    #: recordings with neither row nor sidecar (kept, listed for a person to look at)
    unmatched: list[str] = field(default_factory=list)
    #: claim files of dead processes removed
    stale_claims: int = 0

    @property
    def unfinished(self) -> list[RecoveryItem]:
        return [i for i in self.items if i.outcome not in ("scored", "removed")]

    def to_dict(self) -> dict:
        return {"items": [asdict(i) for i in self.items], "in_progress": self.in_progress,
                "unmatched": self.unmatched, "stale_claims": self.stale_claims,
                "counts": {k: sum(i.kind == k for i in self.items) for k in KINDS}}


def _abandoned(store: Store, a: AnswerRecord) -> bool:
    """Whether a 'recorded' / 'transcribing' answer has no live process behind it."""
    if store.answer_claimed(a.id):
        return False
    if a.audio_path:  # a recording that is not here belongs to another data directory
        path = store.audio_file(a)
        return bool(path and path.is_file())
    return a.updated_at is None or utcnow() - a.updated_at > TYPED_GRACE


def find_unfinished(store: Store, *, include_failed: bool = True,
                    session_ids: Iterable[str] | None = None) -> RecoveryReport:
    """Everything :func:`recover` would work on (nothing is changed). ``session_ids``:
    only these sessions' answers and files (e.g. those the viewer may see)."""
    report = RecoveryReport()
    allowed = set(session_ids) if session_ids is not None else None
    unfinished = [a for a in store.unfinished_answers()
                  if allowed is None or a.session_id in allowed]
    latest = store.latest_attempts({a.session_id for a in unfinished if a.status == "failed"}
                                   ) if include_failed else {}
    for a in unfinished:
        if a.status == "failed":
            # a failed attempt the applicant has since recorded again is history, not work
            if include_failed and \
                    latest.get((a.session_id, a.position, a.follow_up)) == a.attempt:
                report.items.append(RecoveryItem("failed", a.id, a.session_id, a.position,
                                                 a.status, a.audio_path, error=a.error))
            continue
        if not _abandoned(store, a):
            if store.answer_claimed(a.id):
                report.in_progress.append(a.id)
            continue
        kind = "stuck" if a.status == "transcribing" else "pending"
        report.items.append(RecoveryItem(kind, a.id, a.session_id, a.position, a.status,
                                         a.audio_path))
    files = [f for f in store.audio_files() if allowed is None or f.session_id in allowed]
    by_answer: dict[str, dict[str, list]] = {}
    for f in files:
        by_answer.setdefault(f.answer_id, {}).setdefault(f.kind, []).append(f)
    known = store.existing_answer_ids(by_answer)
    follow_up_orphans: list[RecoveryItem] = []  # added back after their main answers
    for answer_id, kinds in by_answer.items():
        if answer_id in known:
            continue
        if store.answer_claimed(answer_id):
            report.in_progress.append(answer_id)
            continue
        session_id = next(iter(next(iter(kinds.values())))).session_id
        if kinds.get("audio") and kinds.get("sidecar"):
            meta = read_sidecar(kinds["sidecar"][0].path) or {}
            position = meta.get("position")
            item = RecoveryItem("orphan", answer_id, session_id,
                                position if _is_int(position) else None, None,
                                str(kinds["audio"][0].path))
            if meta.get("follow_up"):
                follow_up_orphans.append(item)
            else:
                report.items.append(item)
        elif kinds.get("audio"):
            report.unmatched.extend(str(f.path) for f in kinds["audio"])
        else:  # .part files and/or a sidecar without audio: never accepted
            for f in kinds.get("part", []) + kinds.get("sidecar", []):
                report.items.append(RecoveryItem("partial", answer_id, session_id,
                                                 path=str(f.path)))
    report.items.extend(follow_up_orphans)
    return report


def recover(store: Store, *, transcriber=None, include_failed: bool = True,
            dry_run: bool = False, on_item=None, max_seconds: float | None = None,
            verbatim: bool = True, session_ids: Iterable[str] | None = None) -> RecoveryReport:
    """Find (:func:`find_unfinished`) and finish everything left unfinished. ``on_item`` is
    called with each item once it is done (progress); ``session_ids`` as for
    :func:`find_unfinished`."""
    from .practice import process_answer

    report = find_unfinished(store, include_failed=include_failed, session_ids=session_ids)
    if dry_run:
        return report
    for item in report.items:
        try:
            if item.kind == "partial":
                try:
                    os.unlink(item.path)  # type: ignore[arg-type]
                except FileNotFoundError:
                    pass
                item.outcome = "removed"
            else:
                if item.kind == "orphan":
                    meta = _orphan_meta(store, item)
                    if meta is None:
                        item.outcome, item.error = "failed", (
                            f"its session {item.session_id} no longer exists; the recording "
                            "is kept")
                        continue
                    with store.claim_answer(item.answer_id):
                        added = store.adopt_audio(meta)
                    item.position = added.position
                done = process_answer(store, item.answer_id, transcriber=transcriber,
                                      max_seconds=max_seconds, verbatim=verbatim,
                                      unless_scored=True)
                item.outcome, item.status, item.error = done.status, done.status, done.error
        except AnswerBusy:
            item.outcome = "busy"
        except (InterviewError, OSError) as exc:
            item.outcome, item.error = "failed", str(exc)
        finally:
            if on_item is not None:
                on_item(item)
    if session_ids is None:  # claim files carry no session: only a full recovery sweeps
        report.stale_claims = store.sweep_claims()
    return report


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


_OPTIONAL_TEXT = ("question_id", "category", "kind", "look_for", "text", "source")


def _orphan_meta(store: Store, item: RecoveryItem) -> dict | None:
    """The row fields of an orphan recording, from its sidecar, checked: the sidecar is
    data on disk (it may come from an imported archive), so nothing in it is trusted. The
    audio path is rebuilt from the scanned file itself. None if its session is gone;
    StorageError (one line) if the sidecar is not a valid one."""
    folder = store.root / "audio" / (item.session_id or "")
    meta = read_sidecar(folder / f"{item.answer_id}.json")
    if not isinstance(meta, dict) or meta.get("session_id") != item.session_id:
        return None
    if not store.existing_session_ids([item.session_id]):  # type: ignore[list-item]
        return None
    bad = f"the sidecar of answer {item.answer_id} is not valid"
    rel = answer_rel(store.root, item.session_id or "", item.answer_id, item.path or "")
    if rel is None:
        raise StorageError(f"{bad}: its recording is not in its session's audio folder")
    position, follow_up = meta.get("position"), meta.get("follow_up") or 0
    if not _is_int(position) or position < 1 or not _is_int(follow_up) or follow_up < 0:
        raise StorageError(f"{bad}: position/follow_up must be whole numbers")
    if not isinstance(meta.get("question_text") or "", str) or any(
            meta.get(k) is not None and not isinstance(meta.get(k), str) for k in _OPTIONAL_TEXT):
        raise StorageError(f"{bad}: a text field is not text")
    seconds = meta.get("suggested_seconds")
    if seconds is not None and (not _is_int(seconds) or seconds < 0):
        raise StorageError(f"{bad}: suggested_seconds must be a whole number")
    ups = meta.get("follow_ups") or []
    if not isinstance(ups, list) or not all(isinstance(u, str) for u in ups):
        raise StorageError(f"{bad}: follow_ups must be a list of text")
    created = meta.get("created_at")
    try:
        if not isinstance(created, str):
            raise ValueError
        datetime.fromisoformat(created)
    except ValueError:
        raise StorageError(f"{bad}: created_at is not a date and time") from None
    timing = meta.get("timing")
    if timing is not None and not isinstance(timing, dict):
        raise StorageError(f"{bad}: timing is not a mapping")
    started = (timing or {}).get("started_at")
    try:
        if started is not None:
            datetime.fromisoformat(started)
    except (TypeError, ValueError):
        raise StorageError(f"{bad}: timing started_at is not a date and time") from None
    parent = meta.get("parent_answer_id")
    if parent is not None:  # only an answer of the same session
        try:
            same = isinstance(parent, str) and \
                store.get_answer(parent).session_id == item.session_id
        except StorageError:
            same = False
        if not same:
            parent = None
    return dict(meta, answer_id=item.answer_id, session_id=item.session_id, audio_path=rel,
                follow_up=follow_up, parent_answer_id=parent)
