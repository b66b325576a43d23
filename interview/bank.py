"""The question bank: interview questions as data, validated on load.

The bank is a folder of YAML files, one per category (``question_bank/<category>.yaml``,
format in ``question_bank/README.md``). :func:`load_bank` reads every file, validates each
question with pydantic, test-renders every template against neutral and sample profiles, and
collects *all* problems before raising one :class:`~interview.errors.BankError` whose lines
each name the file (and line), the question id and the field. Loaded banks are cached per
folder and file modification times, so an edit made by a coach is picked up on the next load.

Question texts and follow-ups are Jinja2 templates rendered in a sandbox with strict
undefined variables; only the ``program.*`` variables listed in :data:`TEMPLATE_VARIABLES`
exist.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import jinja2
import yaml
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from pydantic import (BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError,
                      field_validator)

from .errors import BankError, validation_problems
from .paths import bank_dir
from .profile import FEATURES, SPECIALTIES, ProgramProfile, make_profile, neutral_profile

#: Every category the bank accepts; each file's ``category`` must be one of these.
CATEGORIES: tuple[str, ...] = (
    "personal",
    "program_fit",
    "behavioural",
    "ethics",
    "communication",
    "img",
    "career",
    "questions_for_us",
    "us_system",
    "ca_system",
    "specialty",
    "rural_underserved",
    "research",
    "teaching",
    "wellness",
    "mmi",
)

#: Display names for categories (UI, readable CLI output).
CATEGORY_LABELS: dict[str, str] = {
    "personal": "Personal and motivation",
    "program_fit": "Program fit",
    "behavioural": "Behavioural and clinical situations",
    "ethics": "Ethics and professionalism",
    "communication": "Communication and culture",
    "img": "IMG journey",
    "career": "Career goals",
    "questions_for_us": "Questions for the program",
    "us_system": "U.S. health system",
    "ca_system": "Canadian health system",
    "specialty": "Specialty",
    "rural_underserved": "Rural, underserved and return of service",
    "research": "Research",
    "teaching": "Teaching",
    "wellness": "Wellness",
    "mmi": "MMI station",
}

Kind = Literal["opening", "motivation", "behavioural", "scenario", "knowledge", "applicant_questions"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

#: What each kind means for the applicant (shown in the UI and the bank README).
KIND_LABELS: dict[str, str] = {
    "opening": "Opening question",
    "motivation": "Motivation",
    "behavioural": "Behavioural (use STAR: situation, task, action, result)",
    "scenario": "Scenario / MMI station",
    "knowledge": "Health-system knowledge",
    "applicant_questions": "Your questions for the program",
}

#: The variables a question template may use, all under ``program``.
TEMPLATE_VARIABLES: tuple[str, ...] = ("name", "country_name", "region", "city", "specialty", "mission")

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class QuestionNotFound(BankError):
    """A question id that the bank does not contain."""


# --------------------------------------------------------------------------- templates

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=4096)
def _compile(source: str) -> jinja2.Template:
    return _ENV.from_string(source)


def template_context(profile: ProgramProfile) -> dict[str, Any]:
    """The ``program`` variables available to question templates (and nothing more)."""
    full = profile.template_context()
    return {"program": {key: full[key] for key in TEMPLATE_VARIABLES}}


def render_template(source: str, profile: ProgramProfile, context: dict | None = None) -> str:
    """Render one question template for ``profile``; whitespace is collapsed to single spaces.

    ``context``: :func:`template_context` of the profile, when rendering many templates.

    Raises :class:`BankError` if the template uses a variable that does not exist or is
    not valid Jinja2 (the bank validates this on load, so it only happens for texts that
    did not come from a loaded bank).
    """
    try:
        text = _compile(source).render(context if context is not None else template_context(profile))
    except jinja2.TemplateError as exc:
        raise BankError(f"question template {source!r} cannot be rendered: {_jinja_message(exc)}") from None
    return " ".join(text.split())


def _jinja_message(exc: jinja2.TemplateError) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return (f"{exc.message}; available variables: "
                + ", ".join(f"program.{v}" for v in TEMPLATE_VARIABLES))
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template syntax error (line {exc.lineno} of the template): {exc.message}"
    return str(exc) or exc.__class__.__name__


# --------------------------------------------------------------------------- the model

class FollowUp(BaseModel):
    """A follow-up with a trigger: asked when the answer mentions (or misses) a concept.

    Each entry of ``mentions`` / ``misses`` is a concept group id of the program's country
    lexicon (``rubrics/lexicons/<country>.yaml``, e.g. ``us_clinical_experience``) or, if
    no group has that id, a plain phrase ("externship")."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    text: str = Field(min_length=1, description="Jinja2 template")
    mentions: list[str] = Field(default_factory=list)
    misses: list[str] = Field(default_factory=list)

    @field_validator("mentions", "misses", mode="before")
    @classmethod
    def _concepts(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list) and any(not isinstance(x, str) or not x.strip() for x in v):
            raise ValueError("every concept must be a non-empty text (a lexicon group id or a phrase)")
        return v

    def trigger(self) -> dict | None:
        """``{"mentions": [...], "misses": [...]}``, or None for a follow-up without one."""
        if not self.mentions and not self.misses:
            return None
        return {"mentions": list(self.mentions), "misses": list(self.misses)}


class Question(BaseModel):
    """One interview question as written in the bank (texts are unrendered templates)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(min_length=1)
    text: str = Field(min_length=1, description="Jinja2 template")
    category: str
    kind: Kind
    opening: Literal[1, 2, 3] | None = None
    countries: list[Literal["us", "ca"]] = Field(default_factory=lambda: ["us", "ca"])
    specialties: list[str] = Field(default_factory=list)
    features: list[str] = Field(default_factory=list)
    suggested_seconds: int = Field(default=120, ge=15, le=600)
    follow_ups: list[Annotated[Union[Annotated[str, Tag("text")],
                                     Annotated[FollowUp, Tag("with trigger")]],
                               Discriminator(lambda v: "text" if isinstance(v, str)
                                             else "with trigger")]] = Field(default_factory=list)
    look_for: str = Field(min_length=1)
    #: criteria this question assesses beyond the defaults of its kind and category (e.g. a
    #: wellness question about adjusting to the local medical culture invites
    #: local_system_familiarity), and criteria it does not assess although the defaults would
    assesses: list[str] = Field(default_factory=list)
    not_assessed: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError(f"{v!r} is not a valid id: use lower-case letters, digits, '.', '-' or '_' "
                             "(e.g. 'behavioural.conflict-with-a-nurse')")
        return v

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        if v not in CATEGORIES:
            raise ValueError(f"unknown category {v!r}; allowed: {', '.join(CATEGORIES)}")
        return v

    @field_validator("countries", mode="before")
    @classmethod
    def _countries(cls, v):
        if v is None:
            return ["us", "ca"]
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list) and not v:
            raise ValueError("must list at least one country (us, ca), or leave the field out for both")
        if isinstance(v, list):
            bad = [c for c in v if c not in ("us", "ca")]
            if bad:
                raise ValueError(f"unknown country {bad[0]!r}; allowed: us, ca")
            return list(dict.fromkeys(v))
        return v

    @field_validator("specialties", mode="before")
    @classmethod
    def _specialties(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list):
            bad = [s for s in v if s not in SPECIALTIES]
            if bad:
                raise ValueError(f"unknown specialty {bad[0]!r}; allowed: {', '.join(SPECIALTIES)}")
        return v

    @field_validator("features", mode="before")
    @classmethod
    def _features(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list):
            bad = [f for f in v if f not in FEATURES]
            if bad:
                raise ValueError(f"unknown feature {bad[0]!r}; allowed: {', '.join(FEATURES)}")
        return v

    @field_validator("assesses", "not_assessed", mode="before")
    @classmethod
    def _criteria(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list):
            from .rubric import _registered

            known = _registered()
            bad = [c for c in v if c not in known]
            if bad:
                raise ValueError(f"unknown criterion {bad[0]!r}; known: {', '.join(sorted(known))}")
        return v

    @field_validator("look_for")
    @classmethod
    def _look_for(cls, v: str) -> str:
        if "{{" in v or "{%" in v:
            raise ValueError("is plain text, not a template: remove '{{ ... }}' / '{% ... %}' "
                             "(only 'text' and 'follow_ups' are filled from the program)")
        return v

    @field_validator("follow_ups", mode="before")
    @classmethod
    def _follow_ups(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            v = [v]
        if isinstance(v, list):
            for x in v:
                if isinstance(x, dict):
                    continue  # a follow-up with a trigger, validated as FollowUp
                if not isinstance(x, str) or not x.strip():
                    raise ValueError("every follow-up must be a non-empty text, or a mapping "
                                     "with 'text' and 'mentions' or 'misses'")
        return v

    # ------------------------------------------------------------------ behaviour

    @property
    def follow_up_texts(self) -> list[str]:
        """The follow-up templates, in bank order."""
        return [f if isinstance(f, str) else f.text for f in self.follow_ups]

    @property
    def follow_up_triggers(self) -> list[dict | None]:
        """Each follow-up's trigger (see :class:`FollowUp`), None where it has none."""
        return [None if isinstance(f, str) else f.trigger() for f in self.follow_ups]

    def suits(self, country: str, specialty: str | None, *, any_specialty: bool = False) -> bool:
        """Whether the question may be asked for a program in ``country`` and ``specialty``.

        A question limited to some specialties suits only those; with ``specialty=None``
        it is left out unless ``any_specialty`` is set (used when listing the whole bank).
        """
        if country not in self.countries:
            return False
        if not self.specialties:
            return True
        if specialty is None:
            return any_specialty
        return specialty in self.specialties

    def render(self, profile: ProgramProfile, context: dict | None = None) -> str:
        """The question text for ``profile``."""
        return render_template(self.text, profile, context)

    def render_follow_ups(self, profile: ProgramProfile, context: dict | None = None) -> list[str]:
        """The follow-up questions for ``profile``."""
        context = context if context is not None else template_context(profile)
        return [render_template(f, profile, context) for f in self.follow_up_texts]


@dataclass(frozen=True)
class QuestionBank:
    """All questions of one bank folder, in file then file order."""

    questions: tuple[Question, ...]
    path: Path | None = None
    files: tuple[Path, ...] = ()
    _by_id: dict[str, Question] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self._by_id:
            self._by_id.update({q.id: q for q in self.questions})

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self):
        return iter(self.questions)

    def __contains__(self, qid: object) -> bool:
        return qid in self._by_id

    @property
    def categories(self) -> list[str]:
        """The categories that have questions, in the canonical order of :data:`CATEGORIES`."""
        present = {q.category for q in self.questions}
        return [c for c in CATEGORIES if c in present]

    def get(self, qid: str) -> Question:
        """The question with id ``qid``; raises :class:`QuestionNotFound` if there is none."""
        try:
            return self._by_id[qid]
        except KeyError:
            raise QuestionNotFound(
                f"no question with id {qid!r} in the question bank"
                + (f" at {self.path}" if self.path else "")
                + "; list the ids with `python -m interview questions --country us --all --json`"
            ) from None

    def by_category(self, category: str) -> list[Question]:
        return [q for q in self.questions if q.category == category]

    def suiting(self, country: str, specialty: str | None = None, *, any_specialty: bool = False) -> list[Question]:
        """Questions that may be asked for a program in ``country`` (and ``specialty``)."""
        return [q for q in self.questions if q.suits(country, specialty, any_specialty=any_specialty)]

    def count_by_category(self) -> dict[str, int]:
        return {c: len(self.by_category(c)) for c in self.categories}


# --------------------------------------------------------------------------- loading

class _Loader(yaml.SafeLoader):
    """A safe YAML loader that rejects duplicate keys (a silent overwrite hides typos)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, yaml.Mark] = {}
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key].line + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_TOP_KEYS = {"category", "questions"}


@lru_cache(maxsize=4)
def _sample_profiles(country: str) -> tuple[ProgramProfile, ...]:
    """Profiles every template must render for: neutral, and fully described."""
    full = make_profile(
        name="Sample Program", country=country, region="ON" if country == "ca" else "NY",
        city="Sample City", specialty="family_medicine",
        mission="Sample mission: community care, research and teaching.",
    )
    return (neutral_profile(country), full)


@lru_cache(maxsize=4)
def _sample_contexts(country: str) -> tuple[dict, ...]:
    return tuple(template_context(p) for p in _sample_profiles(country))


def _read_file(path: Path, problems: list[str]) -> list[tuple[dict, int]] | None:
    """Parse one file: the file's question mappings with their line numbers, or ``None``."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8")
        return None
    except OSError as exc:
        problems.append(f"{name}: cannot be read ({exc.strerror or exc})")
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc)
        problems.append(f"{where}: malformed YAML: {problem}"
                        + (f" ({exc.context})" if getattr(exc, "context", None) else "")
                        + "; check indentation and quote texts that contain ':'")
        return None
    finally:
        loader.dispose()

    if data is None:
        problems.append(f"{name}: the file is empty; it needs 'category:' and 'questions:'")
        return None
    if not isinstance(data, dict):
        problems.append(f"{name}:1: expected a mapping with 'category:' and 'questions:', found {type(data).__name__}")
        return None
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        problems.append(f"{name}: unknown top-level key {unknown[0]!r}; a file has only 'category' and 'questions'")
    category = data.get("category")
    ok = True
    if category is None:
        problems.append(f"{name}: field 'category' is required (one of: {', '.join(CATEGORIES)})")
        ok = False
    elif category not in CATEGORIES:
        problems.append(f"{name}: unknown category {category!r}; allowed: {', '.join(CATEGORIES)}")
        ok = False
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        problems.append(f"{name}: field 'questions' must be a non-empty list of questions")
        return None
    if not ok:
        return None

    # line number of each question, from the composed node tree
    lines: list[int] = []
    for key_node, value_node in node.value:
        if key_node.value == "questions" and isinstance(value_node, yaml.SequenceNode):
            lines = [item.start_mark.line + 1 for item in value_node.value]
    out = []
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else 0
        if not isinstance(item, dict):
            problems.append(f"{name}:{line}: question #{i + 1}: expected a mapping of fields, found {type(item).__name__}")
            continue
        if "category" in item and item["category"] != category:
            qid = item.get("id", f"#{i + 1}")
            problems.append(f"{name}:{line}: question {qid!r}: field 'category': {item['category']!r} differs "
                            f"from the file's category {category!r}; move the question to its category's file")
            continue
        out.append((dict(item, category=category), line))
    return out


def _validate_question(item: dict, name: str, line: int, index: int, problems: list[str]) -> Question | None:
    qid = item.get("id")
    label = f"question {qid!r}" if isinstance(qid, str) and qid else f"question #{index + 1}"
    where = f"{name}:{line}" if line else name
    try:
        q = Question(**item)
    except ValidationError as exc:
        for loc_, msg in validation_problems(exc):
            loc = ".".join(map(str, loc_)) or "?"
            if msg.startswith("is not a known field"):
                msg += "; see question_bank/README.md"
            elif loc == "kind" and "kind" in item:
                msg = f"unknown kind {item.get('kind')!r}; allowed: {', '.join(KINDS)}"
            problems.append(f"{where}: {label}: field '{loc}': {msg}")
        return None

    if not q.id.startswith(q.category + "."):
        problems.append(f"{where}: {label}: field 'id': must start with the file's category, "
                        f"'{q.category}.' (e.g. '{q.category}.{q.id.split('.')[-1]}')")
        return None

    ok = True
    for country in q.countries:
        for context in _sample_contexts(country):
            for fname, source in [("text", q.text)] + [(f"follow_ups.{j}", f) for j, f in enumerate(q.follow_up_texts)]:
                try:
                    rendered = _compile(source).render(context)
                except jinja2.TemplateError as exc:
                    problems.append(f"{where}: {label}: field '{fname}': {_jinja_message(exc)}")
                    ok = False
                    break
                if not rendered.strip():
                    problems.append(f"{where}: {label}: field '{fname}': renders to an empty text "
                                    f"for a {country} program without details")
                    ok = False
                    break
            if not ok:
                return None
    return q


def bank_problems(path: str | Path | None = None) -> tuple[list[Question], list[Path], list[str]]:
    """Read and check a bank folder without raising: (questions, files, problems).

    Every problem is one line naming the file (and line), the question id and the field.
    """
    folder = Path(path) if path is not None else bank_dir()
    problems: list[str] = []
    if not folder.exists():
        return [], [], [f"{folder}: no such folder; pass --path DIR or set INTERVIEW_BANK_DIR"]
    if not folder.is_dir():
        return [], [], [f"{folder}: not a folder; a question bank is a folder of YAML files"]
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        return [], [], [f"{folder}: no question files (*.yaml) found"]

    questions: list[Question] = []
    first_seen: dict[str, str] = {}
    for path_ in files:
        items = _read_file(path_, problems)
        if items is None:
            continue
        for i, (item, line) in enumerate(items):
            q = _validate_question(item, path_.name, line, i, problems)
            if q is None:
                continue
            here = f"{path_.name}:{line}" if line else path_.name
            if q.id in first_seen:
                problems.append(f"{here}: question {q.id!r}: field 'id': duplicate id, "
                                f"already used in {first_seen[q.id]}; ids must be unique across the bank")
                continue
            first_seen[q.id] = here
            questions.append(q)
    return questions, files, problems


_CACHE: dict[Path, tuple[tuple, QuestionBank]] = {}
_CACHE_LOCK = threading.Lock()


def _signature(folder: Path) -> tuple:
    try:
        entries = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
        return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in entries)
    except OSError:
        return ()


def load_bank(path: str | Path | None = None) -> QuestionBank:
    """Load and validate the bank folder (default :func:`interview.paths.bank_dir`).

    Raises :class:`BankError` listing every problem, one per line. The result is cached
    until a file in the folder is added, removed or modified.
    """
    folder = Path(path) if path is not None else bank_dir()
    key = folder.resolve()
    sig = _signature(folder)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and sig and hit[0] == sig:
            return hit[1]
    questions, files, problems = bank_problems(folder)
    if problems:
        shown = problems[:20]
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise BankError(
            f"the question bank at {folder} has {len(problems)} problem(s):\n  "
            + "\n  ".join(shown) + more
            + f"\nFix the file(s) (format: question_bank/README.md), then run "
              f"`python -m interview bank validate --path {folder}`."
        )
    bank = QuestionBank(questions=tuple(questions), path=folder, files=tuple(files))
    with _CACHE_LOCK:
        _CACHE[key] = (sig, bank)
    return bank
