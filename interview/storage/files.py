"""Audio files of answers, kept in the data directory: ``audio/<session>/<answer>.<ext>``.

A take is written durably before its row exists: the bytes go to a ``.part`` file, are
fsync'd, and the file is renamed into place (atomic), then the folder is fsync'd. Beside it
a small sidecar ``<answer>.json`` (written the same way, first) holds what the answer row
needs, so that a take whose row was never committed (a crash, a database that refused the
insert) can be found and added back by ``interview recover``; the sidecar is removed once
the row is committed.

While an answer is being saved or processed, its process holds a claim: an OS file lock
on ``claims/<answer>.lock`` (released by the OS if the process dies), so that recovery can
tell a take in progress from one left behind by a dead process.
"""

from __future__ import annotations

import errno
import json
import os
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import StorageError
from ..paths import private_dir

_AUDIO_MAGIC = [
    (b"RIFF", ".wav"), (b"OggS", ".ogg"), (b"fLaC", ".flac"), (b"ID3", ".mp3"),
    (b"\xff\xfb", ".mp3"), (b"\xff\xf3", ".mp3"), (b"\x1a\x45\xdf\xa3", ".webm"),
]
#: the one allow-list of recording extensions: the audio and video formats the decoder
#: (interview/audio.py, via FFmpeg) reads. A take's file keeps its upload's extension only if
#: it is one of these (never ``.json``, the sidecar's); otherwise its bytes' signature decides,
#: else NEUTRAL_EXT. An imported archive's recordings must use one of these (or NEUTRAL_EXT).
RECORDING_EXTENSIONS = frozenset({
    ".wav", ".flac", ".mp3", ".m4a", ".aac", ".mp4", ".ogg", ".oga", ".opus", ".webm", ".weba",
    ".mkv", ".mov",
})
#: a recording whose format is not known from its name or bytes
NEUTRAL_EXT = ".bin"
#: an answer's file name: the answer id (uuid4 hex) and an extension
_ANSWER_FILE = re.compile(r"^([0-9a-f]{32})(\.[a-z0-9]{1,5})$")
SIDECAR = ".json"
PART = ".part"
CHUNK = 1 << 20

#: the low-level writer (``os.write``); a test injects a full disk here
_os_write = os.write


def audio_ext(data: bytes | None, filename: str | None) -> str:
    """The file extension for a recording: from ``filename``, else the bytes' signature."""
    if filename:
        ext = Path(filename).suffix.lower()
        if ext in RECORDING_EXTENSIONS:
            return ext
    if data:
        for magic, ext in _AUDIO_MAGIC:
            if data.startswith(magic):
                return ext
        if data[4:8] == b"ftyp":
            return ".m4a"
    return NEUTRAL_EXT


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows: directories cannot be opened; rename is durable enough
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_durably(dest: Path, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to ``dest``: a ``.part`` file, fsync'd, renamed into place, folder
    fsync'd. On any error the ``.part`` file is removed and ``dest`` is untouched."""
    tmp = dest.with_name(dest.name + PART)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:
                    n = _os_write(fd, view)
                    view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, dest)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise
    _fsync_dir(dest.parent)


def _file_chunks(src: Path) -> Iterator[bytes]:
    with src.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def _describe_os_error(exc: OSError, dest: Path) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"could not save the recording to {dest}: the disk is full; free some space, "
                "then submit it again (nothing already saved was lost)")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"could not save the recording to {dest}: {exc.strerror or exc}; make the data "
                "directory writable, then submit it again")
    return (f"could not save the recording to {dest}: {exc.strerror or exc}; check that the "
            "data directory is writable, then submit it again")


def save_audio(root: Path, session_id: str, answer_id: str, audio, filename: str | None,
               meta: dict | None = None) -> str:
    """Write ``audio`` (bytes, or a path to copy) durably under ``root`` (and ``meta`` in
    its sidecar first); returns the path relative to ``root`` (posix)."""
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
    sidecar = dest.with_name(answer_id + SIDECAR)
    try:
        private_dir(root / "audio")  # recordings are readable by their owner only (0700/0600)
        folder_is_new = not dest.parent.exists()
        private_dir(dest.parent)
        if folder_is_new:
            _fsync_dir(dest.parent.parent)
        if meta is not None:
            payload = dict(meta, audio_path=rel.as_posix())
            write_durably(sidecar, [json.dumps(payload, default=str).encode()])
        write_durably(dest, [data] if data is not None else _file_chunks(src))  # type: ignore[arg-type]
    except OSError as exc:
        drop_sidecar(root, rel.as_posix())
        raise StorageError(_describe_os_error(exc, dest)) from None
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


def drop_sidecar(root: Path, rel: str) -> None:
    """Remove the sidecar of the audio file ``rel`` (its row is committed): only an
    ``<answer id>.json`` beside it inside ``audio/``, never the recording itself."""
    path = contained(root, rel)
    m = _ANSWER_FILE.match(path.name) if path is not None else None
    if m is None:
        return
    sidecar = path.with_name(m.group(1) + SIDECAR)
    if sidecar == path:
        return
    try:
        sidecar.unlink()
    except OSError:
        pass


def answer_rel(root: Path, session_id: str, answer_id: str, path: Path) -> str | None:
    """``audio/<session>/<answer><ext>`` for the answer file ``path`` found by
    :func:`scan_audio`, if that is where it really is (inside ``audio/``), else None."""
    m = _ANSWER_FILE.match(Path(path).name)
    if m is None or m.group(1) != answer_id or m.group(2) == SIDECAR:
        return None
    if session_folder(root, session_id) is None:
        return None
    rel = f"audio/{session_id}/{answer_id}{m.group(2)}"
    dest = contained(root, rel)
    if dest is None or dest != Path(path).resolve() or not dest.is_file():
        return None
    return rel


def read_sidecar(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class AudioFile:
    """One file found under ``audio/``: an answer's recording, its sidecar, or a partial
    write (``kind``: "audio" | "sidecar" | "part")."""

    session_id: str
    answer_id: str
    path: Path
    kind: str


def scan_audio(root: Path) -> Iterator[AudioFile]:
    """Every answer file under ``root/audio`` (other files are ignored)."""
    base = root / "audio"
    if not base.is_dir():
        return
    for folder in sorted(base.iterdir()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            name = path.name
            kind = "audio"
            if name.endswith(PART):
                kind, name = "part", name[: -len(PART)]
            m = _ANSWER_FILE.match(name)
            if not m:
                continue
            if kind == "audio" and m.group(2) == SIDECAR:
                kind = "sidecar"
            yield AudioFile(folder.name, m.group(1), path, kind)


# ---- claims: which process is working on an answer --------------------------------------


class AnswerBusy(StorageError):
    """Another live process is saving or processing this answer."""


def _claim_path(root: Path, answer_id: str) -> Path:
    return root / "claims" / f"{answer_id}.lock"


def _try_lock(path: Path) -> int | None:
    """An fd holding an exclusive OS lock on ``path`` (the file now at that path), or None
    if another process holds it."""
    import fcntl

    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        except OSError:
            os.close(fd)
            raise
        try:  # the holder removes the file before unlocking: lock the one at the path
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


_held = threading.local()


@contextmanager
def claim(root: Path, answer_id: str, *, wait: float = 0) -> Iterator[None]:
    """Hold the claim on ``answer_id`` (an OS lock, freed if the process dies); raises
    :class:`AnswerBusy` if another process, or another thread, holds it for longer than
    ``wait`` seconds. Re-entrant within one thread."""
    held = _held.__dict__.setdefault("ids", set())
    if answer_id in held:
        yield
        return
    held.add(answer_id)
    try:
        with _claim(root, answer_id, wait=wait):
            yield
    finally:
        held.discard(answer_id)


@contextmanager
def _claim(root: Path, answer_id: str, *, wait: float) -> Iterator[None]:
    path = _claim_path(root, answer_id)
    if os.name != "posix":  # Windows: filelock's msvcrt lock (the file is kept)
        from filelock import FileLock, Timeout

        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path), thread_local=False)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise AnswerBusy(_busy(answer_id)) from None
        try:
            yield
        finally:
            lock.release()
        return
    deadline = time.monotonic() + wait
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        while (fd := _try_lock(path)) is None:
            if time.monotonic() >= deadline:
                raise AnswerBusy(_busy(answer_id))
            time.sleep(0.05)
    except OSError as exc:
        raise StorageError(f"cannot claim answer {answer_id} in {path.parent} "
                           f"({exc.strerror or exc}); check that the data directory is "
                           "writable") from None
    try:
        yield
    finally:
        try:  # removed while held, so that a later claim locks a new file
            path.unlink()
        except OSError:
            pass
        os.close(fd)


def _busy(answer_id: str) -> str:
    return (f"answer {answer_id} is being saved or processed by another program right now; "
            "wait for it to finish")


def is_claimed(root: Path, answer_id: str) -> bool:
    """Whether a live process holds the claim on ``answer_id`` (checked without waiting)."""
    if not _claim_path(root, answer_id).exists():
        return False
    try:
        with claim(root, answer_id):
            return False
    except AnswerBusy:
        return True


def sweep_claims(root: Path) -> int:
    """Remove the claim files dead processes left behind (a claim's lock dies with its
    process, but not its file); returns how many were removed. Live claims stay."""
    folder = root / "claims"
    if not folder.is_dir():
        return 0
    removed = 0
    for path in folder.glob("*.lock"):
        try:
            with claim(root, path.stem):  # removes the file on the way out
                removed += 1
        except AnswerBusy:
            continue
    return removed


class HeldClaim:
    """A claim held beyond one ``with`` block (an answer streamed over many requests):
    taken when created, freed by :meth:`release` (from any thread) or when the process dies.
    Raises :class:`AnswerBusy` if another process or thread holds it."""

    def __init__(self, root: Path, answer_id: str) -> None:
        self.answer_id = answer_id
        self._cm = _claim(root, answer_id, wait=0)
        self._cm.__enter__()
        self._lock = threading.Lock()
        self._held = True

    @property
    def held(self) -> bool:
        return self._held

    @contextmanager
    def here(self) -> Iterator[None]:
        """Let this thread work under the held claim: :func:`claim` on the same answer is
        re-entrant inside the block (saving or scoring the streamed answer)."""
        held = _held.__dict__.setdefault("ids", set())
        if not self._held:
            raise AnswerBusy(_busy(self.answer_id))
        mine = self.answer_id not in held
        held.add(self.answer_id)
        try:
            yield
        finally:
            if mine:
                held.discard(self.answer_id)

    def release(self) -> None:
        with self._lock:
            if self._held:
                self._held = False
                self._cm.__exit__(None, None, None)


# ---- a recording that grows while it is spoken (16-bit PCM WAV) ---------------------------

#: the canonical 44-byte header of a PCM WAV file
WAV_HEADER_BYTES = 44


def wav_header(data_bytes: int, sample_rate: int = 16000, channels: int = 1) -> bytes:
    """A PCM 16-bit WAV header for ``data_bytes`` bytes of samples."""
    import struct

    block = channels * 2
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data_bytes, b"WAVE", b"fmt ", 16,
                       1, channels, sample_rate, sample_rate * block, block, 16, b"data",
                       data_bytes)


def _is_growing_wav(head: bytes) -> bool:
    """Whether ``head`` is the header :func:`wav_header` writes: 44 bytes, PCM, 16 kHz,
    mono, 16-bit, the samples right after it."""
    return (len(head) >= WAV_HEADER_BYTES and head[:4] == b"RIFF" and head[8:16] == b"WAVEfmt "
            and int.from_bytes(head[16:20], "little") == 16
            and int.from_bytes(head[20:22], "little") == 1
            and int.from_bytes(head[22:24], "little") == 1
            and int.from_bytes(head[24:28], "little") == 16000
            and int.from_bytes(head[34:36], "little") == 16 and head[36:40] == b"data")


def _chunk_follows(f, at: int, total: int) -> bool:
    """Whether a RIFF chunk (a LIST or id3 tag another program wrote) starts at ``at``
    and fills the file: such a file is complete, not a take cut off by a crash."""
    f.seek(at)
    head = f.read(8)
    if len(head) < 8 or not all(32 <= b < 127 for b in head[:4]):
        return False
    size = int.from_bytes(head[4:8], "little")
    return at + 8 + size + (size % 2) in (total, total - 1) or at + 8 + size == total


def append_pcm(path: Path, pcm: bytes) -> int:
    """Append 16-bit PCM to a WAV written with :func:`wav_header` and make it durable: the
    samples first (fsync), then the header's sizes (fsync). A crash in between leaves a
    header that is short of the samples, which :func:`seal_wav` corrects (after a crash); in
    a live process the next append drops them, since their chunk was never acknowledged and
    comes again. Returns the size
    of the samples now in the file, in bytes."""
    try:
        with open(path, "r+b") as f:
            head = f.read(WAV_HEADER_BYTES)
            if not _is_growing_wav(head):
                raise StorageError(f"{path.name} is not a recording that can grow; record again")
            f.seek(0, os.SEEK_END)
            on_disk = f.tell() - WAV_HEADER_BYTES
            # samples past the header's size are from an append that failed between its two
            # writes: never acknowledged, so they are sent again; drop them (and an odd byte)
            size = min(int.from_bytes(head[40:44], "little"), on_disk)
            size -= size % 2
            if size != on_disk:
                f.truncate(WAV_HEADER_BYTES + size)
            f.seek(WAV_HEADER_BYTES + size)
            f.write(pcm)
            f.flush()
            os.fsync(f.fileno())
            size += len(pcm)
            _write_sizes(f, size)
    except OSError as exc:
        raise StorageError(_describe_os_error(exc, path)) from None
    return size


def seal_wav(path: Path) -> bool:
    """Make a growing WAV's header agree with the samples on disk (after a crash between
    the two writes of :func:`append_pcm`); True if it was changed. Other files are left."""
    try:
        with open(path, "r+b") as f:
            head = f.read(WAV_HEADER_BYTES)
            if not _is_growing_wav(head):
                return False
            total = os.fstat(f.fileno()).st_size
            size = total - WAV_HEADER_BYTES
            size -= size % 2
            declared = int.from_bytes(head[40:44], "little")
            if declared == size:
                return False
            if declared > size or _chunk_follows(f, WAV_HEADER_BYTES + declared, total):
                return False  # not a take cut off between its two writes: leave it
            f.truncate(WAV_HEADER_BYTES + size)
            _write_sizes(f, size)
    except OSError:
        return False
    return True


def _write_sizes(f, size: int) -> None:
    """Set a growing WAV's RIFF and data sizes for ``size`` bytes of samples, durably."""
    f.seek(4)
    f.write((36 + size).to_bytes(4, "little"))
    f.seek(40)
    f.write(size.to_bytes(4, "little"))
    f.flush()
    os.fsync(f.fileno())
