"""The harness of the browser tests: a Streamlit server on a free loopback port, headless
Chromium (Debian's, driven by Playwright) with the project's flags and fake media devices, and
stopping both. The tests keep their own pages, data and assertions.

Missing Chromium or Playwright skips with a reason (:func:`conftest.require_chromium`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from conftest import CHROMIUM, FIXTURES, ROOT, require_chromium

#: Chromium's flags for every browser test: no sandbox or GPU in CI, nothing to the network
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def speech_wav_48k(dest: Path) -> Path:
    """The spoken answer fixture as 48 kHz mono 16-bit PCM, with a second of silence around
    it (the fake device loops the file; the silence keeps the loop from cutting a word)."""
    from interview.audio import SAMPLE_RATE, decode_audio, save_wav

    speech = decode_audio(FIXTURES / "answer.wav")
    rate = 48000
    t_out = np.arange(int(len(speech) * rate / SAMPLE_RATE)) / rate
    up = np.interp(t_out, np.arange(len(speech)) / SAMPLE_RATE, speech).astype(np.float32)
    pad = np.zeros(rate, dtype=np.float32)
    return save_wav(dest, np.concatenate([pad, up, pad]), sample_rate=rate)


# -- the server ------------------------------------------------------------------------------

def wait_healthy(proc: subprocess.Popen, port: int, log_path: Path, timeout: float = 60) -> None:
    """Wait until Streamlit on ``port`` answers its health check; fail the test with the end
    of its log if it exits or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("streamlit did not start:\n" + log_path.read_text()[-3000:])
        time.sleep(0.3)


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a server, killing it if it does not exit within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def app_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """This environment for a server on ``data_dir`` (SQLite there: no ``DATABASE_URL``)."""
    env = dict(os.environ, INTERVIEW_DATA_DIR=str(data_dir), **extra)
    env.pop("DATABASE_URL", None)
    return env


@contextmanager
def streamlit_server(app: Path, env: dict[str, str], log_path: Path, *, port: int | None = None,
                     host: str = "127.0.0.1", args: Sequence[str] = ()) -> Iterator[str]:
    """``streamlit run APP`` headless on loopback (``port`` or a free one), with ``env``, its
    output in ``log_path``; yields ``http://HOST:PORT`` once healthy and stops it afterwards."""
    port = port or free_port()
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(proc, port, log_path)
        yield f"http://{host}:{port}"
    finally:
        stop(proc)


# -- the browser -----------------------------------------------------------------------------

@contextmanager
def chromium(*, audio: Path | None = None, video: Path | None = None):
    """Headless Chromium (skips without it or Playwright) with :data:`FLAGS`; with ``audio``
    (a WAV) or ``video`` (a Y4M) Chromium's fake microphone or camera plays that file and
    media permission prompts are accepted. Closed afterwards."""
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    # a page on a busy 2-core machine can take longer than Playwright's 5 s default
    expect.set_options(timeout=30_000)

    args = []
    if audio or video:
        args += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    if audio:
        args.append(f"--use-file-for-fake-audio-capture={audio}")
    if video:
        args.append(f"--use-file-for-fake-video-capture={video}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=args + FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def page_server(app: Path, tmp_path: Path, data_dir: Path, **env: str) -> Iterator[str]:
    """A browser test's page ``app`` served on ``data_dir`` with ``env`` added (skips without
    Chromium or Playwright); yields its URL."""
    require_chromium()
    with streamlit_server(app, app_env(data_dir, **env), tmp_path / "streamlit.log") as url:
        yield url


def open_page(browser, url: str, *, permissions: Iterable[str] = (), viewport: dict | None = None,
              timeout: int = 60_000, init_script: str | None = None):
    """A page in a fresh browser context (``permissions`` granted to ``url``), opened at
    ``url`` with ``timeout`` ms as its default timeout."""
    context = browser.new_context(**({"viewport": viewport} if viewport else {}))
    if permissions:
        context.grant_permissions(list(permissions), origin=url)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    page.set_default_timeout(timeout)
    page.goto(url)
    return page
