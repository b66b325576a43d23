"""``interview record``: record an answer from a local microphone into a WAV file.

    python -m interview record [--list-devices] [--device D] [--seconds N] [-o FILE]

Shows a live input-level meter; stops when Enter is pressed or after N seconds.
"""

from __future__ import annotations

import sys
import threading

from ..record import DEFAULT_SECONDS, Level, list_input_devices, record


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "record",
        help="record an answer from a local microphone (stop with Enter) into a WAV file",
        description="Record from a local input device with a live level meter. Stops on Enter "
                    "or after --seconds. Without a microphone, record in the app's browser "
                    "recorder or upload a file instead.",
    )
    p.add_argument("--list-devices", action="store_true", help="list input devices and exit")
    p.add_argument("--device", metavar="D", default=None, help="input device number or part of its name")
    p.add_argument("--seconds", metavar="N", type=float, default=DEFAULT_SECONDS,
                   help=f"stop after N seconds (default {DEFAULT_SECONDS:.0f})")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="WAV file to write (default: a new file in the data directory)")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.list_devices:
        devices = list_input_devices()
        if not devices:
            print("no input devices found (record in the browser or upload a file instead)")
            return 1
        for d in devices:
            print(d)
        return 0
    stop = threading.Event()
    interactive = sys.stdin is not None and sys.stdin.isatty()
    if interactive:
        def wait_enter() -> None:
            try:
                sys.stdin.readline()
            except (OSError, ValueError):
                return
            stop.set()

        threading.Thread(target=wait_enter, daemon=True).start()
        print(f"Recording (up to {args.seconds:.0f} s) - press Enter to stop.", file=sys.stderr)

    def show(level: Level) -> None:
        if sys.stderr.isatty():
            print(f"\r{level.seconds:6.1f}s {level.meter()} {level.dbfs:6.1f} dBFS", end="", file=sys.stderr, flush=True)

    path = record(seconds=args.seconds, device=args.device, stop_event=stop, on_level=show, path=args.output)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(path)
    return 0
