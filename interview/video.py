"""Video in: sample frames from a recording with PyAV and measure presence with the face model.

:func:`sample_frames` decodes a video file (WebM from the browser's MediaRecorder, MP4, MOV,
MKV...) with PyAV, the FFmpeg libraries already bundled for audio, and yields greyscale frames
at a fixed rate (5 per second by default) with their times; frames in between are decoded (a
codec needs them) but not converted. :func:`analyse_video` runs the face model
(:mod:`interview.face`, the optional ``video`` extra) over them and summarises presence
(:func:`interview.presence.summarise`).

Problems the user can fix raise :class:`~interview.errors.VideoError` with one line saying
what to do: not a video PyAV can read (corrupt or unsupported), no video track (an
audio-only recording), no frames, no face in any frame, the extra not installed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import VideoError
from .presence import FrameObservation, PresenceReport, summarise

#: frames analysed per second of video
DEFAULT_FPS = 5.0
#: frames are converted to greyscale at most this wide before the face model sees them
MAX_WIDTH = 960


@dataclass(frozen=True)
class VideoInfo:
    name: str
    width: int
    height: int
    #: seconds, from the container (0 when unknown)
    duration: float
    codec: str


def probe(path: str | os.PathLike) -> VideoInfo:
    """What the video track is (raises :class:`VideoError` for unreadable or audio-only files)."""
    container = _open(path)
    try:
        stream = _video_stream(container, path)
        return _info(container, stream, path)
    finally:
        container.close()


def sample_frames(path: str | os.PathLike, fps: float = DEFAULT_FPS,
                  max_width: int = MAX_WIDTH) -> Iterator[tuple[float, np.ndarray]]:
    """``(seconds, greyscale uint8 frame)`` at ``fps`` frames per second of the video.

    A file cut short (a recording interrupted mid-write) yields the frames before the damage;
    a file with no decodable frame at all raises :class:`VideoError`.
    """
    import av

    container = _open(path)
    try:
        stream = _video_stream(container, path)
        stream.thread_type = "AUTO"
        step = 1.0 / fps
        next_t = 0.0
        yielded = 0
        size = None
        try:
            for frame in container.decode(stream):
                t = frame.time
                if t is None:
                    t = next_t
                if t + 1e-6 < next_t:
                    continue
                if size is None:
                    w, h = frame.width, frame.height
                    if w > max_width:
                        w, h = max_width, max(2, round(h * max_width / w / 2) * 2)
                    size = (w, h)
                gray = frame.reformat(width=size[0], height=size[1], format="gray").to_ndarray()
                yielded += 1
                yield float(t), gray
                while next_t <= t + 1e-6:
                    next_t += step
        except av.error.FFmpegError as exc:
            if not yielded:
                raise VideoError(f"{_name(path)}: the video cannot be decoded ({_why(exc)}); "
                                 "record it again or convert it to WebM or MP4") from None
        if not yielded:
            raise VideoError(f"{_name(path)}: the video track has no frames; record it again")
    finally:
        container.close()


def analyse_video(path: str | os.PathLike, fps: float = DEFAULT_FPS, *,
                  speech: list[tuple[float, float]] | None = None,
                  require_face: bool = True, model=None) -> PresenceReport:
    """Presence figures for a video file (see :func:`interview.presence.summarise`).

    ``require_face`` raises :class:`VideoError` when no frame shows a face (the CLI's one-line
    message); the app passes False to store the empty figures with the take.
    """
    from .face import FaceModel

    model = model or FaceModel(track=True)
    info = probe(path)
    observations: list[FrameObservation] = []
    for t, gray in sample_frames(path, fps):
        observations.append(model.observe(gray, t))
    duration = info.duration if info.duration > 0 else observations[-1].t + 1.0 / fps
    if require_face and not any(o.face is not None for o in observations):
        raise VideoError(f"{info.name}: no face found in {len(observations)} frames; sit facing "
                         "the camera in good light and record again")
    return summarise(observations, sample_fps=fps, duration_s=duration, speech=speech)


def speech_regions(transcript) -> list[tuple[float, float]]:
    """Speaking time of a transcribed answer (its segments), for eye contact while speaking."""
    return [(float(s.start), float(s.end)) for s in getattr(transcript, "segments", [])
            if s.end > s.start]


def delete_videos(paths, root: str | os.PathLike) -> list[Path]:
    """Delete answer videos, each proved to lie inside ``root`` (the data folder's video
    directory) before anything is removed; a path outside it raises VideoError and nothing
    is deleted. Returns the files deleted (missing files are skipped)."""
    base = Path(root).resolve()
    resolved = []
    for p in paths:
        target = Path(p).resolve()
        if target == base or not target.is_relative_to(base):
            raise VideoError(f"refusing to delete {p}: it is not inside the video folder {base}")
        resolved.append(target)
    deleted = []
    for target in resolved:
        if target.is_file():
            target.unlink()
            deleted.append(target)
    return deleted


# ------------------------------------------------------------------ helpers


def _name(path) -> str:
    return Path(os.fspath(path)).name


def _why(exc) -> str:
    return str(getattr(exc, "strerror", None) or exc).strip().rstrip(".")


def _open(path):
    import av

    p = Path(os.fspath(path))
    if not p.is_file():
        raise VideoError(f"{p}: no such file")
    if p.stat().st_size == 0:
        raise VideoError(f"{p.name}: the file is empty; record it again")
    try:
        return av.open(str(p), "r")
    except av.error.FFmpegError as exc:
        raise VideoError(f"{p.name}: not a video file that can be read ({_why(exc)}); "
                         "use WebM or MP4") from None


def _video_stream(container, path):
    if not container.streams.video:
        container.close()
        raise VideoError(f"{_name(path)} has no video track (an audio-only recording?); "
                         "record a video answer, or analyse its audio with "
                         "`interview transcribe`")
    return container.streams.video[0]


def _info(container, stream, path) -> VideoInfo:
    duration = 0.0
    if stream.duration is not None and stream.time_base is not None:
        duration = float(stream.duration * stream.time_base)
    elif container.duration is not None:
        duration = container.duration / 1_000_000
    return VideoInfo(name=_name(path), width=stream.codec_context.width,
                     height=stream.codec_context.height, duration=duration,
                     codec=stream.codec_context.name)
