"""The practice pipeline, shared by the app and the batch CLI.

One answer goes through: **save** (the audio file is written durably to the data
directory and the answer row committed, before any other work: :func:`save_answer`) ->
**transcribe** (local Whisper) ->
**measure** (delivery metrics) -> **score** (rubric criteria with evidence and tips) ->
**store**. Per-call options (``max_seconds``: the longest recording accepted; ``verbatim``:
keep filler words) are arguments, never process-wide state, so that users sharing one
server each get their own settings. Any failure after the save leaves the answer with status ``failed`` and a
message saying what went wrong; the recording stays on disk and :func:`retry_answer` runs
the pipeline again from it. A typed answer skips transcription. While an answer is saved or
processed, this process holds its claim (``Store.claim_answer``), so that
:mod:`interview.recovery` can tell it from one a dead process left behind; if even the
failure cannot be written (the database is gone), the claim is released and
``interview recover`` finishes the answer later: nothing stays "transcribing" for ever.

:func:`start_session` draws the questions for a program (avoiding those the applicant
practised recently) and stores them with the session, so that a closed tab or a crash can
resume the session with the very same questions.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

from . import paths
from .errors import InterviewError, StorageError, TranscriptionError
from .profile import ProgramProfile
from .storage import (
    AnswerRecord,
    ApplicantRecord,
    DatabaseError,
    ProfileRecord,
    SessionRecord,
    Store,
    new_id,
    utcnow,
)
from .retention import StoredVideo, VideoRetention, videos_to_delete
from .transcript import Segment, Transcript

#: how many recently answered questions :func:`start_session` tries to avoid
RECENT_LIMIT = 30

SegmentCallback = Callable[[Segment], Any]


def question_record(drawn: Any) -> dict:
    """The question as asked, as stored with the session and each answer: ``id``, ``text``,
    ``category``, ``kind``, ``suggested_seconds``, ``follow_ups``, ``follow_up_triggers``
    (aligned with ``follow_ups``: see :func:`interview.followups.choose_follow_up`),
    ``look_for``.

    ``drawn`` is a :class:`interview.draw.DrawnQuestion` or such a dict already."""
    if isinstance(drawn, Mapping):
        d = dict(drawn)
    elif hasattr(drawn, "to_dict"):
        d = drawn.to_dict()
    else:
        raise StorageError(f"not a question: {drawn!r}")
    if not d.get("text"):
        raise StorageError(f"question {d.get('id')!r} has no text")
    return {
        "id": d.get("id"),
        "text": d["text"],
        "category": d.get("category"),
        "kind": d.get("kind"),
        "suggested_seconds": d.get("suggested_seconds"),
        "follow_ups": list(d.get("follow_ups") or []),
        "follow_up_triggers": list(d.get("follow_up_triggers") or []),
        "look_for": d.get("look_for"),
    }


def _profile_record(store: Store, profile: ProgramProfile | ProfileRecord | str,
                    applicant_id: str | None) -> ProfileRecord:
    if isinstance(profile, ProfileRecord):
        return profile
    if isinstance(profile, str):
        return store.get_profile(profile)
    return store.find_or_add_profile(profile, applicant_id=applicant_id)


def start_session(store: Store, applicant: ApplicantRecord | str | None,
                  profile: ProgramProfile | ProfileRecord | str, count: int = 5,
                  seed: int | None = None, mode: str | None = None, *,
                  question_ids: Iterable[str] | None = None, bank=None,
                  avoid_recent: bool = True, format: str | None = None) -> SessionRecord:
    """Draw ``count`` questions for ``profile`` and store a new session with them.

    ``applicant``: a record, an applicant id, or None. ``profile``: a ProgramProfile (saved,
    or reused if identical), a ProfileRecord, or a profile id. ``question_ids``: ask exactly
    these questions (in this order) instead of drawing. A ``seed`` of None picks one at
    random and stores it, so the draw can be reproduced. Questions the applicant answered
    recently are avoided while the bank has others. ``format``: the session format
    (:mod:`interview.formats`: practice, panel, svi, mmi); it sets the mode (feedback after
    each answer or at the end) and, for MMI, draws stations only. Without a format,
    ``mode`` "interview" is a panel interview."""
    from .bank import load_bank
    from .draw import draw, render
    from .formats import LEGACY, get_format

    if format is None:
        format = LEGACY.get(mode or "practice")
        if format is None:
            raise StorageError(f"unknown mode {mode!r}: use 'practice' or 'interview'")
    fmt = get_format(format)

    applicant_id = applicant.id if isinstance(applicant, ApplicantRecord) else applicant
    if applicant_id is not None:
        store.get_applicant(applicant_id)  # NotFound early
    prof = _profile_record(store, profile, applicant_id)
    program = prof.to_profile()
    bank = bank or load_bank()
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    if question_ids is not None:
        drawn = [render(bank.get(qid), program) for qid in question_ids]
        if not drawn:
            raise StorageError("no question ids given")
    else:
        if count < 1:
            raise StorageError(f"a session needs at least one question, got {count}")
        exclude = store.recent_question_ids(applicant_id, RECENT_LIMIT) if avoid_recent else []
        drawn = draw(program, count=count, seed=seed, bank=bank, exclude_ids=exclude,
                     categories=fmt.categories)
    session = store.create_session(applicant_id, prof.id, mode=fmt.mode, seed=seed,
                                   questions=[question_record(d) for d in drawn], format=fmt.id)
    apply_video_retention(store)  # videos past their time go when a session is set up
    return session


def _error_message(exc: BaseException) -> str:
    if isinstance(exc, InterviewError):
        return str(exc)
    return f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__


def _bank_question(question_id: str | None):
    """The bank's Question for scoring (None if the bank no longer has it)."""
    if not question_id:
        return None
    try:
        from .bank import load_bank

        return load_bank().get(question_id)
    except InterviewError:
        return None


def _question(store: Store, session_id: str, position: int, drawn_question: Any, *, audio,
              text) -> dict:
    if drawn_question is None:
        session = store.get_session(session_id)
        if not 1 <= position <= len(session.questions):
            raise StorageError(f"session {session_id} has no question {position} "
                               f"(it has {len(session.questions)})")
        drawn_question = session.questions[position - 1]
    q = question_record(drawn_question)
    if text is not None and audio is None and not text.strip():
        raise StorageError("the typed answer is empty; type your answer or record it")
    return q


def save_answer(store: Store, session_id: str, position: int, drawn_question: Any = None, *,
                audio: bytes | str | os.PathLike | None = None, filename: str | None = None,
                text: str | None = None, source: str | None = None,
                id: str | None = None, timing=None, claimed: bool = False) -> AnswerRecord:
    """Save one answer (a new attempt at ``position``) and nothing else: the recording is
    on disk (fsync'd, atomic rename) and the row committed with status "recorded" when this
    returns. Arguments as for :func:`submit_answer`; then call :func:`process_answer`.
    ``claimed``: the caller already holds the claim on ``id`` (a streamed take,
    :mod:`interview.live`)."""
    q = _question(store, session_id, position, drawn_question, audio=audio, text=text)
    answer_id = id or new_id()
    with nullcontext() if claimed else store.claim_answer(answer_id):
        return _save(store, session_id, position, q, audio=audio, filename=filename,
                     text=text, source=source, id=answer_id, timing=timing)


def _save(store: Store, session_id: str, position: int, q: dict, *, audio, filename, text,
          source, id: str, timing=None) -> AnswerRecord:
    return store.add_answer(
        session_id, position, question_id=q["id"], question_text=q["text"],
        category=q["category"], kind=q["kind"], suggested_seconds=q["suggested_seconds"],
        follow_ups=q["follow_ups"], look_for=q["look_for"], source=source,
        audio=audio, filename=filename, text=None if audio is not None else text, id=id,
        timing=timing,
    )


def submit_answer(store: Store, session_id: str, position: int, drawn_question: Any = None, *,
                  audio: bytes | str | os.PathLike | None = None, filename: str | None = None,
                  text: str | None = None, source: str | None = None, transcriber=None,
                  on_segment: SegmentCallback | None = None, max_seconds: float | None = None,
                  verbatim: bool = True, timing=None) -> AnswerRecord:
    """Save one answer (a new attempt at ``position``), then transcribe, measure and score it.

    ``drawn_question``: a DrawnQuestion or a question dict (see :func:`question_record`);
    None takes the session's stored question at ``position``. Give ``audio`` (bytes or a
    file path; ``filename`` names the format for bytes) or typed ``text``. ``source``:
    'audio' (browser recording), 'upload', 'microphone' or 'typed' (default: 'typed' for
    text, 'upload' for audio). ``transcriber`` defaults to the cached
    ``get_transcriber()``; ``on_segment`` is called with each transcribed segment.
    ``max_seconds``: refuse a longer recording (None: :func:`interview.audio.default_max_seconds`);
    ``verbatim``: keep filler words (um, uh) in the transcript. ``timing``: an
    :class:`interview.formats.AnswerTiming` of a timed take (stored with the answer; a
    timed-out take is saved and scored like any other).

    The answer is saved (:func:`save_answer`) before anything else, and this process holds
    its claim from before the save until the end. Returns the stored answer: status
    'scored', or 'failed' with ``error`` (the audio is kept; call :func:`retry_answer`).
    Raises only if the answer cannot be saved at all, or if the database fails so badly
    that not even the failure can be written (then ``interview recover`` finishes it)."""
    question_obj = getattr(drawn_question, "question", None)
    q = _question(store, session_id, position, drawn_question, audio=audio, text=text)
    answer_id = new_id()
    with store.claim_answer(answer_id):
        answer = _save(store, session_id, position, q, audio=audio, filename=filename,
                       text=text, source=source, id=answer_id, timing=timing)
        return _process(store, answer, transcriber=transcriber, on_segment=on_segment,
                        question=question_obj, max_seconds=max_seconds, verbatim=verbatim)


def process_answer(store: Store, answer: AnswerRecord | str, transcriber=None,
                   on_segment: SegmentCallback | None = None, *,
                   max_seconds: float | None = None, verbatim: bool = True,
                   question=None, unless_scored: bool = False) -> AnswerRecord:
    """Transcribe, measure and score a saved answer (see :func:`save_answer`), holding its
    claim; raises :class:`~interview.storage.AnswerBusy` if another process is on it.
    ``unless_scored``: leave an answer that is scored by now as it is (recovery)."""
    answer_id = answer if isinstance(answer, str) else answer.id
    with store.claim_answer(answer_id):
        answer = store.get_answer(answer_id)  # as it is now, the claim held
        if unless_scored and answer.status == "scored":
            return answer
        return _process(store, answer, transcriber=transcriber, on_segment=on_segment,
                        question=question, max_seconds=max_seconds, verbatim=verbatim)


def finish_streamed(store: Store, answer_id: str, transcript: Transcript, *,
                    question=None) -> AnswerRecord:
    """Measure, score and store a streamed answer whose ``transcript`` was made while it was
    recorded (:mod:`interview.live`; the caller holds its claim). Like :func:`process_answer`
    otherwise: failures are stored, the recording is kept."""
    answer = store.get_answer(answer_id)
    return _process(store, answer, question=question, transcript=transcript)


def submit_follow_up(store: Store, parent_answer_id: str, follow_up_text: str, *,
                     follow_up: int = 1, audio: bytes | str | os.PathLike | None = None,
                     filename: str | None = None, text: str | None = None,
                     source: str | None = None, transcriber=None,
                     on_segment: SegmentCallback | None = None,
                     max_seconds: float | None = None, verbatim: bool = True,
                     timing=None) -> AnswerRecord:
    """Save the answer to the interviewer's follow-up (number ``follow_up``, from 1) as a
    child of its main answer, then transcribe, measure and score it like any answer: the
    same rubric, for the kind of question the follow-up is (inferred from its text).
    Arguments as for :func:`submit_answer`. Saved first (:func:`save_follow_up`), the claim
    held until the end; raises only if it cannot be saved at all."""
    follow_up_text = _follow_up_text(follow_up_text, audio=audio, text=text)
    answer_id = new_id()
    with store.claim_answer(answer_id):
        answer = _save_follow_up(store, parent_answer_id, follow_up_text, follow_up=follow_up,
                                 audio=audio, filename=filename, text=text, source=source,
                                 id=answer_id, timing=timing)
        return _process(store, answer, transcriber=transcriber, on_segment=on_segment,
                        question=follow_up_text, max_seconds=max_seconds, verbatim=verbatim)


def save_follow_up(store: Store, parent_answer_id: str, follow_up_text: str, *,
                   follow_up: int = 1, audio: bytes | str | os.PathLike | None = None,
                   filename: str | None = None, text: str | None = None,
                   source: str | None = None, id: str | None = None,
                   timing=None, claimed: bool = False) -> AnswerRecord:
    """Save the answer to a follow-up (a child of its main answer) and nothing else, like
    :func:`save_answer`: on disk and committed with status "recorded" when this returns.
    Arguments as for :func:`submit_follow_up`; then call :func:`process_answer` (which
    scores it against the follow-up's own text, as recovery does). ``claimed`` as for
    :func:`save_answer`."""
    follow_up_text = _follow_up_text(follow_up_text, audio=audio, text=text)
    answer_id = id or new_id()
    with nullcontext() if claimed else store.claim_answer(answer_id):
        return _save_follow_up(store, parent_answer_id, follow_up_text, follow_up=follow_up,
                               audio=audio, filename=filename, text=text, source=source,
                               id=answer_id, timing=timing)


def _follow_up_text(follow_up_text: str, *, audio, text) -> str:
    follow_up_text = (follow_up_text or "").strip()
    if not follow_up_text:
        raise StorageError("the follow-up question is empty")
    if text is not None and audio is None and not text.strip():
        raise StorageError("the typed answer is empty; type your answer or record it")
    return follow_up_text


def _save_follow_up(store: Store, parent_answer_id: str, follow_up_text: str, *,
                    follow_up: int, audio, filename, text, source, id: str,
                    timing) -> AnswerRecord:
    parent = store.get_answer(parent_answer_id)
    return store.add_answer(
        parent.session_id, parent.position, question_id=None, question_text=follow_up_text,
        category=parent.category, kind=None, suggested_seconds=None, follow_ups=[],
        look_for=None, source=source, audio=audio, filename=filename,
        text=None if audio is not None else text, parent_answer_id=parent.id,
        follow_up=follow_up, timing=timing, id=id,
    )


def _presence(path, transcript) -> dict | None:
    """Presence figures of a video answer (eye contact over speaking time, face in frame,
    look-aways, tips), or None: an audio-only take, no video extra, or a video that cannot be
    analysed. Never fails the answer: the figures are an extra."""
    try:
        from .video import analyse_video, probe, speech_regions

        probe(path)  # VideoError for an audio-only take, before the face model loads
        from .face import available

        if not available():
            return None
        report = analyse_video(path, speech=speech_regions(transcript) or None,
                               require_face=False)
    except InterviewError:
        return None
    return report.to_dict()


def retry_answer(store: Store, answer_id: str, transcriber=None,
                 on_segment: SegmentCallback | None = None, *, max_seconds: float | None = None,
                 verbatim: bool = True) -> AnswerRecord:
    """Run the pipeline again for a stored answer, from its saved audio (or typed text).
    The same answer row is updated; a fresh recording is :func:`submit_answer` instead.
    ``max_seconds`` and ``verbatim`` as for :func:`submit_answer`."""
    with store.claim_answer(answer_id):
        answer = store.get_answer(answer_id)
        if answer.audio_path:
            path = store.audio_file(answer)
            if path is None or not path.is_file():
                msg = (f"the saved recording {answer.audio_path} is missing from the data "
                       f"directory {store.root}; record the answer again")
                return store.update_answer(answer.id, status="failed", error=msg)
        return _process(store, answer, transcriber=transcriber, on_segment=on_segment,
                        max_seconds=max_seconds, verbatim=verbatim)


def _process(store: Store, answer: AnswerRecord, *, transcriber=None,
             on_segment: SegmentCallback | None = None, question=None,
             max_seconds: float | None = None, verbatim: bool = True,
             transcript: Transcript | None = None) -> AnswerRecord:
    """Transcribe (audio answers), measure, score and store; failures are stored.
    ``transcript``: made already (a streamed take), so the audio is not decoded again."""
    step = "preparing"
    #: the figures of a video the retention setting deleted (kept through a retry)
    kept_video = {k: v for k, v in (answer.metrics or {}).items() if k in VIDEO_KEPT} \
        if (answer.metrics or {}).get("video_deleted") and not answer.audio_path else {}
    try:
        if answer.audio_path:
            step = "transcription"
            if transcript is None:
                store.update_answer(answer.id, status="transcribing", error=None)
                from .audio import load_audio
                from .storage.files import seal_wav

                path = store.audio_file(answer)
                if path is not None and path.suffix == ".wav":
                    seal_wav(path)  # a streamed take cut off by a crash
                # decoded and checked here (length limit, speech) before the model is needed
                clip = load_audio(path, max_seconds=max_seconds)
                if transcriber is None:
                    from .transcribe import get_transcriber

                    transcriber = get_transcriber()
                transcript = transcriber.transcribe(clip, verbatim=verbatim,
                                                    on_segment=on_segment)
            text = transcript.text.strip()
            # keep the transcript even if a later step fails
            store.update_answer(answer.id, transcript=transcript, text=text)
            if not text:
                raise TranscriptionError(
                    "no words were recognised in the recording; check the microphone, speak "
                    "closer to it, and record again (or retry with another model)")
        else:
            text = (answer.text or "").strip()
            if not text:
                raise StorageError("the typed answer is empty")
            if kept_video and answer.transcript:  # its video is deleted: the words stay
                transcript = Transcript.from_dict(answer.transcript)

        step = "measuring delivery"
        from .metrics import compute_metrics

        metrics = compute_metrics(
            text, words=transcript.words if transcript else None,
            duration=transcript.duration if transcript else None,
            suggested_seconds=answer.suggested_seconds,
        )

        step = "scoring"
        from .scoring import score_answer

        session = store.get_session(answer.session_id)
        profile = session.profile.to_profile() if session.profile else None
        if question is None:  # the bank's question; else its text (kind inferred from it)
            question = _bank_question(answer.question_id) or answer.question_text
        score = score_answer(text, question=question, profile=profile,
                             country=profile.country if profile else None,
                             transcript=transcript, metrics=metrics)
        stored_metrics = metrics.to_dict()
        if answer.audio_path:
            presence = _presence(store.audio_file(answer), transcript)
            if presence is not None:
                stored_metrics["presence"] = presence
        stored_metrics.update(kept_video)
        done = store.update_answer(answer.id, text=text, metrics=stored_metrics, scores=score,
                                   overall=score.overall, status="scored", error=None)
    except Exception as exc:  # noqa: BLE001 - every failure is stored, the audio is kept
        msg = _error_message(exc)
        if answer.audio_path and step == "transcription":
            msg += f" (the recording is saved: {answer.audio_path}; retry it from the saved audio)"
        elif step != "transcription":
            msg = f"{step} failed: {msg}"
        return _store_failure(store, answer, msg)
    return _after_scoring(store, done)


#: pauses before each try of the failure write (the database may be briefly unavailable)
FAILURE_WRITE_DELAYS = (0.0, 0.5, 2.0)


def _store_failure(store: Store, answer: AnswerRecord, msg: str) -> AnswerRecord:
    """Record the failure, trying a few times; if the database still refuses, raise one
    clear error (the claim is then released, and ``interview recover`` finishes the
    answer): an answer never stays "transcribing" behind a live process that gave up."""
    last: Exception | None = None
    for delay in FAILURE_WRITE_DELAYS:
        if delay:
            time.sleep(delay)
        try:
            return store.update_answer(answer.id, status="failed", error=msg)
        except StorageError as exc:
            last = exc
    kept = f" (the recording is kept: {answer.audio_path})" if answer.audio_path else ""
    raise DatabaseError(f"answer {answer.id} is saved{kept} but could not be processed "
                        f"({msg}) and the database refused to record that: {last}. Run "
                        "`interview recover` once the database works") from None


# ---------------------------------------------------------------------------------------------
# Answer videos: the retention setting applied (interview.retention chooses, the store deletes)
# ---------------------------------------------------------------------------------------------

#: metrics of a video answer that outlive its video
VIDEO_KEPT = ("presence", "video_deleted", "video_deleted_at")

_LOG = logging.getLogger("interview.practice")


def video_retention() -> VideoRetention:
    """The configured rule: ``video_retention`` ("keep", "after_scoring", "days") and
    ``video_retention_days`` in the data directory's ``settings.json`` (the Settings page
    saves them). Missing or invalid: keep every video (nothing is deleted by mistake)."""
    try:
        raw = json.loads((paths.data_dir() / "settings.json").read_text(encoding="utf-8"))
        return VideoRetention(mode=raw.get("video_retention") or "keep",
                              days=raw.get("video_retention_days", 30))
    except (OSError, ValueError, TypeError, AttributeError):
        return VideoRetention()


@dataclass
class PrunedVideo:
    """One answer video the rule chose: deleted (``error`` None) or kept, with why."""

    answer_id: str
    session_id: str
    path: str
    recorded_at: str
    deleted: bool = False
    error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def prune_videos(store: Store, rule: VideoRetention | None = None, *, now: datetime | None = None,
                 dry_run: bool = False) -> list[PrunedVideo]:
    """Delete the answer videos ``rule`` (default: :func:`video_retention`) says are due,
    keeping their transcript, scores and presence figures. Only scored answers are eligible
    (their figures are stored); ``dry_run`` only lists them. An answer another process is
    working on, or a file that cannot be deleted, is reported and kept."""
    rule = rule or video_retention()
    now = now or utcnow()
    answers = {a.id: a for a in store.stored_videos() if a.status == "scored"}
    chosen = videos_to_delete(
        [StoredVideo(a.id, a.audio_path or "", a.created_at or now, True)
         for a in answers.values()], rule, now)
    out = []
    for v in chosen:
        a = answers[v.take_id]
        item = PrunedVideo(a.id, a.session_id, v.path, v.recorded_at.isoformat())
        if not dry_run:
            try:
                store.delete_video(a.id, at=now)
                item.deleted = True
            except (InterviewError, OSError) as exc:
                item.error = str(exc)
        out.append(item)
    return out


def apply_video_retention(store: Store) -> None:
    """Apply the configured rule (on app start, when a session is set up) without ever
    failing the caller: what cannot be deleted is logged and kept."""
    try:
        if video_retention().mode != "keep":
            for item in prune_videos(store):
                if item.error:
                    _LOG.warning("answer video %s kept: %s", item.path, item.error)
    except (InterviewError, OSError) as exc:
        _LOG.warning("could not apply the video retention setting: %s", exc)


def _after_scoring(store: Store, answer: AnswerRecord) -> AnswerRecord:
    """A just-scored video answer loses its video when the setting says "after scoring"."""
    if answer.status != "scored" or not (answer.metrics or {}).get("presence") \
            or not answer.audio_path:
        return answer
    try:
        if video_retention().mode == "after_scoring":
            return store.delete_video(answer.id)
    except (InterviewError, OSError) as exc:  # the video is kept; the answer stays scored
        _LOG.warning("answer video %s kept: %s", answer.audio_path, exc)
    return answer
