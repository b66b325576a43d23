"""How fast the app's first page appears, in a real browser.

Starts ``streamlit run app.py`` (fresh data directory, so the speech model starts loading in
the background at the first page), opens it in headless Chromium and measures, over several
runs: server start to healthy, and page navigation to the "Practice" heading and the
profile form being visible. Prints medians. Target: first page in under 3 s.

Usage: ``.venv/bin/python benchmarks/bench_app_start.py [--runs 5]``
(needs /usr/bin/chromium and Playwright for Python).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run(chromium: str) -> tuple[float, float]:
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, INTERVIEW_DATA_DIR=data)
        env.pop("INTERVIEW_NO_PRELOAD", None)
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.headless", "true", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}"
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                        break
                except OSError:
                    time.sleep(0.05)
            server_ready = time.perf_counter() - started
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
                page = browser.new_page()
                t0 = time.perf_counter()
                page.goto(url)
                expect(page.get_by_role("heading", name="Practice")).to_be_visible(timeout=30_000)
                expect(page.get_by_role("button", name="Save profile")).to_be_visible(timeout=30_000)
                first_page = time.perf_counter() - t0
                browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    return server_ready, first_page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        print(f"skipped: no Chromium at {args.chromium}")
        return 0
    servers, pages = [], []
    for i in range(args.runs):
        s, p = one_run(args.chromium)
        servers.append(s)
        pages.append(p)
        print(f"run {i + 1}: server ready {s:.2f} s, first page {p:.2f} s")
    print(f"median server start: {statistics.median(servers):.2f} s")
    print(f"median first page (navigation to profile form visible): {statistics.median(pages):.2f} s"
          " (target < 3 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
