"""The access rule applied in the store's queries (Store.for_viewer -> ViewerStore), on a
real SQLite database: what each viewer reads, what each may write, and the migration that
gives drafts an owner. The SQL scope is held equal to the row-by-row rule (access.can_view)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from coach_data import STRONG_CA, STRONG_US, WEAK_US, Answer, store_session
from conftest import ROOT
from interview.access import LOCAL_VIEWER, AccessError, Viewer, can_view
from interview.errors import NotFound
from interview.storage import (
    Store,
    create_db_engine,
    current_revision,
    head_revision,
    upgrade,
)

ADMIN = Viewer("boss@example.org", "admin")
AMINA = Viewer("amina@example.org", "applicant")
LI = Viewer("li@example.org", "applicant")
KIM = Viewer("coach.kim@example.org", "coach")        # Amina's coach
NEWCOACH = Viewer("new.coach@example.org", "coach")   # no assignment
STRANGER = Viewer("nobody@example.org", "applicant")
VIEWERS = [LOCAL_VIEWER, ADMIN, AMINA, LI, KIM, NEWCOACH, STRANGER]


PG_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture(params=["sqlite", "postgresql"])
def world(request, data_dir):
    """Amina (coach Kim), Li (coach Lee), a nameless local session, and drafts; on SQLite,
    and on PostgreSQL when ``TEST_DATABASE_URL`` names an expendable database."""
    url = None
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip("set TEST_DATABASE_URL=postgresql+psycopg://... to test PostgreSQL too")
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        url = PG_URL
    with Store.open(url) as store:
        amina = store_session(store, [Answer(STRONG_US, category="personal")],
                              email="Amina@Example.org ", coach_email="COACH.kim@example.org")
        li = store_session(store, [Answer(STRONG_CA, category="personal")], applicant="Li Wei",
                           email="li@example.org", coach_email="coach.lee@example.org",
                           country="ca", program="Lakeside Family Medicine")
        orphan = store.create_session(None, None, questions=[{"id": "q", "text": "Q?"}])
        store.save_email_draft(None, interviewer_name="Dr A", subject="s", body="b",
                               owner_email="amina@example.org")
        store.save_email_draft(None, interviewer_name="Dr L", subject="s", body="b",
                               owner_email="li@example.org")
        store.save_email_draft(li.id, interviewer_name="Dr L2", subject="s", body="b")
        yield store, amina, li, orphan


def test_emails_are_stored_normalised(world):
    store, amina, _, _ = world
    a = store.get_applicant(amina.applicant_id)
    assert (a.email, a.coach_email) == ("amina@example.org", "coach.kim@example.org")


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: f"{v.role}:{v.email or 'local'}")
def test_sql_scope_equals_the_rule(world, viewer):
    store, *_ = world
    scoped = store.for_viewer(viewer)
    every = store.list_applicants()
    assert [a.id for a in scoped.list_applicants()] == [a.id for a in every if can_view(viewer, a)]
    expected = [s.id for s in store.list_sessions()
                if (viewer.sees_everything or (s.applicant and can_view(viewer, s.applicant)))]
    assert [s.id for s in scoped.list_sessions()] == expected


def test_who_sees_which_session(world):
    store, amina, li, orphan = world
    seen = {v.email or "local": {s.id for s in store.for_viewer(v).list_sessions()}
            for v in VIEWERS}
    assert seen["local"] == seen["boss@example.org"] == {amina.id, li.id, orphan.id}
    assert seen["amina@example.org"] == seen["coach.kim@example.org"] == {amina.id}
    assert seen["li@example.org"] == {li.id}
    assert seen["new.coach@example.org"] == seen["nobody@example.org"] == set()


def test_hidden_rows_are_not_found_like_unknown_ids(world):
    store, amina, li, orphan = world
    for viewer, hidden in ((AMINA, li), (LI, amina), (KIM, li), (NEWCOACH, amina)):
        s = store.for_viewer(viewer)
        with pytest.raises(NotFound, match="no session with id"):
            s.get_session(hidden.id)
        with pytest.raises(NotFound, match="no answer with id"):
            s.get_answer(hidden.answers[0].id)
        with pytest.raises(NotFound, match="no applicant with id"):
            s.get_applicant(hidden.applicant_id)
        with pytest.raises(NotFound, match="no program profile"):
            s.get_profile(hidden.profile_id)
        with pytest.raises(NotFound):
            s.export_session(hidden.id)
        with pytest.raises(NotFound):
            s.list_email_drafts(hidden.id)
    with pytest.raises(NotFound):
        store.for_viewer(AMINA).get_session(orphan.id)
    # filters cannot widen the scope
    assert store.for_viewer(AMINA).list_sessions(applicant_ids=[li.applicant_id]) == []
    assert store.for_viewer(AMINA).list_sessions(applicant_id=li.applicant_id) == []


def test_reviews_are_written_by_the_coach_or_an_admin_only(world):
    store, amina, li, _ = world
    answer = amina.answers[0]
    crit = answer.criteria[0]["id"]
    for viewer in (AMINA, LI, NEWCOACH, Viewer("coach.lee@example.org", "coach")):
        s = store.for_viewer(viewer)
        with pytest.raises((AccessError, NotFound)):
            s.add_comment(amina.id, "nice", author="x", answer_id=answer.id)
        with pytest.raises((AccessError, NotFound)):
            s.set_override(answer.id, crit, 1, reason="r", author="x")
        with pytest.raises((AccessError, NotFound)):
            s.mark_reviewed(amina.id, "x")
    store.for_viewer(KIM).add_comment(amina.id, "Good opener", author=KIM.email)
    store.for_viewer(ADMIN).set_override(answer.id, crit, 2, reason="r", author=ADMIN.email)
    # a comment on another session's answer is refused even for a coach of this session
    with pytest.raises(NotFound):
        store.for_viewer(KIM).add_comment(amina.id, "x", author="k", answer_id=li.answers[0].id)
    assert [c.body for c in store.get_session(amina.id).comments] == ["Good opener"]


def test_only_the_applicant_answers_their_session(world):
    store, amina, li, _ = world
    for viewer in (KIM, LI):
        s = store.for_viewer(viewer)
        with pytest.raises((AccessError, NotFound)):
            s.add_answer(amina.id, 2, question_id="q", question_text="Q?", text="hijack")
        with pytest.raises((AccessError, NotFound)):
            s.update_answer(amina.answers[0].id, text="hijack")
        with pytest.raises((AccessError, NotFound)):
            s.finish_session(amina.id)
    store.for_viewer(AMINA).add_answer(amina.id, 2, question_id="q", question_text="Q?", text="mine")
    assert store.get_session(amina.id).answer_at(2).text == "mine"


def test_own_applicant_is_linked_to_the_login(world):
    store, amina, li, _ = world
    s = store.for_viewer(AMINA)
    me = s.own_applicant("Amina D.")
    assert me.id == amina.applicant_id and me.name == "Amina D."
    # typing another person's name never attaches to them
    assert s.own_applicant("Li Wei").id == amina.applicant_id
    assert store.get_applicant(li.applicant_id).email == "li@example.org"
    new = store.for_viewer(Viewer("Zed@Example.org", "applicant", name="Zed")).own_applicant("")
    assert (new.name, new.email) == ("Zed", "zed@example.org")
    with pytest.raises((AccessError, NotFound)):
        s.create_session(li.applicant_id, li.profile_id)
    with pytest.raises((AccessError, NotFound)):
        s.find_or_add_profile(li.profile.to_profile(), applicant_id=li.applicant_id)


def test_drafts_are_their_owners(world):
    store, amina, li, _ = world
    mine = store.for_viewer(AMINA).list_standalone_email_drafts()
    assert [d.interviewer_name for d in mine] == ["Dr A"]
    assert [d.interviewer_name for d in store.for_viewer(LI).list_standalone_email_drafts()] == ["Dr L"]
    assert len(store.for_viewer(ADMIN).list_standalone_email_drafts()) == 2
    theirs = store.for_viewer(LI).list_standalone_email_drafts()[0]
    with pytest.raises(NotFound):
        store.for_viewer(AMINA).get_email_draft(theirs.id)
    with pytest.raises((AccessError, NotFound)):
        store.for_viewer(AMINA).update_email_draft(theirs.id, body="hijack")
    with pytest.raises((AccessError, NotFound)):
        store.for_viewer(AMINA).delete_email_draft(theirs.id)
    with pytest.raises((AccessError, NotFound)):
        store.for_viewer(KIM).save_email_draft(amina.id, interviewer_name="X", subject="", body="")
    saved = store.for_viewer(AMINA).save_email_draft(None, interviewer_name="Dr B", subject="",
                                                     body="", owner_email="li@example.org")
    assert saved.owner_email == "amina@example.org"  # the owner is the login, not an argument


def test_only_admins_assign_coaches(world):
    store, amina, li, _ = world
    for viewer in (AMINA, KIM):
        with pytest.raises(AccessError, match="administrator"):
            store.for_viewer(viewer).assign_coach(li.applicant_id, viewer.email)
    store.for_viewer(ADMIN).assign_coach(li.applicant_id, " New.Coach@example.org ")
    assert [s.id for s in store.for_viewer(NEWCOACH).list_sessions()] == [li.id]


def test_scoped_store_offers_no_unscoped_doors(world):
    store, *_ = world
    s = store.for_viewer(AMINA)
    for name in ("import_session", "delete_session", "update_applicant", "add_applicant",
                 "engine", "database", "applicants", "sessions"):
        assert not hasattr(s, name), name


def test_pages_reach_the_database_only_through_the_guard():
    """A page cannot forget the rule: none opens a store or imports the storage package;
    every page that reads data takes its store from _access.current()."""
    for path in sorted((ROOT / "app_pages").glob("*.py")):
        if path.name in ("_access.py", "_ui.py"):  # the guard, and the cache it opens with
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mod = getattr(node, "module", None) or ""
                names = [a.name for a in node.names]
                assert not mod.startswith("interview.storage") and \
                    not any(n.startswith("interview.storage") for n in names), path.name
            if isinstance(node, ast.Attribute) and node.attr in ("open_store", "_raw_store", "open"):
                assert not (isinstance(node.value, ast.Name) and node.value.id in ("_ui", "Store")), \
                    f"{path.name} opens the store itself"
        src = path.read_text()
        uses_store = any(isinstance(n, ast.Name) and n.id == "store" for n in ast.walk(tree))
        if not path.name.startswith("_") and uses_store:
            assert "_access.current()" in src, f"{path.name} uses a store without the guard"
    app = (ROOT / "app.py").read_text()
    assert app.index("_access.resolve()") < app.index("nav.run()")


def test_migration_0003_normalises_emails_and_adds_draft_owner(data_dir):
    url = f"sqlite:///{data_dir / 'old.db'}"
    engine = create_db_engine(url)
    upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO applicants (id, name, email, coach_email, created_at) VALUES "
            "('a1', 'Old', ' Old@Example.ORG ', 'Coach@X.org', '2025-10-01 09:00:00'), "
            "('a2', 'Blank', '', NULL, '2025-10-01 09:00:00')")
        conn.exec_driver_sql(
            "INSERT INTO email_drafts (id, interviewer_name, subject, body, created_at, "
            "updated_at) VALUES ('d1', 'Dr X', 's', 'b', '2025-10-01', '2025-10-01')")
    engine.dispose()
    with Store.open(url) as store:  # upgraded through 0003_access to the head
        assert current_revision(store.engine) == head_revision()
        old = store.get_applicant("a1")
        assert (old.email, old.coach_email) == ("old@example.org", "coach@x.org")
        assert store.get_applicant("a2").email is None
        assert store.get_email_draft("d1").owner_email is None
        cols = {c["name"] for c in sa.inspect(store.engine).get_columns("email_drafts")}
        assert "owner_email" in cols
        assert [s.id for s in store.for_viewer(Viewer("old@example.org", "applicant"))
                .list_applicants()] == ["a1"]
    engine = create_db_engine(url)
    upgrade_down = __import__("alembic.command", fromlist=["downgrade"]).downgrade
    from interview.storage import alembic_config
    with engine.begin() as conn:
        upgrade_down(alembic_config(conn), "0002")
    assert current_revision(engine) == "0002"
    engine.dispose()


def test_recovery_sees_ones_own_unfinished_answers_only(world):
    """The Practice page's recovery notice counts and finishes the viewer's own answers."""
    store, amina, li, _ = world
    mine = store.add_answer(amina.id, 2, question_id="q", question_text="Q?", text="unfinished")
    theirs = store.add_answer(li.id, 2, question_id="q", question_text="Q?", text="theirs")
    assert {a.id for a in store.for_viewer(AMINA).unfinished_answers()} == {mine.id}
    assert {a.id for a in store.for_viewer(LI).unfinished_answers()} == {theirs.id}
    assert store.for_viewer(KIM).unfinished_answers() == []
    assert {mine.id, theirs.id} <= {a.id for a in store.for_viewer(ADMIN).unfinished_answers()}
    assert store.for_viewer(AMINA).existing_session_ids([amina.id, li.id]) == {amina.id}
    with pytest.raises(AccessError):
        store.for_viewer(AMINA).adopt_audio({"session_id": li.id, "answer_id": "x" * 32,
                                             "audio_path": f"audio/{li.id}/{'x' * 32}.wav"})
