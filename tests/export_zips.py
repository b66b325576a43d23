"""Tampered copies of session export zips, for the import tests (tests/test_sharing.py and
tests/test_import_hostile.py)."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path

from interview.sharing import MANIFEST


def rewrite(src: Path, dst: Path, *, manifest=None, add=(), drop=(), symlink=None, rename=None):
    """Copy the export zip ``src`` to ``dst``, leaving out the members named in ``drop``,
    replacing the manifest by ``manifest(old)``, renaming members by ``rename(name)``, then
    adding ``(name, bytes)`` pairs and a ``(name, target)`` symlink. Returns ``dst``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            data = zin.read(info.filename)
            if info.filename == MANIFEST and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            name = rename(info.filename) if rename else info.filename
            zout.writestr(name, data)
        for name, data in add:
            zout.writestr(name, data)
        if symlink:
            name, link_target = symlink
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zout.writestr(info, link_target)
    return dst
