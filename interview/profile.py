"""Program profiles: the residency program an applicant is preparing for.

A profile names the program, its country (``us`` or ``ca``), state or province, city,
specialty, mission statement and features. Features can be given explicitly and are also
recognised in the mission text (``rural``, ``underserved``, ``return of service``...).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ProfileError, validation_problems

Country = Literal["us", "ca"]

COUNTRY_NAMES = {"us": "United States", "ca": "Canada"}

#: Every program feature the tool knows, with a label and the phrases that reveal it in a
#: mission statement or an answer: plain words, matched by the core's one phrase matcher
#: (:class:`interview.text.PhraseMatcher`: whole words, any case or accent, hyphens and
#: spaces alike, plurals too).
FEATURES: dict[str, tuple[str, list[str]]] = {
    "research": ("Research", ["research", "scholarly", "scholarship", "physician scientist", "clinician investigator"]),
    "academic": ("Academic / university", ["academic", "university", "tertiary", "quaternary"]),
    "community": ("Community-based", ["community based", "community hospital", "community program"]),
    "rural": ("Rural", ["rural", "small town"]),
    "remote": ("Remote / northern", ["remote", "northern", "fly in", "isolated community", "isolated communities"]),
    "underserved": ("Underserved populations", ["underserved", "under served", "safety net", "vulnerable",
                                                "marginalized", "marginalised", "health equity", "inner city", "FQHC",
                                                "federally qualified"]),
    "indigenous_health": ("Indigenous health", ["indigenous", "first nations", "metis", "inuit", "native american",
                                                "tribal", "american indian"]),
    "return_of_service": ("Return of service", ["return of service", "return for service", "service agreement"]),
    "img_friendly": ("IMG-friendly", ["international medical graduate", "IMG", "IMG friendly"]),
    "pre_match": ("Pre-match / IMG stream", ["pre match", "IMG stream"]),
    "visa_j1": ("J-1 visa sponsorship", ["J1"]),
    "visa_h1b": ("H-1B visa sponsorship", ["H1B"]),
    "global_health": ("Global health", ["global health", "international health"]),
    "teaching": ("Teaching / medical education", ["medical education", "teaching", "educate the next generation",
                                                  "educating the next generation", "educate next generation",
                                                  "educating next generation"]),
    "quality_improvement": ("Quality improvement / patient safety", ["quality improvement", "patient safety", "QI"]),
    "advocacy": ("Advocacy / social accountability", ["advocacy", "social accountability", "social justice",
                                                      "social determinants"]),
    "francophone": ("French-language services", ["francophone", "french language", "bilingual"]),
    "primary_care": ("Primary care", ["primary care", "continuity of care", "comprehensive care"]),
}

FEATURE_ALIASES = {
    "j1": "visa_j1", "j-1": "visa_j1", "h1b": "visa_h1b", "h-1b": "visa_h1b",
    "indigenous": "indigenous_health", "ros": "return_of_service", "img": "img_friendly",
    "university": "academic", "northern": "remote", "equity": "underserved",
}

#: Specialties the bank knows by id, with display names.
SPECIALTIES: dict[str, str] = {
    "internal_medicine": "Internal Medicine",
    "family_medicine": "Family Medicine",
    "psychiatry": "Psychiatry",
    "pediatrics": "Pediatrics",
    "general_surgery": "General Surgery",
    "emergency_medicine": "Emergency Medicine",
    "obstetrics_gynecology": "Obstetrics and Gynecology",
    "neurology": "Neurology",
    "anesthesiology": "Anesthesiology",
    "pathology": "Pathology",
    "radiology": "Diagnostic Radiology",
    "physical_medicine": "Physical Medicine and Rehabilitation",
}

US_STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR",
}
CA_PROVINCES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "ON": "Ontario",
    "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan",
    "NT": "Northwest Territories", "NU": "Nunavut", "YT": "Yukon",
}


def normalise_feature(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    key = FEATURE_ALIASES.get(name.strip().lower(), FEATURE_ALIASES.get(key, key))
    if key not in FEATURES:
        raise ValueError(
            f"unknown feature {name!r}; known features: {', '.join(sorted(FEATURES))}"
        )
    return key


def normalise_specialty(name: str) -> str:
    key = name.strip().lower().replace(" ", "_").replace("-", "_").replace("&", "and")
    for sid, label in SPECIALTIES.items():
        if key in (sid, label.lower().replace(" ", "_")):
            return sid
    aliases = {"im": "internal_medicine", "fm": "family_medicine", "em": "emergency_medicine",
               "peds": "pediatrics", "paediatrics": "pediatrics", "surgery": "general_surgery",
               "obgyn": "obstetrics_gynecology", "ob_gyn": "obstetrics_gynecology"}
    if key in aliases:
        return aliases[key]
    raise ValueError(f"unknown specialty {name!r}; known specialties: {', '.join(SPECIALTIES)}")


def feature_matcher(keys: tuple[str, ...] | None = None):
    """The phrase matcher of the features ``keys`` (default all); each match's payload is
    the feature key."""
    return _feature_matcher(tuple(keys) if keys is not None else tuple(FEATURES))


@lru_cache(maxsize=64)
def _feature_matcher(keys: tuple[str, ...]):
    from .text import PhraseMatcher

    return PhraseMatcher([(p, k) for k in keys for p in FEATURES[k][1]], joinable=True, plurals=True)


def features_in_text(text: str) -> list[str]:
    """The features whose phrases occur in ``text`` (e.g. a mission statement), in
    :data:`FEATURES` order."""
    hits = {m.payload for m in feature_matcher().find(text or "")}
    return [k for k in FEATURES if k in hits]


class ProgramProfile(BaseModel):
    """A residency program, as the applicant describes it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, description="Program name, e.g. 'Riverside Family Medicine'")
    country: Country
    region: str | None = Field(default=None, description="State (US) or province (CA), e.g. 'NY' or 'AB'")
    city: str | None = None
    specialty: str | None = Field(default=None, description="Specialty id, e.g. 'family_medicine'")
    mission: str = ""
    features: list[str] = Field(default_factory=list, description="Explicit features")

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, v):
        if isinstance(v, str):
            low = v.strip().lower()
            low = {"usa": "us", "united states": "us", "u.s.": "us", "canada": "ca"}.get(low, low)
            if low not in COUNTRY_NAMES:
                raise ValueError(f"unknown country {v!r}: use 'us' (United States) or 'ca' (Canada)")
            return low
        return v

    @field_validator("specialty", mode="before")
    @classmethod
    def _specialty(cls, v):
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        return normalise_specialty(v)

    @field_validator("features", mode="before")
    @classmethod
    def _features(cls, v):
        if v is None:
            return []
        if isinstance(v, str):
            v = [part for part in re.split(r"[,\s]+", v) if part]
        out: list[str] = []
        for item in v:
            key = normalise_feature(item)
            if key not in out:
                out.append(key)
        return out

    @field_validator("region", mode="before")
    @classmethod
    def _region(cls, v):
        if v is None or (isinstance(v, str) and not v.strip()):
            return None
        return v.strip()

    @property
    def all_features(self) -> list[str]:
        """Explicit features plus those recognised in the mission statement."""
        out = list(self.features)
        for key in features_in_text(self.mission):
            if key not in out:
                out.append(key)
        return out

    @property
    def country_name(self) -> str:
        return COUNTRY_NAMES[self.country]

    @property
    def specialty_name(self) -> str | None:
        return SPECIALTIES.get(self.specialty) if self.specialty else None

    @property
    def region_name(self) -> str | None:
        if self.country == "ca" and self.region and self.region.upper() in CA_PROVINCES:
            return CA_PROVINCES[self.region.upper()]
        return self.region

    def template_context(self) -> dict:
        """The variables a question or email template may use, under ``program``."""
        return {
            "name": self.name,
            "country": self.country,
            "country_name": self.country_name,
            "region": self.region_name or ("your state" if self.country == "us" else "your province"),
            "city": self.city or "the city",
            "specialty": self.specialty_name or "your specialty",
            "mission": self.mission,
            "features": self.all_features,
        }


def make_profile(**fields) -> ProgramProfile:
    """Build a profile, turning validation failures into one readable :class:`ProfileError`."""
    try:
        return ProgramProfile(**fields)
    except ValidationError as exc:
        raise ProfileError(describe_validation_error(exc, "program profile")) from None


def neutral_profile(country: str = "us", specialty: str | None = None) -> ProgramProfile:
    """A stand-in profile for listing questions when no program is given."""
    return make_profile(name="this program", country=country, specialty=specialty)


def describe_validation_error(exc: ValidationError, what: str) -> str:
    """One line per problem: ``field: message``."""
    parts = [f"{'.'.join(map(str, loc)) or what}: {msg}" for loc, msg in validation_problems(exc)]
    return f"invalid {what}: " + "; ".join(parts)
