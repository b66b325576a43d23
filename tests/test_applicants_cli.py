"""``interview applicants list|assign|link`` on a real database (the CLI is the server
owner's tool and works in shared mode), and what the assignment changes for a coach."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from coach_data import STRONG_CA, STRONG_US, Answer, store_session
from conftest import ROOT
from interview.access import Viewer
from interview.storage import Store


def cli(*args, data, shared=True):
    env = {**os.environ, "INTERVIEW_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    if shared:  # the CLI keeps working in shared mode
        env["INTERVIEW_SHARED"] = "1"
    return subprocess.run([sys.executable, "-m", "interview", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


@pytest.fixture
def people(data_dir):
    with Store.open() as store:
        a = store_session(store, [Answer(STRONG_US, category="personal")], coach_email=None)
        b = store_session(store, [Answer(STRONG_CA, category="personal")], applicant="Li Wei",
                          email=None, coach_email=None, country="ca")
    return a, b


def test_list_assign_and_link(people, data_dir):
    amina, li = people
    r = cli("applicants", "list", "--json", data=data_dir)
    assert r.returncode == 0, r.stderr
    rows = {x["name"]: x for x in json.loads(r.stdout)}
    assert rows["Amina Diallo"]["email"] == "amina@example.org"
    assert rows["Amina Diallo"]["coach_email"] is None and rows["Li Wei"]["email"] is None

    r = cli("applicants", "assign", "amina@example.org", "--coach", "Coach.Kim@Example.org",
            data=data_dir)
    assert r.returncode == 0, r.stderr
    assert "coach coach.kim@example.org" in r.stdout
    r = cli("applicants", "link", "Li Wei", "--email", "li@example.org", data=data_dir)
    assert r.returncode == 0 and "li@example.org" in r.stdout, r.stderr
    r = cli("applicants", "assign", li.applicant_id, "--coach", "coach.kim@example.org",
            data=data_dir)
    assert r.returncode == 0, r.stderr

    r = cli("applicants", "list", "--coach", "coach.kim@example.org", data=data_dir)
    assert r.returncode == 0 and "Amina Diallo" in r.stdout and "Li Wei" in r.stdout
    with Store.open() as store:
        kim = store.for_viewer(Viewer("coach.kim@example.org", "coach"))
        assert {s.id for s in kim.list_sessions()} == {amina.id, li.id}
        assert [s.id for s in store.for_viewer(Viewer("li@example.org", "applicant"))
                .list_sessions()] == [li.id]

    r = cli("applicants", "assign", "Amina Diallo", "--no-coach", data=data_dir)
    assert r.returncode == 0 and "coach none" in r.stdout
    r = cli("applicants", "list", "--coach", "coach.kim@example.org", data=data_dir)
    assert "Amina Diallo" not in r.stdout and "Li Wei" in r.stdout


@pytest.mark.parametrize("args, message", [
    (("assign", "nobody", "--coach", "c@example.org"), "no applicant"),
    (("assign", "Amina Diallo", "--coach", "not-an-email"), "not an email address"),
    (("link", "Li Wei", "--email", "amina@example.org"), "already the login"),
])
def test_errors_are_one_line(people, data_dir, args, message):
    r = cli("applicants", *args, data=data_dir)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_ambiguous_name_asks_for_an_id(people, data_dir):
    with Store.open() as store:
        store.add_applicant("Li Wei", email="other.li@example.org")
    r = cli("applicants", "assign", "li wei", "--coach", "c@example.org", data=data_dir)
    assert r.returncode == 2 and "use one of their ids" in r.stderr
