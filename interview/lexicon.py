"""Local health-system lexicons: concept groups of plain phrases, per country.

``rubrics/lexicons/us.yaml`` and ``ca.yaml`` list concept groups (id, label, phrases,
optional case-sensitive abbreviations, ``img_concern``). Coaches extend them without code:
phrases are plain words, never regular expressions; this module turns them into one
compiled pattern per file (longest phrase first, whole words, case-insensitive; plurals and
hyphen/space variants allowed) and reports matches with character offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import RubricError, validation_problems
from .paths import lexicons_dir
from .yamlfile import load_cached

COUNTRIES = ("us", "ca")
_REGEX_CHARS = re.compile(r"[\\^$*+?{}\[\]|()]")


class ConceptGroup(BaseModel):
    """One idea a coach listens for, e.g. "Handoffs (I-PASS, sign-out)"."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str = Field(min_length=1)
    phrases: list[str] = Field(min_length=1)
    abbreviations: list[str] = Field(default_factory=list)
    img_concern: bool = False
    #: how much covering this group counts (0.5 for ideas that are not specific to the
    #: country, e.g. "rural")
    weight: float = Field(default=1.0, gt=0, le=2)

    @field_validator("phrases", "abbreviations", mode="before")
    @classmethod
    def _plain(cls, v):
        if v is None:
            return []
        if not isinstance(v, list):
            raise ValueError("must be a list of plain phrases")
        out = []
        for p in v:
            p = str(p).strip()
            if not p:
                raise ValueError("a phrase must not be empty")
            if _REGEX_CHARS.search(p):
                raise ValueError(f"phrase {p!r} must be plain words, not a regular expression")
            if not re.search(r"\w", p):
                raise ValueError(f"phrase {p!r} has no letters")
            out.append(p)
        return out


class LexiconFile(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    country: str
    name: str = ""
    groups: list[ConceptGroup] = Field(min_length=1)

    @field_validator("country")
    @classmethod
    def _country(cls, v: str) -> str:
        v = v.lower()
        if v not in COUNTRIES:
            raise ValueError(f"unknown country {v!r}: use 'us' or 'ca'")
        return v


@dataclass
class LexiconMatch:
    """A phrase found in the text: ``text[start:end] == self.text``."""

    start: int
    end: int
    text: str
    group: str
    label: str
    img_concern: bool


_TOKEN_RE = re.compile(r"[A-Za-z0-9À-ÿ]+(?:['’][A-Za-z]+)*")
_JOINABLE_GAP = re.compile(r"[\s\-./]*")


def _key(phrase: str) -> str:
    """Case-folded phrase with everything but letters and digits removed ("I-PASS" -> "ipass")."""
    return "".join(t.lower() for t in _TOKEN_RE.findall(phrase.replace("’", "'"))).replace("'", "")


class Lexicon:
    """A parsed lexicon file, indexed for fast n-gram lookup.

    Matching walks the answer's words once; at each word it tries the longest phrase first.
    Phrases match case-insensitively with hyphens, spaces and dots ignored
    ("sub-internship" = "sub internship" = "subinternship"; "U.S." = "US") and an optional
    plural ("-s", "-es", "'s"); abbreviations match case-sensitively ("ED" but not "ed").
    """

    def __init__(self, data: LexiconFile, path: Path):
        self.country = data.country
        self.name = data.name
        self.path = path
        self.groups = {g.id: g for g in data.groups}
        self._phrases: dict[str, str] = {}
        self._abbrs: dict[str, str] = {}
        self._max_len = 1
        for g in data.groups:
            for p in g.phrases:
                self._phrases.setdefault(_key(p), g.id)
                self._max_len = max(self._max_len, len(_TOKEN_RE.findall(p)))
            for a in g.abbreviations:
                self._abbrs.setdefault("".join(_TOKEN_RE.findall(a)).replace("'", ""), g.id)
                self._max_len = max(self._max_len, len(_TOKEN_RE.findall(a)))

    def _lookup(self, key: str, raw: str) -> str | None:
        for k in (key, key[:-1] if key.endswith("s") else None, key[:-2] if key.endswith("es") else None):
            if k and k in self._phrases:
                return self._phrases[k]
        for r in (raw, raw[:-1] if raw.endswith("s") else None):
            if r and r in self._abbrs:
                return self._abbrs[r]
        return None

    def find(self, text: str) -> list[LexiconMatch]:
        """Every phrase or abbreviation in ``text``, in order, longest match winning."""
        toks = list(_TOKEN_RE.finditer(text))
        norms = [m.group().lower().replace("’", "'").replace("'", "") for m in toks]
        raws = [m.group().replace("’", "'").replace("'", "") for m in toks]
        found: list[LexiconMatch] = []
        i, n = 0, len(toks)
        while i < n:
            best = None
            # grow the n-gram while the words are joined only by spaces, hyphens or dots
            limit = 1
            while limit < self._max_len and i + limit < n and \
                    _JOINABLE_GAP.fullmatch(text, toks[i + limit - 1].end(), toks[i + limit].start()):
                limit += 1
            for k in range(limit, 0, -1):
                gid = self._lookup("".join(norms[i:i + k]), "".join(raws[i:i + k]))
                if gid is not None:
                    best = (k, gid)
                    break
            if best is None:
                i += 1
                continue
            k, gid = best
            s, e = toks[i].start(), toks[i + k - 1].end()
            g = self.groups[gid]
            found.append(LexiconMatch(s, e, text[s:e], gid, g.label, g.img_concern))
            i += k
        return found


def _parse(path: Path, data) -> Lexicon:
    if not isinstance(data, dict):
        raise RubricError(f"{path}: expected a mapping with 'country' and 'groups'")
    try:
        lf = LexiconFile(**data)
    except ValidationError as exc:
        # name the group, not just its index, when we can
        msgs = []
        for loc_, msg in validation_problems(exc):
            loc = list(loc_)
            if len(loc) >= 2 and loc[0] == "groups" and isinstance(loc[1], int):
                try:
                    gid = data["groups"][loc[1]].get("id", f"#{loc[1] + 1}")
                except Exception:
                    gid = f"#{loc[1] + 1}"
                loc = [f"group {gid}"] + loc[2:]
            msgs.append(f"{'.'.join(str(x) for x in loc)}: {msg}")
        raise RubricError(f"{path}: " + "; ".join(msgs)) from None
    ids = [g.id for g in lf.groups]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise RubricError(f"{path}: duplicate group id(s): {', '.join(dup)}")
    return Lexicon(lf, path)


def lexicon_path(country: str) -> Path:
    return lexicons_dir() / f"{country}.yaml"


def load_lexicon(country: str, path: Path | None = None) -> Lexicon:
    """The lexicon for ``country`` ('us' or 'ca'), parsed once per file version."""
    country = (country or "").lower()
    if path is None:
        if country not in COUNTRIES:
            raise RubricError(f"unknown country {country!r}: use 'us' or 'ca'")
        path = lexicon_path(country)
    return load_cached(path, "lexicon", _parse)
