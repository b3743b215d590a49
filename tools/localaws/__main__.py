"""python -m localaws {serve,start,stop,status}: run the local AWS in the foreground or the background."""

import argparse
import signal
import sys
from pathlib import Path

from .client import LocalAWSClient, LocalAWSError

DEFAULT_STATE_DIR = Path(__file__).resolve().parents[2] / ".build" / "localaws"


def _settings(args):
    return {"proton_mode": args.proton_mode, "propagation_delay": args.propagation_delay}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m localaws", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "run in the foreground, print the URL"),
                       ("start", "run in the background, print the URL once it answers")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: a free one)")
        command.add_argument("--proton-mode", default="available",
                             help="available | unknown-operation | gone (Proton after its end of support)")
        command.add_argument("--propagation-delay", type=float, default=0.0,
                             help="seconds a new IAM role stays invisible to Proton")
    for name in ("start", "stop", "status"):
        (commands.choices.get(name) or commands.add_parser(name)).add_argument(
            "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="where the url and pid files live")
    args = parser.parse_args(argv)

    if args.command == "serve":
        from .server import serve

        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        serve(port=args.port, ready=lambda url: print(url, flush=True), **_settings(args))
        return 0
    if args.command == "start":
        try:
            existing = LocalAWSClient.from_state_dir(args.state_dir)
            if existing.healthy():
                print(existing.url)
                return 0
        except LocalAWSError:
            pass
        print(LocalAWSClient.start(state_dir=args.state_dir, port=args.port, **_settings(args)).url)
        return 0
    try:
        client = LocalAWSClient.from_state_dir(args.state_dir)
    except LocalAWSError as error:
        print(f"stopped ({error})")
        return 0 if args.command == "stop" else 1
    if args.command == "stop":
        client.stop()
        print("stopped")
        return 0
    if client.healthy():
        print(f"running at {client.url}")
        return 0
    print(f"not answering at {client.url}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
