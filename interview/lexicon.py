"""Local health-system lexicons: concept groups of plain phrases, per country.

``rubrics/lexicons/us.yaml`` and ``ca.yaml`` list concept groups (id, label, phrases,
optional case-sensitive abbreviations, ``img_concern``). Coaches extend them without code:
phrases are plain words, never regular expressions; this module turns them into one
phrase matcher per file (the core's one matcher, :mod:`interview.text`: longest phrase
first, whole words, case- and accent-insensitive; plurals and hyphen/space variants allowed)
and reports matches with character offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import RubricError, validation_problems
from .paths import lexicons_dir
from .text import Doc, PhraseMatcher, as_doc, select_longest
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


class Lexicon:
    """A parsed lexicon file with its phrase matchers (:class:`interview.text.PhraseMatcher`).

    Phrases match case- and accent-insensitively with hyphens, spaces and dots ignored
    ("sub-internship" = "sub internship" = "subinternship"; "U.S." = "US") and an optional
    plural ("-s", "-es", "'s"); abbreviations match case-sensitively ("ED" but not "ed").
    The longest match wins, whichever list it comes from.
    """

    def __init__(self, data: LexiconFile, path: Path):
        self.country = data.country
        self.name = data.name
        self.path = path
        self.groups = {g.id: g for g in data.groups}
        self._phrases = PhraseMatcher([(p, g.id) for g in data.groups for p in g.phrases],
                                      joinable=True, plurals=True)
        self._abbrs = PhraseMatcher([(a, g.id) for g in data.groups for a in g.abbreviations],
                                    case_sensitive=True, joinable=True, plurals=True)

    def find(self, text: "str | Doc") -> list[LexiconMatch]:
        """Every phrase or abbreviation in ``text``, in order, longest match winning."""
        doc = as_doc(text)
        found: list[LexiconMatch] = []
        for m in select_longest(self._phrases.find_all(doc) + self._abbrs.find_all(doc)):
            g = self.groups[m.payload]
            found.append(LexiconMatch(m.start, m.end, doc.text[m.start:m.end], g.id, g.label, g.img_concern))
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
