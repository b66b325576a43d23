"""``interview serve``: start the web app (``streamlit run app.py``) and say when it is ready.

This is what ``make run`` runs. Streamlit starts on this computer, and once its health
endpoint (``/_stcore/health``) answers, one line gives the address to open. Ctrl-C stops it.
The web app lives in a checkout of the repository (``app.py``, ``app_pages/``); an installed
wheel carries the command-line tools only.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from ..errors import InterviewError
from ..paths import ROOT

DEFAULT_PORT = 8501


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "serve", help="start the web app and print its address when it is ready",
        description="Start the Streamlit app (app.py) on this computer; print its address "
                    "once it answers, then keep serving until Ctrl-C.")
    parser.add_argument("--port", type=int, default=None, metavar="N",
                        help="port (default: STREAMLIT_SERVER_PORT, else the first free one from 8501)")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="S",
                        help="seconds to wait for the app to answer before saying so (default 120)")
    parser.set_defaults(func=run_serve)


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def choose_port(requested: int | None) -> int:
    """The port asked for (busy: an error), else the first free one from the default."""
    if requested is None and os.environ.get("STREAMLIT_SERVER_PORT", "").isdigit():
        requested = int(os.environ["STREAMLIT_SERVER_PORT"])
    if requested is not None:
        if not _port_is_free(requested):
            raise InterviewError(f"port {requested} is already in use: stop what runs there or choose "
                                 f"another (make run PORT=N, or interview serve --port N)")
        return requested
    for port in range(DEFAULT_PORT, DEFAULT_PORT + 50):
        if _port_is_free(port):
            return port
    raise InterviewError(f"no free port between {DEFAULT_PORT} and {DEFAULT_PORT + 49}: use --port N")


#: straight to this computer, never through an HTTP proxy from the environment
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _healthy(url: str) -> bool:
    try:
        with _LOCAL.open(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def run_serve(args: argparse.Namespace) -> int:
    app = ROOT / "app.py"
    if not app.is_file():
        raise InterviewError(f"the web app is not here ({app} not found): it runs from a checkout of the "
                             f"repository (git clone, then make run); this install has the command line only")
    port = choose_port(args.port)
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
           "--server.showEmailPrompt", "false", "--logger.hideWelcomeMessage", "true"]
    print(f"Starting IMG Interview Coach on {url} ...", flush=True)
    proc = subprocess.Popen(cmd, cwd=ROOT)
    previous = signal.signal(signal.SIGTERM, _terminate)  # `kill` stops the app too
    try:
        deadline = time.monotonic() + args.timeout
        while proc.poll() is None and not _healthy(url):
            if time.monotonic() > deadline:
                print(f"The app has not answered on {url} after {args.timeout:.0f} s; still waiting "
                      f"(see the messages above). Ctrl-C stops it.", file=sys.stderr, flush=True)
                deadline = float("inf")
            time.sleep(0.2)
        if proc.poll() is None:
            print(f"\n  IMG Interview Coach is ready: {url}\n  Open it in your browser. Ctrl-C stops it.\n",
                  flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt
