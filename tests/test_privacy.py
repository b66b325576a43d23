"""Private by default (issue 11): the running app listens on loopback only, shows no error
details in the browser, and keeps recordings and the database readable by their owner only;
paths read back from the database never lead outside the data directory."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from browser import free_port, stop, wait_healthy
from coach_data import STRONG_US, Answer, fixture_audio, store_session
from conftest import ROOT
from interview import paths
from interview.storage import Store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_streamlit_config_is_private():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["client"]["showErrorDetails"] == "none"
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text().splitlines()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_data_recordings_and_database_are_owner_only(tmp_path, monkeypatch):
    old = os.umask(0o022)  # a typical umask: files would be world-readable by default
    try:
        data = tmp_path / "fresh" / "data"
        monkeypatch.setenv("INTERVIEW_DATA_DIR", str(data))
        monkeypatch.delenv("DATABASE_URL", raising=False)
        with Store.open() as store:
            sess = store_session(store, [Answer(STRONG_US, category="personal",
                                                audio=fixture_audio(), filename="a.wav")])
            db = data / "interview.db"
            assert mode(data) == 0o700
            assert mode(data / "audio") == 0o700
            assert mode(data / "audio" / sess.id) == 0o700
            rec = store.audio_file(sess.answers[0])
            assert rec.is_file() and mode(rec) == 0o600
            for f in (db, data / "interview.db-wal", data / "interview.db-shm"):
                assert f.exists() and mode(f) == 0o600, f
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_existing_loose_data_dir_is_tightened(tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "interview.db").touch()
    (data / "interview.db").chmod(0o644)
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(data))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    Store.open().close()
    assert mode(data) == 0o700 and mode(data / "interview.db") == 0o600


def test_paths_from_the_database_stay_inside(data_dir, tmp_path):
    """A row whose ids or audio path point elsewhere never reads or deletes outside."""
    outside = tmp_path / "victim"
    outside.mkdir()
    (outside / "keep.txt").write_text("precious")
    with Store.open() as store:
        assert store.audio_file("audio/../../victim/keep.txt") is None
        assert store.audio_file("../victim/keep.txt") is None
        assert store.audio_file("/etc/passwd") is None
        for evil in ("..", ".", "../../victim", "../victim"):
            sess = store.create_session(None, None, id=evil)
            store.delete_session(sess.id, delete_audio=True)
    assert (outside / "keep.txt").read_text() == "precious"
    assert data_dir.is_dir() and (data_dir / "interview.db").is_file()


# ------------------------------------------------------------------ the running server
def _listening(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state owned by process ``pid``."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] != "0A" or cols[9] not in inodes:  # 0A = LISTEN
                continue
            hexaddr, hexport = cols[1].split(":")
            raw = bytes.fromhex(hexaddr)
            if family == socket.AF_INET:
                addr = socket.inet_ntop(family, raw[::-1])
            else:  # four little-endian 32-bit words
                addr = socket.inet_ntop(family, b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
            found.append((addr, int(hexport, 16)))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc/net/tcp")
def test_make_run_listens_on_loopback_only(tmp_path):
    """``streamlit run app.py`` as ``make run`` starts it (no address given): only 127.0.0.1."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(INTERVIEW_DATA_DIR=str(tmp_path / "data"), INTERVIEW_NO_PRELOAD="1",
               STREAMLIT_SERVER_PORT=str(port), STREAMLIT_SERVER_HEADLESS="true")
    env.pop("DATABASE_URL", None)
    log = tmp_path / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py"], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_healthy(proc, port, log)
        sockets = _listening(proc.pid)
        assert (("127.0.0.1", port) in sockets), sockets
        assert all(addr in ("127.0.0.1", "::1") for addr, _ in sockets), sockets
        # and nothing answers on another interface of this machine
        others = {a[4][0] for a in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
        for addr in others - {"127.0.0.1"}:
            with socket.socket() as s:
                s.settimeout(1)
                assert s.connect_ex((addr, port)) != 0, f"reachable on {addr}"
        assert "Network URL" not in log.read_text()
    finally:
        stop(proc, timeout=30)


# ------------------------------------------------------------------ the guard and errors
def test_non_loopback_address_counts_as_shared(data_dir, monkeypatch):
    """Started with --server.address 0.0.0.0 (config.toml bypassed) and no login: no data."""
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    from app_pages import _access

    monkeypatch.setenv("INTERVIEW_NO_PRELOAD", "1")
    monkeypatch.delenv("INTERVIEW_SHARED", raising=False)
    with Store.open() as store:
        store_session(store, [Answer(STRONG_US, category="personal")])
    old = config.get_option("server.address")
    try:
        for address in ("127.0.0.1", "localhost", "::1"):
            config.set_option("server.address", address)
            assert not _access.network_exposed()
        for address in ("0.0.0.0", "", "192.168.1.20", "::"):
            config.set_option("server.address", address)
            assert _access.network_exposed(), address
        config.set_option("server.address", "0.0.0.0")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.switch_page("app_pages/history.py")
        at.run()
        assert not at.exception
        assert any("listens on 0.0.0.0" in e.value for e in at.error)
        assert not at.dataframe and not at.selectbox
    finally:
        config.set_option("server.address", old)


def test_unexpected_errors_are_logged_not_shown(caplog):
    from streamlit.testing.v1 import AppTest

    def page():
        from app_pages import _ui

        _ui.show_error(RuntimeError("password=hunter2 at /srv/secret/path"), "Export failed")

    at = AppTest.from_function(page)
    with caplog.at_level("ERROR", logger="interview.app"):
        at.run()
    shown = " ".join(e.value for e in at.error)
    assert "Export failed" in shown and "server's log" in shown
    assert "hunter2" not in shown and "/srv/secret" not in shown
    assert "hunter2" in caplog.text
