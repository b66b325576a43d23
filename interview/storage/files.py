"""Audio files of answers, kept in the data directory: ``audio/<session>/<answer>.<ext>``."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..errors import StorageError
from ..paths import PRIVATE_FILE_MODE, private_dir

_AUDIO_MAGIC = [
    (b"RIFF", ".wav"), (b"OggS", ".ogg"), (b"fLaC", ".flac"), (b"ID3", ".mp3"),
    (b"\xff\xfb", ".mp3"), (b"\xff\xf3", ".mp3"), (b"\x1a\x45\xdf\xa3", ".webm"),
]


def audio_ext(data: bytes | None, filename: str | None) -> str:
    """The file extension for a recording: from ``filename``, else the bytes' signature."""
    if filename:
        ext = Path(filename).suffix.lower()
        if ext and len(ext) <= 6 and ext[1:].isalnum():
            return ext
    if data:
        for magic, ext in _AUDIO_MAGIC:
            if data.startswith(magic):
                return ext
        if data[4:8] == b"ftyp":
            return ".m4a"
    return ".bin"


def save_audio(root: Path, session_id: str, answer_id: str, audio,
               filename: str | None) -> str:
    """Write ``audio`` (bytes, or a path to copy) under ``root``; returns the path relative
    to ``root`` (posix)."""
    data: bytes | None = None
    src: Path | None = None
    if isinstance(audio, (bytes, bytearray, memoryview)):
        data = bytes(audio)
    else:
        src = Path(audio)
        if not src.is_file():
            raise StorageError(f"audio file {src} does not exist; check the path")
        if src.stat().st_size == 0:
            raise StorageError(f"audio file {src} is empty (0 bytes); record it again")
        filename = filename or src.name
    if data is not None and not data:
        raise StorageError("the recording is empty (0 bytes); record again")
    head = data[:16] if data is not None else src.open("rb").read(16)  # type: ignore[union-attr]
    ext = audio_ext(head, filename)
    rel = Path("audio") / session_id / f"{answer_id}{ext}"
    dest = contained(root, rel.as_posix())
    if dest is None:
        raise StorageError(f"refusing to save a recording outside {root / 'audio'} "
                           f"(session {session_id!r}, answer {answer_id!r})")
    try:
        private_dir(root / "audio")
        private_dir(dest.parent)
        tmp = dest.with_suffix(dest.suffix + ".part")
        if data is not None:
            tmp.write_bytes(data)
        else:
            shutil.copyfile(src, tmp)  # type: ignore[arg-type]
        os.chmod(tmp, PRIVATE_FILE_MODE)  # recordings are readable by their owner only
        os.replace(tmp, dest)
    except OSError as exc:
        raise StorageError(f"could not save the recording to {dest}: {exc.strerror or exc}; "
                           "check that the data directory is writable") from None
    return rel.as_posix()


def contained(root: Path, rel: str) -> Path | None:
    """``root/rel`` if it stays strictly inside ``root/audio`` once resolved (symbolic links
    followed), else None: a path read from the database is proven before it is used."""
    audio = (Path(root) / "audio").resolve()
    dest = (Path(root) / rel).resolve()
    if dest == audio or not dest.is_relative_to(audio):
        return None
    return dest


def session_folder(root: Path, session_id: str) -> Path | None:
    """A session's audio folder, or None if ``session_id`` would lead outside ``audio/``
    (``..``, ``.``, ``/abs``...): nothing is ever deleted outside it."""
    if not session_id or "/" in session_id or "\\" in session_id:
        return None
    folder = contained(root, f"audio/{session_id}")
    return folder if folder is not None and folder.parent == (Path(root) / "audio").resolve() else None
