"""Thank-you emails drafted after a real interview.

After an interview, an applicant should send a brief, personal thank-you email to each
interviewer within 24 hours, naming a specific detail of the conversation. This module drafts
them: one :class:`EmailDraft` per interviewer, rendered from Jinja2 templates a coach can edit
(``templates/email/``), in the country's register (Canadian spelling such as "practise" as a
verb, "centre", "honour"), with the applicant's signature block and a "send by" deadline.

Templates
    ``templates/email/TONE.subject.j2`` and ``TONE.body.j2`` define a tone (shipped: formal,
    warm, concise); every such pair found is a tone. ``TONE.subject.CC.j2`` /
    ``TONE.body.CC.j2`` (CC = ``us`` or ``ca``) override them for one country.
    ``signature.j2`` is the signature block (bodies ``{% include "signature.j2" %}``).
    ``details.yaml`` maps program features to suggested conversation details.
    ``roles.yaml`` gives each interviewer role (program director, chief resident,
    coordinator...) a sentence suited to it and the title phrases it is inferred from; an
    unknown role gets its ``generic`` sentence. ``phrasings.yaml`` lists per tone a few
    openings, closings and sign-offs that the drafts of one program take in turn by position,
    so that no two drafts read the same apart from names and details (colleagues compare
    notes), and the sentence tying a detail to the applicant's own experience.

    Templates are rendered in a :class:`jinja2.sandbox.SandboxedEnvironment` with strict
    undefined variables and no autoescaping (the output is plain text; the app escapes it when
    it shows HTML). A missing field, a syntax error or an unsafe attribute (``__class__``...)
    raises :class:`~interview.errors.TemplateError` naming the field, file and line.

Template variables
    ``candidate.name/email/phone/aamc_id/carms_id/id_label/id_value``,
    ``interviewer.name/title/role/email/greeting``, ``program.*`` (see
    :meth:`ProgramProfile.template_context`, plus ``specialty_name``, ``region_name``,
    ``city_name`` - empty when unknown - and ``field``, the specialty or "medicine"), ``detail``, ``tone``, ``country``,
    ``interview.date/weekday/time``, ``role_line`` (the role's sentence; the role's id and
    label are ``interviewer.role_id/role_label``, empty for the generic one), ``opening``,
    ``closing``, ``signoff``, ``experience_line`` (empty unless a saved answer ties the
    detail to the applicant's experience), ``position`` (1 for the first interviewer) and
    ``sp.*`` (spellings: ``sp.practise`` is "practise" in
    Canada and "practice" in the U.S.; also ``sp.honour``, ``sp.honoured``, ``sp.centre``,
    ``sp.favourite``, ``sp.behaviour``, ``sp.colleagues``). Optional fields that are not given
    are empty strings, so ``{% if candidate.phone %}`` works; a name the template uses that
    does not exist at all is an error.

This module imports no Streamlit; the CLI (``interview email``) and the app page use it.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote

import yaml
from jinja2 import (
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.exceptions import SecurityError, TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from interview.errors import TemplateError, validation_problems
from interview.paths import templates_dir as default_templates_dir
from interview.profile import FEATURES, ProgramProfile
from interview.text import PhraseMatcher, fold, sentence_texts
from interview.text import words as text_words

#: Words counted above this get a warning on the draft (aim for about 150).
WORD_LIMIT = 200
#: Target length the templates aim for.
WORD_TARGET = 150
#: Hours after the interview by which the email should be sent.
SEND_WITHIN_HOURS = 24
#: Interview time assumed when only a date is given (a conservative morning start).
DEFAULT_INTERVIEW_TIME = time(9, 0)

#: Spelling register per country, available to templates as ``sp.KEY``.
SPELLINGS: dict[str, dict[str, str]] = {
    "us": {
        "practise": "practice", "practising": "practicing", "honour": "honor",
        "honoured": "honored", "centre": "center", "centres": "centers",
        "favourite": "favorite", "behaviour": "behavior", "colour": "color",
        "programme": "program", "counselling": "counseling", "paediatrics": "pediatrics",
        "colleagues": "colleagues",
    },
    "ca": {
        "practise": "practise", "practising": "practising", "honour": "honour",
        "honoured": "honoured", "centre": "centre", "centres": "centres",
        "favourite": "favourite", "behaviour": "behaviour", "colour": "colour",
        "programme": "program", "counselling": "counselling", "paediatrics": "paediatrics",
        "colleagues": "colleagues",
    },
}

ID_LABELS = {"us": "AAMC ID", "ca": "CaRMS ID"}

#: U.S. state names, so a draft says "in New York" rather than "in NY".
US_STATE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "the District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico",
}

_HONORIFIC = re.compile(r"^(dr|doctor|prof|professor|mr|mrs|ms|mx)\.?\s+", re.IGNORECASE)


# --------------------------------------------------------------------------- records


@dataclass
class Candidate:
    """The applicant who sends the emails (the signature block)."""

    name: str
    email: str = ""
    phone: str = ""
    aamc_id: str = ""
    carms_id: str = ""


@dataclass
class Interviewer:
    """One interviewer: name (with honorific if known), job title, role in the interview."""

    name: str
    title: str = ""
    role: str = ""
    email: str = ""

    @classmethod
    def parse(cls, spec: str) -> "Interviewer":
        """``"NAME[|TITLE[|EMAIL]]"`` as the CLI takes it."""
        parts = [p.strip() for p in spec.split("|")]
        if not parts[0]:
            raise TemplateError(
                f"interviewer {spec!r} has no name: use \"NAME\" or \"NAME|TITLE\""
            )
        if len(parts) > 3:
            raise TemplateError(
                f"interviewer {spec!r} has too many '|' parts: use \"NAME|TITLE|EMAIL\""
            )
        return cls(
            name=parts[0],
            title=parts[1] if len(parts) > 1 else "",
            email=parts[2] if len(parts) > 2 else "",
        )


@dataclass
class EmailDraft:
    """One rendered thank-you email, ready to edit, copy, download or open in a mail client."""

    to: str
    to_email: str
    subject: str
    body: str
    tone: str
    send_by: datetime
    word_count: int
    warnings: list[str] = field(default_factory=list)
    detail: str = ""
    to_title: str = ""
    country: str = "us"
    role: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly: ``send_by`` as ISO 8601."""
        out = asdict(self)
        out["send_by"] = self.send_by.isoformat(timespec="minutes")
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "EmailDraft":
        data = dict(data)
        send_by = data.get("send_by")
        if isinstance(send_by, str):
            data["send_by"] = datetime.fromisoformat(send_by)
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


class Fields:
    """Read-only attribute bag given to templates, labelled so a missing field is named.

    Unlike a dict it has no ``items``/``keys`` methods that a field name could collide with,
    and ``str(fields)`` is its ``name`` so ``{{ candidate }}`` prints the name.
    """

    def __init__(self, label: str, values: dict[str, Any]):
        self._label = label
        self._values = {k: ("" if v is None else v) for k, v in values.items()}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __str__(self) -> str:
        return str(self._values.get("name", ""))

    def __repr__(self) -> str:
        return f"<{self._label}>"


class _NamedUndefined(StrictUndefined):
    """Strict undefined whose message names the missing field as ``object.field``."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:  # type: ignore[override]
        if self._undefined_hint:
            return self._undefined_hint
        obj = self._undefined_obj
        if isinstance(obj, Fields):
            return f"missing field '{obj._label}.{self._undefined_name}'"
        if obj.__class__.__name__ == "_MissingType":
            return f"missing field '{self._undefined_name}'"
        return f"missing field '{self._undefined_name}' (on a {type(obj).__name__})"


def _finalize(value: Any) -> Any:
    """Print ``None`` as nothing rather than the word "None"."""
    return "" if value is None else value


# --------------------------------------------------------------------------- templates


@dataclass
class EmailTemplates:
    """The validated email templates of one folder."""

    folder: Path
    env: SandboxedEnvironment
    tones: list[str]
    files: list[str]
    details: dict[str, list[str]]
    roles: "Roles"
    phrasings: dict[str, "Phrasings"]

    def template_name(self, tone: str, part: str, country: str) -> str:
        specific = f"{tone}.{part}.{country}.j2"
        return specific if specific in self.files else f"{tone}.{part}.j2"


def _make_env(folder: Path) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(str(folder)),
        undefined=_NamedUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )


def email_templates_dir(templates_dir: str | Path | None = None) -> Path:
    """The email template folder: ``templates_dir`` itself if it holds templates directly,
    else its ``email/`` sub-folder (default: ``paths.templates_dir() / "email"``)."""
    if templates_dir is None:
        return default_templates_dir() / "email"
    folder = Path(templates_dir)
    if (folder / "email").is_dir() and not any(folder.glob("*.body.j2")):
        return folder / "email"
    return folder


def load_templates(templates_dir: str | Path | None = None) -> EmailTemplates:
    """Load and validate every template in the folder.

    Raises :class:`TemplateError` naming the file and line of a syntax error, a tone missing
    its subject or body, a missing ``signature.j2`` that a body includes, or a malformed
    ``details.yaml``.
    """
    folder = email_templates_dir(templates_dir)
    if not folder.is_dir():
        raise TemplateError(
            f"email template folder {folder} does not exist: restore templates/email/ or "
            "set INTERVIEW_TEMPLATES_DIR"
        )
    env = _make_env(folder)
    files = sorted(p.name for p in folder.glob("*.j2"))
    for name in files:
        path = folder / name
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(f"cannot read email template {path}: {exc}") from None
        try:
            env.parse(source, name=name, filename=str(path))
        except TemplateSyntaxError as exc:
            raise TemplateError(
                f"syntax error in email template {path}, line {exc.lineno}: {exc.message}"
            ) from None
    tones: list[str] = []
    pattern = re.compile(r"^([A-Za-z0-9_-]+)\.(subject|body)(?:\.(us|ca))?\.j2$")
    seen: dict[str, set[str]] = {}
    for name in files:
        m = pattern.match(name)
        if m and not m.group(3):
            seen.setdefault(m.group(1), set()).add(m.group(2))
    for tone, parts in sorted(seen.items()):
        missing = {"subject", "body"} - parts
        if missing:
            raise TemplateError(
                f"email tone {tone!r} in {folder} has no {missing.pop()} template: add "
                f"{tone}.{'subject' if 'subject' not in parts else 'body'}.j2"
            )
        tones.append(tone)
    if not tones:
        raise TemplateError(
            f"no email templates in {folder}: expected TONE.subject.j2 and TONE.body.j2 files"
        )
    # the shipped order first, then any others alphabetically
    order = {"formal": 0, "warm": 1, "concise": 2}
    tones.sort(key=lambda t: (order.get(t, 9), t))
    return EmailTemplates(folder, env, tones, files, _load_details(folder / "details.yaml"),
                          _load_roles(folder / "roles.yaml", env, tones),
                          _load_phrasings(folder / "phrasings.yaml", env, tones))


def _load_details(path: Path) -> dict[str, list[str]]:
    """``details.yaml``: ``{feature id: [detail template, ...]}`` plus optional ``generic``."""
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise TemplateError(f"invalid YAML in {path}{where}: {exc}") from None
    if not isinstance(data, dict):
        raise TemplateError(f"{path} must map feature ids to lists of detail phrases")
    out: dict[str, list[str]] = {}
    for key, items in data.items():
        if key not in FEATURES and key not in ("generic", "mission"):
            raise TemplateError(
                f"{path}: unknown feature {key!r}; use one of {', '.join(sorted(FEATURES))}, "
                "'mission' or 'generic'"
            )
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise TemplateError(f"{path}: {key!r} must be a list of non-empty phrases")
        out[key] = [i.strip() for i in items]
    return out


# --------------------------------------------------------------------------- roles, phrasings


_ROLE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_role_line(value: str | dict[str, str]) -> str | dict[str, str]:
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()
    if "default" not in value:
        raise ValueError("a line given per tone needs a 'default' sentence for other tones")
    if not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise ValueError("every sentence must be non-empty")
    return {k: v.strip() for k, v in value.items()}


class _GenericRoleSpec(BaseModel):
    """The ``generic`` entry of ``roles.yaml``: the sentence for a role not listed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    line: str | dict[str, str]

    @field_validator("line")
    @classmethod
    def _line(cls, value: str | dict[str, str]) -> str | dict[str, str]:
        return _check_role_line(value)


class _RoleSpec(_GenericRoleSpec):
    """One entry of ``roles.yaml``."""

    label: str = Field(min_length=1)
    titles: list[str] = Field(min_length=1)

    @field_validator("titles")
    @classmethod
    def _titles(cls, value: list[str]) -> list[str]:
        value = [" ".join(t.split()) for t in value]
        if not all(value):
            raise ValueError("must be a list of non-empty title phrases")
        return value


class _PhrasingsSpec(BaseModel):
    """One tone of ``phrasings.yaml``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    openings: list[str] = Field(min_length=1)
    closings: list[str] = Field(min_length=1)
    signoffs: list[str] = Field(min_length=1)
    experience: str = ""

    @field_validator("openings", "closings", "signoffs")
    @classmethod
    def _phrases(cls, value: list[str]) -> list[str]:
        value = [v.strip() for v in value]
        if not all(value):
            raise ValueError("must be a list of non-empty sentences")
        if len({v.lower() for v in value}) != len(value):
            raise ValueError("has the same sentence twice: each phrasing must differ")
        return value


@dataclass(frozen=True)
class Role:
    """An interviewer role (``roles.yaml``): its id, label, title phrases and sentence(s)."""

    id: str
    label: str
    titles: tuple[str, ...]
    lines: dict[str, str]  # tone -> sentence template; "default" for the others

    def line_for(self, tone: str) -> str:
        return self.lines.get(tone, self.lines["default"])

    def matches(self, text: str) -> bool:
        """Whether one of the role's title phrases is in ``text`` (whole words, any case)."""
        return bool(_title_matcher(self.titles).find(text or ""))


@lru_cache(maxsize=256)
def _title_matcher(titles: tuple[str, ...]) -> PhraseMatcher:
    """The core's one phrase matcher (whole words, any case, hyphen or space between words)."""
    return PhraseMatcher(titles, joinable=True)


@dataclass
class Roles:
    """The roles of ``roles.yaml`` in file order, plus the generic sentence."""

    roles: list[Role]
    generic: dict[str, str]

    @property
    def labels(self) -> list[str]:
        return [r.label for r in self.roles]

    def get(self, key: str) -> Role | None:
        """A role by id or label (any case, spaces or underscores)."""
        norm = "_".join((key or "").lower().replace("-", " ").split())
        for r in self.roles:
            if norm in (r.id, "_".join(r.label.lower().split())):
                return r
        return None

    def from_title(self, title: str) -> Role | None:
        """The first role (file order) with a title phrase in ``title``; None if none."""
        title = " ".join((title or "").split())
        if not title:
            return None
        for r in self.roles:
            if r.matches(title):
                return r
        return None

    def resolve(self, role: str = "", title: str = "") -> Role | None:
        """The interviewer's role: the given role (id, label or a title phrase), else the
        role inferred from the title; None (the generic sentence) when neither matches, or
        when the role is given as "other" or "generic"."""
        if "_".join((role or "").lower().split()) in ("other", "generic"):
            return None
        return self.get(role) or self.from_title(role) or self.from_title(title)

    def line_for(self, role: Role | None, tone: str) -> tuple[str, str]:
        """``(sentence template, where)`` for a role (None: the generic one)."""
        if role is not None:
            return role.line_for(tone), f"roles.yaml ({role.id})"
        return self.generic.get(tone, self.generic.get("default", "")), "roles.yaml (generic)"


@dataclass(frozen=True)
class Phrasings:
    """One tone's openings, closings and sign-offs (``phrasings.yaml``)."""

    openings: tuple[str, ...]
    closings: tuple[str, ...]
    signoffs: tuple[str, ...]
    experience: str = ""

    def pick(self, position: int) -> tuple[str, str, str]:
        """``(opening, closing, signoff)`` for the draft at ``position`` (0-based).

        Position ``a + n*k`` (``n`` openings) takes opening ``a`` and closing ``(a + k) % m``
        (``m`` closings): the first drafts differ in both sentences, and no two of the first
        ``n * m`` drafts share both.
        """
        n, m = len(self.openings), len(self.closings)
        a, k = position % n, (position // n) % m
        return (self.openings[a], self.closings[(a + k) % m],
                self.signoffs[position % len(self.signoffs)])

    @property
    def combinations(self) -> int:
        return len(self.openings) * len(self.closings)


def _read_yaml(path: Path, what: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise TemplateError(f"invalid YAML in {path}{where}: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"cannot read {what} {path}: {exc}") from None


def _problems(path: Path, key: str, exc: ValidationError) -> TemplateError:
    parts = [f"{'.'.join(str(x) for x in (key, *loc) if not str(x).startswith(('str', 'dict')))}"
             f": {msg}" for loc, msg in validation_problems(exc)]
    return TemplateError(f"{path}: " + "; ".join(parts))


def _check_jinja(env: SandboxedEnvironment, path: Path, where: str, source: str) -> None:
    try:
        env.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{path}: {where}: Jinja2 syntax error: {exc.message}") from None


def _check_tones(path: Path, where: str, keys: Iterable[str], tones: list[str],
                 extra: tuple[str, ...] = ()) -> None:
    for key in keys:
        if key not in tones and key not in extra:
            allowed = ", ".join([*tones, *extra])
            raise TemplateError(f"{path}: {where}: unknown tone {key!r}; use one of {allowed}")


def _load_roles(path: Path, env: SandboxedEnvironment, tones: list[str]) -> Roles:
    """``roles.yaml``: ``{role id: {label, titles, line}}`` in priority order, plus ``generic``.

    Without the file every interviewer gets no role sentence (an empty ``role_line``).
    """
    if not path.exists():
        return Roles([], {"default": ""})
    data = _read_yaml(path, "interviewer roles file")
    if not isinstance(data, dict) or not data:
        raise TemplateError(f"{path} must map role ids (such as program_director) to a label, "
                            "title phrases and a line, plus a 'generic' line")
    roles: list[Role] = []
    generic: dict[str, str] | None = None
    labels: dict[str, str] = {}
    for key, entry in data.items():
        key = str(key)
        if not isinstance(entry, dict):
            raise TemplateError(f"{path}: role {key!r} must have label, titles and line")
        try:
            spec = (_GenericRoleSpec if key == "generic" else _RoleSpec).model_validate(entry)
        except ValidationError as exc:
            raise _problems(path, key, exc) from None
        lines = {"default": spec.line} if isinstance(spec.line, str) else dict(spec.line)
        _check_tones(path, f"{key}.line", lines, tones, ("default",))
        for tone, source in lines.items():
            _check_jinja(env, path, f"{key}.line" + ("" if tone == "default" else f".{tone}"),
                         source)
        if key == "generic":
            generic = lines
            continue
        if not _ROLE_ID.match(key):
            raise TemplateError(f"{path}: role id {key!r} must be lower case letters, digits "
                                "and underscores, e.g. program_director")
        label = spec.label.lower()
        if label in labels:
            raise TemplateError(f"{path}: roles {labels[label]!r} and {key!r} have the same "
                                f"label {spec.label!r}")
        labels[label] = key
        roles.append(Role(key, spec.label, tuple(spec.titles), lines))
    if generic is None:
        raise TemplateError(f"{path}: add a 'generic' role with a line for interviewers whose "
                            "role is unknown")
    return Roles(roles, generic)


def _load_phrasings(path: Path, env: SandboxedEnvironment,
                    tones: list[str]) -> dict[str, Phrasings]:
    """``phrasings.yaml``: ``{tone: {openings, closings, signoffs, experience}}``."""
    if not path.exists():
        return {}
    data = _read_yaml(path, "phrasings file")
    if not isinstance(data, dict) or not data:
        raise TemplateError(f"{path} must map tones ({', '.join(tones)}) to openings, closings "
                            "and signoffs")
    _check_tones(path, "top level", (str(k) for k in data), tones)
    out: dict[str, Phrasings] = {}
    for tone, entry in data.items():
        if not isinstance(entry, dict):
            raise TemplateError(f"{path}: {tone} must have openings, closings and signoffs")
        try:
            spec = _PhrasingsSpec.model_validate(entry)
        except ValidationError as exc:
            raise _problems(path, str(tone), exc) from None
        for part in ("openings", "closings", "signoffs"):
            for n, source in enumerate(getattr(spec, part), 1):
                _check_jinja(env, path, f"{tone}.{part} #{n}", source)
        if spec.experience:
            _check_jinja(env, path, f"{tone}.experience", spec.experience)
        out[str(tone)] = Phrasings(tuple(spec.openings), tuple(spec.closings),
                                   tuple(spec.signoffs), spec.experience)
    return out


def _template_line(exc: BaseException, filename_suffix: str = ".j2") -> tuple[str, int] | None:
    """The innermost template file and line in an exception's traceback (Jinja rewrites
    tracebacks so template frames carry the template's file name and line)."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and frame.filename.endswith(filename_suffix):
            found = (Path(frame.filename).name, frame.lineno or 0)
    return found


def _render(templates: EmailTemplates, name: str, context: dict[str, Any]) -> str:
    """Render one template, turning every Jinja failure into a clear :class:`TemplateError`."""
    where = templates.folder / name
    try:
        template = templates.env.get_template(name)
        text = template.render(context)
    except TemplateNotFound as exc:
        raise TemplateError(
            f"email template {where} includes {exc.name!r}, which does not exist in "
            f"{templates.folder}"
        ) from None
    except SecurityError as exc:
        loc = _template_line(exc)
        at = f"{loc[0]}, line {loc[1]}" if loc else name
        raise TemplateError(
            f"email template {at}: uses something templates may not use ({exc}); use only "
            "the documented fields such as candidate.name, interviewer.name, program.name, detail"
        ) from None
    except UndefinedError as exc:
        loc = _template_line(exc)
        at = f"{loc[0]}, line {loc[1]}" if loc else name
        raise TemplateError(
            f"email template {at}: {exc.message}; give it a value or remove it from the template"
        ) from None
    except TemplateSyntaxError as exc:
        raise TemplateError(
            f"syntax error in email template {exc.filename or where}, line {exc.lineno}: "
            f"{exc.message}"
        ) from None
    except JinjaTemplateError as exc:
        raise TemplateError(f"email template {where} cannot be rendered: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any other failure inside a coach's template
        loc = _template_line(exc)
        at = f"{loc[0]}, line {loc[1]}" if loc else name
        raise TemplateError(f"email template {at} failed: {type(exc).__name__}: {exc}") from None
    return text


def _check_no_tags(text: str, name: str, inputs: Iterable[str]) -> None:
    """A draft must never carry a template tag of its own (user-typed braces are kept)."""
    for tag in ("{{", "{%", "{#"):
        if tag in text and not any(tag in (v or "") for v in inputs):
            raise TemplateError(
                f"email template {name} left a literal {tag!r} in the draft; fix the template"
            )


# --------------------------------------------------------------------------- helpers


def count_words(text: str) -> int:
    """Words as a reader counts them (e-mail addresses and numbers count as one word)."""
    return len(re.findall(r"\S+", text or ""))


def greeting_name(name: str) -> str:
    """"Dr. Maria Lopez" -> "Dr. Lopez"; a name without honorific is used in full."""
    name = " ".join(name.split())
    m = _HONORIFIC.match(name)
    if m:
        rest = name[m.end():].split()
        if rest:
            honorific = m.group(1).capitalize()
            honorific = {"Doctor": "Dr", "Professor": "Professor"}.get(honorific, honorific)
            dot = "" if honorific == "Professor" else "."
            return f"{honorific}{dot} {rest[-1]}"
    return name


def send_by_for(interview_at: datetime | date) -> datetime:
    """The deadline: 24 hours after the interview (a bare date means 09:00 that day)."""
    if isinstance(interview_at, datetime):
        start = interview_at
    elif isinstance(interview_at, date):
        start = datetime.combine(interview_at, DEFAULT_INTERVIEW_TIME)
    else:
        raise TemplateError(
            f"interview date {interview_at!r} is not a date: use YYYY-MM-DD (and HH:MM)"
        )
    return start + timedelta(hours=SEND_WITHIN_HOURS)


def _one_line(value: str) -> str:
    """Names and subjects go into headers: collapse any line breaks and runs of spaces."""
    return " ".join((value or "").split())


def _interview_fields(interview_at: datetime | date) -> Fields:
    day = interview_at.date() if isinstance(interview_at, datetime) else interview_at
    values = {
        "date": f"{day:%B} {day.day}, {day.year}",
        "weekday": f"{day:%A}",
        "time": f"{interview_at:%H:%M}" if isinstance(interview_at, datetime) else "",
        "iso": day.isoformat(),
    }
    return Fields("interview", values)


def _program_fields(profile: ProgramProfile) -> Fields:
    """``program.*``: the profile's template context plus email-friendly fields that are
    empty (not a placeholder) when unknown: ``specialty_name``, ``region_name``, ``field``
    (the specialty in lower case, or "medicine")."""
    values = profile.template_context()
    values.update({
        "specialty_name": profile.specialty_name or "",
        "region_name": (US_STATE_NAMES.get((profile.region or "").upper(), profile.region or "")
                        if profile.country == "us" else profile.region_name or ""),
        "city_name": profile.city or "",
        "field": (profile.specialty_name or "medicine").lower(),
    })
    return Fields("program", values)


def _context(candidate: Candidate, interviewer: Interviewer, profile: ProgramProfile,
             detail: str, tone: str, interview_at: datetime | date) -> dict[str, Any]:
    country = profile.country
    id_value = candidate.aamc_id if country == "us" else candidate.carms_id
    cand = Fields("candidate", {
        "name": _one_line(candidate.name), "email": candidate.email.strip(),
        "phone": candidate.phone.strip(), "aamc_id": candidate.aamc_id.strip(),
        "carms_id": candidate.carms_id.strip(), "id_label": ID_LABELS[country],
        "id_value": (id_value or "").strip(),
    })
    inter = Fields("interviewer", {
        "name": _one_line(interviewer.name), "title": _one_line(interviewer.title),
        "role": _one_line(interviewer.role), "email": interviewer.email.strip(),
        "greeting": greeting_name(interviewer.name),
    })
    return {
        "candidate": cand,
        "interviewer": inter,
        "program": _program_fields(profile),
        "detail": detail.strip(),
        "tone": tone,
        "country": country,
        "interview": _interview_fields(interview_at),
        "sp": Fields("sp", SPELLINGS[country]),
    }


# --------------------------------------------------------------------------- suggestions


_CLAUSE_SPLIT = re.compile(r"[,;:()\u2014]|\s-\s|\b(?:because|but|so that|although|which)\b",
                           re.IGNORECASE)
_FILLER_START = re.compile(
    r"^(?:(?:um+|uh+|er+|so|well|and|also|like|you know|i think|i mean|i believe|i feel|"
    r"honestly|basically|actually)\b[\s,]*)+",
    re.IGNORECASE,
)
_PRONOUN_START = re.compile(r"^(i|we|you|they|it|he|she|there)\b", re.IGNORECASE)
_STOP = set("""a an the and or of to in on for with at by from as is are was were be been this
that these those our your their its it we you they i my me us program programs residency
residents resident training patients patient care mission committed commitment dedicated
provide providing provides will who whose which through into across all each more most
physicians physician medical medicine health""".split())


def _answer_texts(answers: Any) -> list[str]:
    """Accept strings, dicts (``text``/``transcript``) or objects with ``.text``."""
    out: list[str] = []
    for item in answers or []:
        if isinstance(item, str):
            text = item
        elif isinstance(item, dict):
            text = item.get("text") or item.get("transcript") or ""
            if isinstance(text, dict):
                text = text.get("text", "")
        else:
            text = getattr(item, "text", None) or getattr(item, "transcript", None) or ""
            text = getattr(text, "text", text)
        if isinstance(text, str) and text.strip():
            out.append(text)
    return out


def _local_term_spans(country: str):
    """A function giving the spans of local-system terms (CaRMS, CanMEDS, FQHC...) in a text,
    from the scoring lexicons; terms about the applicant's own hurdles (exams, visas,
    licensure: ``img_concern``) are left out, as they make poor thank-you details."""
    try:
        from interview.lexicon import load_lexicon

        lexicon = load_lexicon(country)
    except Exception:  # noqa: BLE001 - the lexicon only enriches the suggestions
        return lambda text: []

    def spans(text: str) -> list[tuple[int, int]]:
        return [(m.start, m.end) for m in lexicon.find(text) if not m.img_concern]

    return spans


def _phrase_around(sentence: str, start: int, end: int, max_words: int = 14) -> str:
    """The clause of ``sentence`` holding ``[start, end)``, trimmed into a detail phrase."""
    cuts = [0] + [m.end() for m in _CLAUSE_SPLIT.finditer(sentence) if m.end() <= start]
    left = max(cuts)
    right_m = [m.start() for m in _CLAUSE_SPLIT.finditer(sentence) if m.start() >= end]
    right = min(right_m) if right_m else len(sentence)
    clause = sentence[left:right].strip(" .!?\"'\n\t")
    clause = _FILLER_START.sub("", clause).strip()
    words = clause.split()
    if len(words) > max_words:
        # keep a window centred on the match
        rel = len(sentence[left:start].split())
        lo = max(0, min(rel - max_words // 3, len(words) - max_words))
        words = words[lo: lo + max_words]
        clause = " ".join(words)
    if not clause:
        return ""
    # "At my observership I saw how an FQHC serves..." -> "how an FQHC serves..."
    seen = re.match(r"^(?:[^,]{0,40}?\s)?I (?:saw|learned|learnt|realized|realised|noticed|"
                    r"understood|discovered|appreciated) (?=(?:how|why) )", clause)
    if seen:
        return clause[seen.end():]
    if _PRONOUN_START.match(clause):
        first = clause.split()[0]
        clause = "how " + ("I" if first.lower() == "i" else first.lower()) + clause[len(first):]
    elif not clause[:2].isupper():  # keep acronyms such as "FQHC"
        clause = clause[0].lower() + clause[1:]
    return clause


def _mission_keywords(profile: ProgramProfile) -> list[str]:
    words = [w for w in text_words(profile.mission or "")
             if len(w) >= 4 and w[0].isalpha() and w.lower() not in _STOP]
    seen: list[str] = []
    for w in words:
        if w.lower() not in (s.lower() for s in seen):
            seen.append(w)
    return seen


def suggest_details(profile: ProgramProfile, answers: Any = None,
                    templates_dir: str | Path | None = None, limit: int = 8) -> list[str]:
    """Conversation details the applicant can pick from rather than type from nothing.

    Order: phrases from what the applicant said in a saved session (``answers``: strings,
    dicts with ``text``/``transcript`` or objects with ``.text``) that mention the program's
    features, mission words or local-system terms; then the program's mission; then the
    feature phrases of ``templates/email/details.yaml``; then its generic phrases.
    """
    templates = load_templates(templates_dir)
    out: list[str] = []

    def add(item: str) -> None:
        item = " ".join(item.split()).strip(" .")
        if item and item.lower() not in (o.lower() for o in out):
            out.append(item)

    # 1. what the applicant said: program feature and mission words first, then local terms
    patterns: list[str] = []
    for key in profile.all_features:
        patterns.extend(FEATURES[key][1])
    patterns.extend(re.escape(w) for w in _mission_keywords(profile))
    rx = re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)", re.IGNORECASE) \
        if patterns else None
    local_spans = _local_term_spans(profile.country)
    later: list[str] = []
    for text in _answer_texts(answers):
        for sentence in sentence_texts(text):
            m = rx.search(sentence) if rx else None
            if m:
                phrase = _phrase_around(sentence, m.start(), m.end())
                if len(phrase.split()) >= 3:
                    add(phrase)
                continue
            for start, end in local_spans(sentence)[:1]:
                phrase = _phrase_around(sentence, start, end)
                if len(phrase.split()) >= 3:
                    later.append(phrase)
    for phrase in later:
        add(phrase)

    # 2. the mission statement
    ctx = {"program": _program_fields(profile),
           "sp": Fields("sp", SPELLINGS[profile.country]), "country": profile.country}
    m = re.search(r"\b(?:mission|commitment|committed|dedicated|strive|aim|goal)\b[^.;]*?\bto\s+"
                  r"([^.;]{8,120})", profile.mission or "", re.IGNORECASE)
    if m:
        add(f"the program's commitment to {m.group(1).strip()}")

    # 3. features, from details.yaml (coach-editable)
    for key in profile.all_features:
        for item in templates.details.get(key, []):
            add(_render_string(templates, item, ctx, f"details.yaml ({key})"))
    if profile.mission and not m:
        for item in templates.details.get("mission", []):
            add(_render_string(templates, item, ctx, "details.yaml (mission)"))
    for item in templates.details.get("generic", []):
        add(_render_string(templates, item, ctx, "details.yaml (generic)"))
    return out[:limit] if limit else out


_EXPERIENCE = re.compile(
    r"\bI (?:have |had |also )?(?:grew up|worked|volunteered|served|spent|trained|completed|"
    r"did|led|cared for|lived|taught|ran|founded|organized|organised|started|practised|"
    r"practiced|helped|studied|built|was born|was raised|have seen|saw first-hand|"
    r"saw firsthand)\b", re.IGNORECASE)
_VAGUE = re.compile(r"\s+(?:it|this|that|these|those|them|there|so)\b", re.IGNORECASE)
_EXTRA_STOP = {"how", "what", "want", "like", "there", "here", "about", "would", "could",
               "really", "very", "much", "many", "them", "also", "when", "where"}


def _content_words(text: str) -> set[str]:
    return {fold(w) for w in text_words(text or "")
            if len(w) >= 4 and w[0].isalpha() and fold(w) not in _STOP and fold(w) not in _EXTRA_STOP}


def experience_for(detail: str, answers: Any, max_words: int = 16) -> str:
    """A clause from the applicant's own saved answers that ties ``detail`` to their
    experience ("I grew up in a small town"), or "" when there is none to quote naturally.

    Only the sentence the detail came from (it contains the detail, or shares at least two
    content words with it) is used, and only a first-person clause about something the
    applicant did or lived ("I worked", "I grew up", "I volunteered"...) of 4 to
    ``max_words`` words that does not address the interviewer, does not start with a vague
    "it"/"there" and is not the detail itself.
    """
    detail_norm = " ".join((detail or "").lower().split())
    if not detail_norm:
        return ""
    wanted = _content_words(detail)
    for text in _answer_texts(answers):
        for sentence in sentence_texts(text):
            flat = " ".join(sentence.split())
            core = detail_norm.removeprefix("how ").removeprefix("i ")
            related = core in flat.lower() or (
                len(wanted) >= 2 and len(wanted & _content_words(flat)) >= 2)
            if not related:
                continue
            for m in _EXPERIENCE.finditer(flat):
                cut = _CLAUSE_SPLIT.search(flat, m.end())
                end = cut.start() if cut else len(flat)
                clause = flat[m.start():end].strip(" .!?\"'")
                words = clause.split()
                if not 4 <= len(words) <= max_words:
                    continue
                if re.search(r"\b(?:you|your|yours|um+|uh+)\b", clause, re.IGNORECASE):
                    continue
                if _VAGUE.match(flat, m.end()):   # "I did it", "I worked there": unclear
                    continue
                if clause.lower() in detail_norm or detail_norm in clause.lower():
                    continue
                return "I" + clause[1:]
    return ""


def _render_string(templates: EmailTemplates, source: str, ctx: dict[str, Any], where: str) -> str:
    try:
        return templates.env.from_string(source).render(ctx)
    except SecurityError as exc:
        raise TemplateError(f"{templates.folder / where}: not allowed in a template ({exc})") from None
    except UndefinedError as exc:
        raise TemplateError(f"{templates.folder / where}: {exc.message}") from None
    except JinjaTemplateError as exc:
        raise TemplateError(f"{templates.folder / where}: {exc}") from None


# --------------------------------------------------------------------------- drafting


def draft_emails(candidate: Candidate, profile: ProgramProfile,
                 interviewers: list[Interviewer], details: list[str] | None = None,
                 tone: str = "warm", interview_at: datetime | date | None = None,
                 templates_dir: str | Path | None = None,
                 answers: Any = None) -> list[EmailDraft]:
    """One thank-you draft per interviewer; ``details[i]`` goes to ``interviewers[i]``.

    Each draft is personal: a sentence suited to the interviewer's role (``roles.yaml``: the
    given role, else inferred from the title, else a generic sentence), an opening, closing
    and sign-off taken in turn by position (``phrasings.yaml``) so that no two drafts for the
    program read the same apart from names and details (a draft that still does gets a
    warning), and, when ``answers`` (saved practice answers, as for :func:`suggest_details`)
    tie the detail to the applicant's own experience, one sentence saying so.

    If fewer details than interviewers are given (or a detail is blank), the missing ones are
    filled from :func:`suggest_details`, each draft saying so in its ``warnings``; more details
    than interviewers is an error. ``interview_at`` is the interview's date or date and time
    (default: now); ``send_by`` is 24 hours later. Raises :class:`TemplateError` for a missing
    required field (naming it), an unknown tone or a broken template.
    """
    templates = load_templates(templates_dir)
    if tone not in templates.tones:
        raise TemplateError(f"unknown tone {tone!r}: choose one of {', '.join(templates.tones)}")
    if not candidate.name or not candidate.name.strip():
        raise TemplateError("missing field 'candidate.name': give the applicant's name")
    if not interviewers:
        raise TemplateError("no interviewers: give at least one interviewer's name")
    for i, person in enumerate(interviewers, 1):
        if not person.name or not person.name.strip():
            raise TemplateError(f"missing field 'interviewer.name' for interviewer {i}")
    details = [d.strip() if isinstance(d, str) else "" for d in (details or [])]
    if len(details) > len(interviewers):
        raise TemplateError(
            f"{len(details)} details for {len(interviewers)} interviewer(s): give one detail "
            "per interviewer, in the same order"
        )
    if interview_at is None:
        interview_at = datetime.now().replace(second=0, microsecond=0)
    send_by = send_by_for(interview_at)

    suggested: list[str] = []
    if len(details) < len(interviewers) or not all(details):
        used = {d.lower() for d in details if d}
        suggested = [s for s in suggest_details(profile, templates_dir=templates_dir, limit=0)
                     if s.lower() not in used]

    drafts: list[EmailDraft] = []
    skeletons: list[str] = []
    for i, person in enumerate(interviewers):
        warnings: list[str] = []
        detail = details[i] if i < len(details) else ""
        if not detail:
            if not suggested:
                raise TemplateError(
                    f"missing field 'detail' for interviewer {i + 1} ({person.name}): name "
                    "something specific from your conversation"
                )
            detail = suggested.pop(0)
            warnings.append(
                f"detail suggested from the program profile (\"{detail}\"): replace it with "
                "something you actually discussed"
            )
        ctx = _context(candidate, person, profile, detail, tone, interview_at)
        role = templates.roles.resolve(person.role, person.title)
        ctx["interviewer"]._values.update(role_id=role.id if role else "",
                                          role_label=role.label if role else "")
        ctx.update(position=i + 1, interviewer_count=len(interviewers))
        source, where = templates.roles.line_for(role, tone)
        ctx["role_line"] = _one_line(_render_string(templates, source, ctx, where))
        experience = experience_for(detail, answers) if answers else ""
        ctx["experience"] = experience
        ctx["experience_line"] = ""
        phr = templates.phrasings.get(tone)
        if phr is not None:
            opening, closing, signoff = phr.pick(i)
            for key, src, part in (("opening", opening, "openings"),
                                   ("closing", closing, "closings"),
                                   ("signoff", signoff, "signoffs")):
                ctx[key] = _one_line(_render_string(
                    templates, src, ctx, f"phrasings.yaml ({tone}.{part})"))
            if experience and phr.experience:
                ctx["experience_line"] = _one_line(_render_string(
                    templates, phr.experience, ctx, f"phrasings.yaml ({tone}.experience)"))
        inputs = [candidate.name, candidate.email, candidate.phone, candidate.aamc_id,
                  candidate.carms_id, person.name, person.title, person.role, person.email,
                  detail, profile.name, profile.mission, profile.city or "", profile.region or "",
                  experience]
        subject_name = templates.template_name(tone, "subject", profile.country)
        body_name = templates.template_name(tone, "body", profile.country)
        subject = _one_line(_render(templates, subject_name, ctx))
        body = _render(templates, body_name, ctx)
        body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
        _check_no_tags(subject, subject_name, inputs)
        _check_no_tags(body, body_name, inputs)
        if not subject:
            raise TemplateError(f"email template {subject_name} rendered an empty subject")
        words = count_words(body)
        if words > WORD_LIMIT:
            warnings.append(
                f"{words} words: thank-you emails work best at about {WORD_TARGET} words "
                f"(under {WORD_LIMIT}); shorten the detail or the body"
            )
        # the Match communication rules, on the draft as rendered (templates are editable)
        from interview.match_rules import check_email

        warnings.extend(w.message() for w in check_email(subject, body, profile.country))
        if not candidate.email.strip():
            warnings.append("no email address in your signature: add one so they can reply")
        if not person.email.strip():
            warnings.append(f"no email address for {_one_line(person.name)}: add it before sending")
        drafts.append(EmailDraft(
            to=_one_line(person.name), to_email=person.email.strip(), subject=subject,
            body=body, tone=tone, send_by=send_by, word_count=words, warnings=warnings,
            detail=detail, to_title=_one_line(person.title), country=profile.country,
            role=role.label if role else "",
        ))
        skeletons.append(_skeleton(body, [person.name, greeting_name(person.name),
                                          person.title, detail, experience, candidate.name]))
    for i, skeleton in enumerate(skeletons):
        for j in range(i):
            if skeleton == skeletons[j]:
                drafts[i].warnings.append(
                    f"reads the same as the draft to {drafts[j].to} apart from names and "
                    "details: program staff compare notes, so change a sentence (or add "
                    "openings and closings to phrasings.yaml)"
                )
                break
    return drafts


def _skeleton(body: str, personal: list[str]) -> str:
    """The body with the personal parts (names, title, detail...) blanked out."""
    out = body
    for text in sorted({" ".join((t or "").split()) for t in personal if t and t.strip()},
                       key=len, reverse=True):
        out = out.replace(text, "\x00")
    return " ".join(out.split()).lower()


# --------------------------------------------------------------------------- export


def to_eml(draft: EmailDraft, from_addr: str = "") -> bytes:
    """An RFC 5322 message (``.eml``) a mail client opens as an unsent draft."""
    msg = EmailMessage()
    if from_addr.strip():
        msg["From"] = _one_line(from_addr)
    if draft.to_email.strip():
        msg["To"] = formataddr((_one_line(draft.to), draft.to_email.strip()))
    msg["Subject"] = _one_line(draft.subject)
    msg["X-Unsent"] = "1"  # Outlook and others open it as a draft to send
    msg.set_content(draft.body)
    return msg.as_bytes()


def mailto_url(draft: EmailDraft) -> str:
    """``mailto:`` link with subject and body percent-encoded (RFC 6068, CRLF line breaks)."""
    body = draft.body.replace("\r\n", "\n").replace("\n", "\r\n")
    address = quote(draft.to_email.strip(), safe="@")
    return (f"mailto:{address}?subject={quote(_one_line(draft.subject), safe='')}"
            f"&body={quote(body, safe='')}")


def format_draft(draft: EmailDraft) -> str:
    """A readable plain-text rendering for the terminal."""
    to = f"{draft.to} <{draft.to_email}>" if draft.to_email else draft.to
    lines = [f"To: {to}", f"Subject: {draft.subject}",
             f"Send by: {draft.send_by:%A %B %d, %Y %H:%M} ({draft.word_count} words, "
             f"{draft.tone})", "", draft.body.rstrip()]
    for w in draft.warnings:
        lines.append(f"! {w}")
    return "\n".join(lines)
