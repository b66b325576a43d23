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
not list, checksums that do not match), or unsafe: a member path that is absolute, has a
drive letter or backslashes, contains ``..``, is a symbolic link, or would land outside the
data directory's ``audio/`` folder (zip-slip).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import InterviewError

FORMAT = "img-interview-coach/session-export"
VERSION = 1
MANIFEST = "manifest.json"
REPORT = "report.html"
#: largest member we accept (a recording of several minutes is a few MB)
MAX_MEMBER_BYTES = 256 * 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


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


def export_session(store: Any, session_id: str, path: str | os.PathLike, *,
                   include_videos: bool = False) -> Path:
    """Write session ``session_id`` (rows, audio, HTML report) to the zip ``path``.

    Answer videos (video answers, recognised by their presence figures) travel only with
    ``include_videos``: without it such an answer is exported with its transcript, scores
    and figures but no recording (``audio_path`` empty, ``video_omitted`` true).

    The zip is written to a temporary file beside ``path`` and moved into place, so a failed
    export never leaves half a file. Raises NotFound for an unknown id, SharingError if a
    recording the session refers to is missing or the file cannot be written.
    """
    from .reports import build_report, render_html

    data = store.export_session(session_id)
    out = Path(path)
    if out.suffix.lower() != ".zip":
        raise SharingError(f"the export file must end in .zip, got {out.name!r}")
    files = []
    payload: list[tuple[str, bytes]] = []
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
        src = store.audio_file(rel)
        try:
            blob = Path(src).read_bytes()
        except OSError as exc:
            raise SharingError(
                f"recording {rel} of answer {answer.get('id')} cannot be read ({exc.strerror or exc}); "
                f"restore it in {store.root} or delete that answer before exporting"
            ) from None
        files.append({"path": name, "size": len(blob), "sha256": _sha256(blob)})
        payload.append((name, blob))
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
                for name, blob in payload:
                    zf.writestr(name, blob)
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        raise SharingError(f"cannot write {out}: {exc.strerror or exc}; choose a writable folder") from None
    return out


# ----------------------------------------------------------------------------- checks
def _check_safe(name: str) -> str:
    """``name`` if it is a safe relative path (no absolute path, drive, backslash, '..')."""
    if not isinstance(name, str) or not name:
        raise SharingError("unsafe zip: an empty member path; refusing to import")
    if "\\" in name or "\x00" in name:
        raise SharingError(f"unsafe zip: member {name!r} has a backslash or NUL; refusing to import")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise SharingError(f"unsafe zip: member {name!r} is an absolute path; refusing to import")
    if any(p in ("..", ".") for p in name.rstrip("/").split("/")):
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


def _target(root: Path, name: str) -> Path:
    """Where member ``name`` lands; refuses anything outside ``root/audio`` (after resolving)."""
    audio_root = (root / "audio").resolve()
    dest = (root / name).resolve()
    if dest == audio_root or not dest.is_relative_to(audio_root):
        raise SharingError(f"unsafe zip: member {name!r} would be written outside {audio_root}; "
                           "refusing to import")
    return dest


def read_export(path: str | os.PathLike) -> tuple[dict, dict[str, bytes]]:
    """Open and validate an export zip: ``(manifest, {audio member path: bytes})``.

    Raises SharingError (corrupt, foreign, unsafe) without writing anything.
    """
    p = Path(path)
    if not p.is_file():
        raise SharingError(f"{p} does not exist or is not a file")
    try:
        zf = zipfile.ZipFile(p)
    except zipfile.BadZipFile:
        raise SharingError(f"{p.name} is not a zip file or is corrupt; ask for a new export") from None
    except OSError as exc:
        raise SharingError(f"cannot read {p}: {exc.strerror or exc}") from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise SharingError(f"{p.name} has duplicate member names; refusing to import")
        # 1. safety of every member, before reading any of them
        for info in infos:
            if _is_symlink(info):
                raise SharingError(f"unsafe zip: member {info.filename!r} is a symbolic link; "
                                   "refusing to import")
            _check_safe(info.filename)
            if info.file_size > MAX_MEMBER_BYTES:
                raise SharingError(f"member {info.filename!r} is too large ({info.file_size} bytes); "
                                   "refusing to import")
        # 2. the manifest
        if MANIFEST not in names:
            raise SharingError(f"{p.name} is not a session export from this tool (no {MANIFEST}); "
                               "export it with `python -m interview export`")
        try:
            if zf.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
                raise SharingError(f"{p.name}: {MANIFEST} is too large; refusing to import")
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise SharingError(f"{p.name} is corrupt ({exc}); ask for a new export") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SharingError(f"{p.name}: {MANIFEST} is not valid JSON ({exc}); not an export "
                               "from this tool") from None
        _check_manifest(manifest, p.name)
        # 3. the listed files: present, intact, nothing unlisted
        listed = {f["path"]: f for f in manifest["files"]}
        audio_members = {i.filename for i in infos if not i.is_dir()} - {MANIFEST, REPORT}
        unlisted = sorted(audio_members - set(listed))
        stray_dirs = sorted(i.filename for i in infos if i.is_dir()
                            and not (i.filename.rstrip("/") + "/").startswith("audio/"))
        if stray_dirs:
            unlisted += stray_dirs
        if unlisted:
            raise SharingError(f"{p.name} contains files its manifest does not list "
                               f"({', '.join(unlisted[:3])}); refusing to import")
        blobs: dict[str, bytes] = {}
        for name, entry in listed.items():
            _check_name(name)
            if name not in audio_members:
                raise SharingError(f"{p.name} is incomplete: {name} is missing; ask for a new export")
            try:
                blob = zf.read(name)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
                raise SharingError(f"{p.name} is corrupt: {name} cannot be read ({exc}); "
                                   "ask for a new export") from None
            if _sha256(blob) != entry.get("sha256"):
                raise SharingError(f"{p.name} is corrupt: {name} does not match its checksum; "
                                   "ask for a new export")
            blobs[name] = blob
        referenced = {a.get("audio_path") for a in manifest["data"].get("answers") or []} - {None, ""}
        missing = sorted(r for r in referenced if r not in listed)
        if missing:
            raise SharingError(f"{p.name} is incomplete: recording {missing[0]} is not in the zip")
    return manifest, blobs


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
    if not isinstance(sid, str) or not sid or sid != manifest.get("session_id"):
        raise SharingError(f"{name}: the manifest's session id is missing or inconsistent")
    for f in files:
        _check_name(f["path"])
        if not f["path"].startswith(f"audio/{sid}/"):
            raise SharingError(f"unsafe zip: file {f['path']!r} is not in this session's audio "
                               "folder; refusing to import")
    answers = data.get("answers") or []
    if not isinstance(answers, list) or not all(isinstance(a, dict) for a in answers):
        raise SharingError(f"{name}: the manifest's answers are malformed; ask for a new export")
    for a in answers:
        rel = a.get("audio_path")
        if rel:
            _check_name(rel)
            if not rel.startswith(f"audio/{sid}/"):
                raise SharingError(f"unsafe zip: recording {rel!r} is not in this session's "
                                   "audio folder; refusing to import")


# ----------------------------------------------------------------------------- import
def import_session(store: Any, path: str | os.PathLike, *, replace: bool = False) -> ImportResult:
    """Bring an exported session into ``store`` (ids kept).

    Refuses (SharingError) an existing session unless ``replace`` — then the existing
    session is first backed up to ``<data dir>/backups/<id>-<time>.zip`` and replaced.
    Recordings are written under the store's ``audio/`` folder; if the database import
    fails, the recordings written by this import are removed again.
    """
    from .errors import NotFound, StorageError

    manifest, blobs = read_export(path)
    data = manifest["data"]
    sid = data["session"]["id"]
    root = Path(store.root)
    targets = {name: _target(root, name) for name in blobs}
    try:
        store.get_session(sid)
        exists = True
    except NotFound:
        exists = False
    if exists and not replace:
        raise SharingError(f"session {sid} is already in this database; nothing was imported "
                           "(use --replace to back it up and replace it)")
    if not exists:
        for name, dest in targets.items():
            if dest.exists() and dest.read_bytes() != blobs[name]:
                raise SharingError(f"a different recording already exists at {dest}; nothing was "
                                   "imported (move it away or use --replace)")
    backup = None
    if exists:
        backup_dir = root / "backups"
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        backup = export_session(store, sid, backup_dir / f"{sid}-{stamp}.zip")
        store.delete_session(sid, delete_audio=True)
    written: list[Path] = []
    try:
        for name, dest in targets.items():
            if dest.exists() and dest.read_bytes() == blobs[name]:
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.is_symlink():
                raise SharingError(f"unsafe target: {dest} is a symbolic link; nothing was imported")
            tmp = dest.with_name(dest.name + ".part")
            tmp.write_bytes(blobs[name])
            os.replace(tmp, dest)
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
    return ImportResult(
        session_id=record.id,
        answers=sum(len(v) for v in record.attempts.values()) or len(record.answers),
        audio_files=sorted(blobs),
        replaced=exists,
        backup=backup,
    )
