"""Sharing a session without a server: export to a zip, import on another machine.

The zip holds:

* ``manifest.json`` — ``{"format": "img-interview-coach/session-export", "version": 1,
  "exported_at", "session_id", "files": [{"path", "size", "sha256"}], "data": <the rows of
  Store.export_session: applicant, profile, session, answers (every attempt), comments,
  overrides, email drafts>}``;
* ``audio/<session_id>/<answer_id>.<ext>`` — each saved recording, at the same path
  relative to the data directory as on the exporting machine;
* ``report.html`` — the session report, readable without the tool.

Import keeps every id. Nothing is overwritten silently: if the session already exists the
import is refused, unless ``replace=True`` (CLI ``--replace``), which first writes a backup
zip of the existing session to ``<data dir>/backups/`` and then replaces it. An applicant or
program profile that already exists (same id) is reused as it is.

A zip is refused, before anything is written, when it is corrupt (not a zip, bad CRC),
foreign (no manifest, wrong format marker, unsupported version, members the manifest does
not list, checksums that do not match), unsafe (a session id that is not 32 hex characters as
this tool makes them; a member path that is absolute, has a drive letter or backslashes,
contains ``..`` or ``.``, is a symbolic link, or would land outside the data directory's
``audio/`` folder), or too big: more than :data:`MAX_MEMBERS` members, a member over
:data:`MAX_MEMBER_BYTES` or all members over :data:`MAX_TOTAL_BYTES` once decompressed
(counted while streaming, so a lying size field does not help). Members are streamed to a
private staging folder inside the data directory, never held in memory.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import InterviewError, StorageError
from .storage.files import NEUTRAL_EXT, RECORDING_EXTENSIONS
from .storage.transfer import check_rows

FORMAT = "img-interview-coach/session-export"
VERSION = 1
MANIFEST = "manifest.json"
REPORT = "report.html"
# Caps on what an import unpacks (documented in README, "Sharing a session"); a zip over any
# of them is refused before anything is written. Sizes count the bytes really decompressed.
#: most members in one export (a session of 20 questions with 10 attempts each has 202)
MAX_MEMBERS = 1000
#: largest single file, as the app's largest upload (a 10-minute WAV is about 110 MB)
MAX_MEMBER_BYTES = 200 * 1024 * 1024
#: largest total of all members together
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: largest manifest (rows of one session; a long session is well under 1 MB)
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
#: members are copied in chunks of this size, never held whole in memory
CHUNK = 1024 * 1024
#: the exact form of a session id this tool generates (uuid4 hex)
SESSION_ID = re.compile(r"[0-9a-f]{32}")
#: a recording's file name: the answer id and a short extension
RECORDING_NAME = re.compile(r"[0-9a-f]{32}\.[a-z0-9]{1,5}")


class SharingError(InterviewError):
    """A session cannot be exported, or a zip cannot be imported (nothing was changed)."""


@dataclass
class ImportResult:
    session_id: str
    answers: int
    audio_files: list[str] = field(default_factory=list)
    replaced: bool = False
    backup: Path | None = None


# ----------------------------------------------------------------------------- export
def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def export_session(store: Any, session_id: str, path: str | os.PathLike, *,
                   include_videos: bool = False) -> Path:
    """Write session ``session_id`` (rows, audio, HTML report) to the zip ``path``.

    Answer videos (video answers, recognised by their presence figures) travel only with
    ``include_videos``: without it such an answer is exported with its transcript, scores
    and figures but no recording (``audio_path`` empty, ``video_omitted`` true).

    The zip is written to a temporary file beside ``path`` (owner-only, 0600) and moved into
    place, so a failed export never leaves half a file. Recordings are streamed from disk.
    Raises NotFound for an unknown id, SharingError if a recording the session refers to is
    missing or the file cannot be written.
    """
    from .reports import build_report, render_html

    data = store.export_session(session_id)
    out = Path(path)
    if out.suffix.lower() != ".zip":
        raise SharingError(f"the export file must end in .zip, got {out.name!r}")
    files = []
    sources: list[tuple[str, Path]] = []
    seen: set[str] = set()
    for answer in data.get("answers") or []:
        rel = answer.get("audio_path")
        if rel and not include_videos and ((answer.get("metrics") or {}).get("presence")):
            answer["audio_path"] = None
            answer["video_omitted"] = True
            continue
        if not rel or rel in seen:
            continue
        seen.add(rel)
        name = _check_name(rel)
        src = Path(store.audio_file(rel))
        try:
            digest, size = _sha256_file(src)
        except OSError as exc:
            raise SharingError(
                f"recording {rel} of answer {answer.get('id')} cannot be read ({exc.strerror or exc}); "
                f"restore it in {store.root} or delete that answer before exporting"
            ) from None
        files.append({"path": name, "size": size, "sha256": digest})
        sources.append((name, src))
    report_html = render_html(build_report(store, session_id)).encode("utf-8")
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "session_id": session_id,
        "report": {"path": REPORT, "sha256": _sha256(report_html)},
        "files": files,
        "data": data,
    }
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".zip.part", dir=out.parent)
        os.close(fd)
        try:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
                zf.writestr(REPORT, report_html)
                for name, src in sources:
                    zf.write(src, name)
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        raise SharingError(f"cannot write {out}: {exc.strerror or exc}; choose a writable folder") from None
    return out


# ----------------------------------------------------------------------------- checks
def check_session_id(sid: Any, where: str = "the zip") -> str:
    """``sid`` if it has the exact form this tool generates (32 lowercase hex characters);
    anything else (``..``, ``.``, ``../x``, ``/abs``, ``C:/x``, ...) is refused."""
    if not isinstance(sid, str) or not SESSION_ID.fullmatch(sid):
        raise SharingError(f"unsafe zip: {where} names session id {str(sid)[:80]!r}, which is "
                           "not 32 hex characters as this tool makes them; refusing to import")
    return sid


def _check_safe(name: str) -> str:
    """``name`` if it is a safe relative path (no absolute path, drive, backslash, '..')."""
    if not isinstance(name, str) or not name:
        raise SharingError("unsafe zip: an empty member path; refusing to import")
    if "\\" in name or "\x00" in name:
        raise SharingError(f"unsafe zip: member {name!r} has a backslash or NUL; refusing to import")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise SharingError(f"unsafe zip: member {name!r} is an absolute path; refusing to import")
    if any(p in ("..", ".", "") for p in name.rstrip("/").split("/")):
        raise SharingError(f"unsafe zip: member {name!r} contains '..' or '.'; refusing to import")
    return name


def _check_name(name: str) -> str:
    """``name`` if it is a safe relative path under ``audio/``, else SharingError."""
    _check_safe(name)
    parts = PurePosixPath(name).parts
    if not parts or parts[0] != "audio" or len(parts) < 2:
        raise SharingError(f"unsafe zip: member {name!r} is not under audio/; refusing to import")
    return name


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def inside(root: Path, *parts: str) -> Path:
    """``root/parts...`` resolved, proven to stay strictly inside ``root`` (resolved, so
    symbolic links count); SharingError otherwise. Call it before writing or deleting."""
    base = Path(root).resolve()
    dest = base.joinpath(*parts).resolve()
    if dest == base or not dest.is_relative_to(base):
        raise SharingError(f"unsafe zip: {'/'.join(parts)!r} would land outside {base}; "
                           "refusing to import")
    return dest


def _target(root: Path, name: str) -> Path:
    """Where member ``name`` lands: inside ``root/audio`` (after resolving), else refused."""
    dest = inside(root, name)
    if not dest.is_relative_to(inside(root, "audio")):
        raise SharingError(f"unsafe zip: member {name!r} would be written outside "
                           f"{Path(root) / 'audio'}; refusing to import")
    return dest


def _check_members(infos: list[zipfile.ZipInfo], zip_name: str) -> None:
    """Refuse a zip by its directory alone (nothing read yet): too many members, declared
    sizes over the caps, duplicate names, symbolic links, unsafe paths."""
    if len(infos) > MAX_MEMBERS:
        raise SharingError(f"{zip_name} has {len(infos)} members, more than the {MAX_MEMBERS} an "
                           "export can have; refusing to import")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise SharingError(f"{zip_name} has duplicate member names; refusing to import")
    total = 0
    for info in infos:
        if _is_symlink(info):
            raise SharingError(f"unsafe zip: member {info.filename!r} is a symbolic link; "
                               "refusing to import")
        _check_safe(info.filename)
        if info.file_size > MAX_MEMBER_BYTES:
            raise SharingError(f"member {info.filename!r} is too large ({info.file_size} bytes; "
                               f"at most {MAX_MEMBER_BYTES} per file); refusing to import")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise SharingError(f"{zip_name} unpacks to {total} bytes, more than the "
                           f"{MAX_TOTAL_BYTES} allowed; refusing to import")


def _stream_member(zf: zipfile.ZipFile, name: str, sink, budget: int, zip_name: str) -> tuple[str, int]:
    """Copy member ``name`` to ``sink`` (a binary file or None) in chunks, counting the bytes
    really produced (a lying size field cannot get past the caps); (sha256, size)."""
    h = hashlib.sha256()
    size = 0
    limit = min(MAX_MEMBER_BYTES, budget)
    try:
        with zf.open(name) as src:
            for chunk in iter(lambda: src.read(CHUNK), b""):
                size += len(chunk)
                if size > limit:
                    raise SharingError(f"{zip_name}: {name} unpacks to more than "
                                       f"{limit} bytes (the per-file or total cap); refusing to import")
                h.update(chunk)
                if sink is not None:
                    sink.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, zlib.error) as exc:
        raise SharingError(f"{zip_name} is corrupt: {name} cannot be read ({exc}); "
                           "ask for a new export") from None
    return h.hexdigest(), size


class _Export:
    """An open, validated export zip (its directory and manifest); members are streamed
    with :meth:`extract` (to a folder) or :meth:`verify` (checksums only)."""

    def __init__(self, path: str | os.PathLike):
        p = Path(path)
        self.name = p.name
        if not p.is_file():
            raise SharingError(f"{p} does not exist or is not a file")
        try:
            self.zf = zipfile.ZipFile(p)
        except (zipfile.BadZipFile, zipfile.LargeZipFile):
            raise SharingError(f"{p.name} is not a zip file or is corrupt; ask for a new export") from None
        except OSError as exc:
            raise SharingError(f"cannot read {p}: {exc.strerror or exc}") from None
        try:
            self._validate()
        except BaseException:
            self.zf.close()
            raise

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> "_Export":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _validate(self) -> None:
        zf, name = self.zf, self.name
        infos = zf.infolist()
        # 1. the directory alone: count, sizes, links, paths
        _check_members(infos, name)
        names = [i.filename for i in infos]
        # 2. the manifest
        if MANIFEST not in names:
            raise SharingError(f"{name} is not a session export from this tool (no {MANIFEST}); "
                               "export it with `python -m interview export`")
        if zf.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
            raise SharingError(f"{name}: {MANIFEST} is too large; refusing to import")
        buf = io.BytesIO()
        _stream_member(zf, MANIFEST, buf, MAX_MANIFEST_BYTES, name)
        try:
            manifest = json.loads(buf.getvalue().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SharingError(f"{name}: {MANIFEST} is not valid JSON ({exc}); not an export "
                               "from this tool") from None
        _check_manifest(manifest, name)
        # 3. the listed files: present, nothing unlisted
        listed = {f["path"]: f for f in manifest["files"]}
        audio_members = {i.filename for i in infos if not i.is_dir()} - {MANIFEST, REPORT}
        unlisted = sorted(audio_members - set(listed))
        unlisted += sorted(i.filename for i in infos if i.is_dir()
                           and not (i.filename.rstrip("/") + "/").startswith("audio/"))
        if unlisted:
            raise SharingError(f"{name} contains files its manifest does not list "
                               f"({', '.join(unlisted[:3])}); refusing to import")
        for member in listed:
            if member not in audio_members:
                raise SharingError(f"{name} is incomplete: {member} is missing; ask for a new export")
        referenced = {a.get("audio_path") for a in manifest["data"].get("answers") or []} - {None, ""}
        missing = sorted(r for r in referenced if r not in listed)
        if missing:
            raise SharingError(f"{name} is incomplete: recording {missing[0]} is not in the zip")
        self.manifest = manifest
        self.listed = listed

    def _each(self, folder: Path | None) -> dict[str, str]:
        done: dict[str, str] = {}
        budget = MAX_TOTAL_BYTES
        for i, (member, entry) in enumerate(self.listed.items()):
            if folder is None:
                digest, size = _stream_member(self.zf, member, None, budget, self.name)
            else:
                with open(folder / f"{i:05d}.part", "xb") as sink:
                    digest, size = _stream_member(self.zf, member, sink, budget, self.name)
            budget -= size
            if digest != entry.get("sha256"):
                raise SharingError(f"{self.name} is corrupt: {member} does not match its "
                                   "checksum; ask for a new export")
            done[member] = digest
        return done

    def verify(self) -> dict[str, str]:
        """Stream every listed member through its checksum (nothing written):
        ``{member: sha256}``."""
        return self._each(None)

    def extract(self, folder: Path) -> dict[str, Path]:
        """Stream every listed member into ``folder`` (checksums verified):
        ``{member: staged file}``."""
        self._each(folder)
        return {member: folder / f"{i:05d}.part" for i, member in enumerate(self.listed)}


def read_export(path: str | os.PathLike) -> tuple[dict, dict[str, str]]:
    """Open and validate an export zip without writing anything: ``(manifest, {audio member
    path: sha256})``; members are streamed through their checksums, never held in memory.

    Raises SharingError (corrupt, foreign, unsafe, over a cap).
    """
    with _Export(path) as export:
        return export.manifest, export.verify()


def _check_manifest(manifest: Any, name: str) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SharingError(f"{name} is not a session export from this tool (format marker "
                           f"missing or wrong); export it with `python -m interview export`")
    version = manifest.get("version")
    if not isinstance(version, int) or version < 1:
        raise SharingError(f"{name}: invalid export version {version!r}")
    if version > VERSION:
        raise SharingError(f"{name} was made by a newer version of this tool (export version "
                           f"{version}, this tool reads up to {VERSION}); update the tool")
    data = manifest.get("data")
    files = manifest.get("files")
    if not isinstance(data, dict) or not isinstance(data.get("session"), dict) \
            or not isinstance(files, list) \
            or not all(isinstance(f, dict) and isinstance(f.get("path"), str) for f in files):
        raise SharingError(f"{name}: the manifest is incomplete (data/session/files); "
                           "ask for a new export")
    sid = data["session"].get("id")
    check_session_id(sid, f"{name}'s manifest")
    if sid != manifest.get("session_id"):
        raise SharingError(f"{name}: the manifest's session id is inconsistent")
    try:
        check_rows(data)
    except StorageError as exc:
        raise SharingError(f"{name}: {exc}") from None
    if len(files) > MAX_MEMBERS:
        raise SharingError(f"{name}: the manifest lists more than {MAX_MEMBERS} files; "
                           "refusing to import")
    for f in files:
        _check_recording(f["path"], sid)
    answers = data.get("answers") or []
    if not isinstance(answers, list) or not all(isinstance(a, dict) for a in answers):
        raise SharingError(f"{name}: the manifest's answers are malformed; ask for a new export")
    for a in answers:
        rel = a.get("audio_path")
        if rel:
            _check_recording(rel, sid)


def _check_recording(rel: Any, sid: str) -> None:
    """A recording's path must be ``audio/<session id>/<32 hex>.<ext>``, as the app names it."""
    if not isinstance(rel, str):
        raise SharingError(f"unsafe zip: recording path {rel!r} is not text; refusing to import")
    _check_name(rel)
    parts = rel.split("/")
    if len(parts) != 3 or parts[1] != sid:
        raise SharingError(f"unsafe zip: recording {rel!r} is not in this session's audio "
                           "folder; refusing to import")
    if not RECORDING_NAME.fullmatch(parts[2]):
        raise SharingError(f"unsafe zip: recording {rel!r} is not named as this tool names "
                           "recordings (<32 hex>.<ext>); refusing to import")
    ext = parts[2][32:]
    if ext not in RECORDING_EXTENSIONS and ext != NEUTRAL_EXT:
        raise SharingError(f"unsafe zip: recording {rel!r} is not a recording format this "
                           f"tool saves ({ext}); refusing to import")


# ----------------------------------------------------------------------------- import
def import_session(store: Any, path: str | os.PathLike, *, replace: bool = False) -> ImportResult:
    """Bring an exported session into ``store`` (ids kept).

    Refuses (SharingError) an existing session unless ``replace`` — then the existing
    session is first backed up to ``<data dir>/backups/<id>-<time>.zip`` and replaced.
    Recordings are streamed into a private staging folder inside the data directory, checked,
    then moved under ``audio/``; if the database import fails, the recordings written by this
    import are removed again. Every path is proven to stay inside the data directory before
    anything is written or deleted.
    """
    from .errors import NotFound, StorageError
    from .paths import private_dir, private_file

    root = Path(store.root)
    with _Export(path) as export:
        manifest = export.manifest
        data = manifest["data"]
        sid = check_session_id(data["session"]["id"])
        targets = {name: _target(root, name) for name in export.listed}
        inside(root, "audio", sid)  # the folder --replace deletes: proven inside first
        private_dir(root)
        staging = Path(tempfile.mkdtemp(prefix=".import-", dir=root))
        try:
            # stream and check every member first, so a corrupt zip says so
            staged = export.extract(staging)
            try:
                store.get_session(sid)
                exists = True
            except NotFound:
                exists = False
            if exists and not replace:
                raise SharingError(f"session {sid} is already in this database; nothing was "
                                   "imported (use --replace to back it up and replace it)")
            if not exists:
                for name, dest in targets.items():
                    if dest.exists() and _sha256_file(dest)[0] != export.listed[name].get("sha256"):
                        raise SharingError(f"a different recording already exists at {dest}; "
                                           "nothing was imported (move it away or use --replace)")
            backup = None
            if exists:
                backup_dir = private_dir(inside(root, "backups"))
                stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
                # the backup keeps everything the replacement deletes, videos included
                backup = export_session(store, sid, inside(backup_dir, f"{sid}-{stamp}.zip"),
                                        include_videos=True)
                private_file(backup)
                store.delete_session(sid, delete_audio=True)
            written: list[Path] = []
            try:
                for name, dest in targets.items():
                    if dest.exists() and _sha256_file(dest)[0] == export.listed[name].get("sha256"):
                        continue
                    private_dir(dest.parent)
                    if dest.is_symlink() or _target(root, name) != dest:
                        raise SharingError(f"unsafe target: {dest} is a symbolic link; nothing "
                                           "was imported")
                    os.replace(staged[name], dest)
                    private_file(dest)
                    written.append(dest)
                try:
                    record = store.import_session(data)
                except StorageError as exc:
                    raise SharingError(f"cannot import {Path(path).name}: {exc}") from None
            except BaseException:
                for dest in written:
                    dest.unlink(missing_ok=True)
                if backup is not None:
                    # put the replaced session back from its backup
                    import_session(store, backup)
                raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return ImportResult(
        session_id=record.id,
        answers=sum(len(v) for v in record.attempts.values()) or len(record.answers),
        audio_files=sorted(export.listed),
        replaced=exists,
        backup=backup,
    )
