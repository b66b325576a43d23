"""Validity: on every labelled dimension, each "high" variant outscores each "low" variant.

Sources: the shared calibration set (../shared/calibration/answers.yaml) and our own labelled
files (tests/calibration/*.yaml), in the same form. The scorer uses general signals only;
nothing in interview/ or rubrics/ refers to these texts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interview.profile import make_profile
from interview.scoring import score_answer
from interview.scoring.evaluate import DIMENSIONS  # calibration label -> criterion id
from tests.conftest import SHARED

SHARED_FILE = SHARED / "calibration" / "answers.yaml"
OWN_FILES = sorted((Path(__file__).parent / "calibration").glob("*.yaml"))


def _groups(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data["groups"]


def _cases(paths):
    cases = []
    for path in paths:
        for g in _groups(path):
            for dim, cid in DIMENSIONS.items():
                highs = [v for v in g["variants"] if v.get(dim) == "high"]
                lows = [v for v in g["variants"] if v.get(dim) == "low"]
                for h in highs:
                    for lo in lows:
                        cases.append(pytest.param(g, dim, cid, h, lo, id=f"{path.stem}:{g['id']}:{dim}:{h['id']}>{lo['id']}"))
    return cases


def _score(group: dict, variant: dict):
    prog = group.get("program")
    profile = None
    if prog:
        profile = make_profile(name=prog["name"], mission=prog.get("mission", ""), country=group["country"],
                               **({"features": prog["features"]} if prog.get("features") else {}))
    return score_answer(variant["text"], question=group["question"], profile=profile, country=group["country"])


class _Overall:
    def __init__(self, r):
        self.score = r.overall
        self.signals = {c.id: c.score for c in r.criteria}


def _pick(result, cid):
    return _Overall(result) if cid == "overall" else result.get(cid)


def _check(group, dim, cid, high, low):
    hs = _pick(_score(group, high), cid)
    ls = _pick(_score(group, low), cid)
    assert hs is not None, f"{cid} was not scored for {group['id']}/{high['id']}"
    assert ls is not None, f"{cid} was not scored for {group['id']}/{low['id']}"
    assert hs.score > ls.score, (
        f"{group['id']}: {dim} high variant {high['id']} scored {hs.score} ({hs.signals}) "
        f"but low variant {low['id']} scored {ls.score} ({ls.signals})")


@pytest.mark.skipif(not SHARED_FILE.is_file(), reason=f"shared calibration set not found at {SHARED_FILE}")
@pytest.mark.parametrize("group,dim,cid,high,low", _cases([SHARED_FILE]) if SHARED_FILE.is_file() else [])
def test_shared_calibration(group, dim, cid, high, low):
    _check(group, dim, cid, high, low)


@pytest.mark.parametrize("group,dim,cid,high,low", _cases(OWN_FILES))
def test_own_calibration(group, dim, cid, high, low):
    _check(group, dim, cid, high, low)


def test_own_calibration_covers_every_criterion_and_both_countries():
    groups = [g for p in OWN_FILES for g in _groups(p)]
    assert len(groups) >= 40
    assert {g["country"] for g in groups} == {"us", "ca"}
    for country in ("us", "ca"):
        assert sum(g["country"] == country for g in groups) >= 15
    assert len({g["question"] for g in groups}) >= 35
    labelled = {dim for g in groups for v in g["variants"] for dim in DIMENSIONS if v.get(dim) in ("high", "low")}
    assert labelled == set(DIMENSIONS)
    ids = [g["id"] for g in groups]
    assert len(ids) == len(set(ids)), "group ids must be unique"


NOT_ASSESSED = [pytest.param(g, v, dim, id=f"{g['id']}:{v['id']}:{dim}")
                for p in OWN_FILES for g in _groups(p) for dim in g.get("not_assessed", [])
                for v in g["variants"]]


@pytest.mark.parametrize("group,variant,dim", NOT_ASSESSED)
def test_questions_that_do_not_invite_a_criterion_leave_it_not_assessed(group, variant, dim):
    """A weakness or hobby question does not assess local-system familiarity: score null,
    no tips, not in the overall."""
    r = _score(group, variant)
    c = r.result(DIMENSIONS[dim])
    assert c is not None and c.score is None and not c.tips and not c.applicable
    assessed = r.assessed
    assert r.overall == pytest.approx(
        sum(x.score * x.weight for x in assessed) / sum(x.weight for x in assessed), abs=0.01) \
        or "off_topic" in r.flags


def test_shared_file_format_is_understood():
    if not SHARED_FILE.is_file():
        pytest.skip(f"shared calibration set not found at {SHARED_FILE}")
    groups = _groups(SHARED_FILE)
    assert groups and all(g["country"] in ("us", "ca") and g["variants"] for g in groups)
    assert _cases([SHARED_FILE]), "the shared file yields no high/low pairs: has its format changed?"


def test_off_topic_flag_is_never_raised_on_an_answer_to_its_question():
    """A wrong "you did not answer the question" is the tip that costs the most trust: no
    calibration answer except those labelled low on relevance is flagged off topic (vague,
    halting or generic answers are not off topic), and most of those labelled low are."""
    flagged_low = low = 0
    for path in OWN_FILES + ([SHARED_FILE] if SHARED_FILE.is_file() else []):
        for g in _groups(path):
            for v in g["variants"]:
                r = _score(g, v)
                if v.get("relevance") == "low":
                    low += 1
                    flagged_low += "off_topic" in r.flags
                else:
                    assert "off_topic" not in r.flags, (g["id"], v["id"], r.get("relevance").signals)
    assert low >= 8 and flagged_low >= low / 2
