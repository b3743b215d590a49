"""python -m localaws {serve,start,stop,status,env}: run the local AWS in the foreground or the background."""

import argparse
import json
import os
import shlex
import signal
import sys
from pathlib import Path

from .client import LocalAWSClient, LocalAWSError

DEFAULT_STATE_DIR = Path(__file__).resolve().parents[2] / ".build" / "localaws"


PROTON_MODE_CHOICES = ("available", "unknown-operation", "gone")  # server.PROTON_MODES, without importing moto


def _settings(args):
    settings = {"proton_mode": args.proton_mode, "propagation_delay": args.propagation_delay}
    if args.seed is not None:
        settings["seed"] = args.seed
    if args.error_rule:
        settings["error_rules"] = args.error_rule
    return settings


def _port(text):
    return 0 if text == "auto" else int(text)


def _error_rule(text):
    from .faults import ErrorRule

    try:
        rule = json.loads(text)
        ErrorRule(**rule)
    except (ValueError, TypeError) as error:
        raise argparse.ArgumentTypeError(f"not an error rule ({error}): {text}") from error
    return rule


def _print_env(client, account_id, region):
    """Shell exports that point botocore (boto3, Ansible's amazon.aws) at the local AWS, as ``account_id``."""
    from .accounts import DEFAULT_CALLER, enter_account, environment  # boto3: only for this command

    credentials = enter_account(client.url, account_id, region=region, session_name="localaws-env") if account_id \
        else DEFAULT_CALLER
    for name, value in environment(credentials, client.url, region).items():
        print(f"export {name}={shlex.quote(value)}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m localaws", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("serve", "run in the foreground, print the URL"),
                       ("start", "run in the background, print the URL once it answers")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--port", type=_port, default=0, help="TCP port on 127.0.0.1 (0 or auto: a free one)")
        command.add_argument("--proton-mode", default="available", choices=PROTON_MODE_CHOICES,
                             help="how Proton answers: available, or as after its end of support (README.md)")
        command.add_argument("--propagation-delay", type=float, default=0.0,
                             help="seconds a new IAM role stays invisible to Proton (default 0)")
        command.add_argument("--seed", type=int, default=None,
                             help="seed of the error rules' probability draws (reproducible faults)")
        command.add_argument("--error-rule", type=_error_rule, action="append", default=[], metavar="JSON",
                             help='an error rule, e.g. \'{"code": "AccessDenied", "service": "sts", '
                                  '"action": "AssumeRole", "status": 403}\' (repeatable)')
    commands.add_parser("stop", help="stop the one started with start")
    commands.add_parser("status", help="say whether it runs (exit 1 when not)")
    env = commands.add_parser("env", help='print shell exports for it: eval "$(python -m localaws env)"')
    env.add_argument("--account", metavar="ID", help="act as this 12-digit account (via sts:AssumeRole); "
                                                     "default: moto's default account 123456789012")
    env.add_argument("--region", default="us-east-1")
    for name in ("start", "stop", "status", "env"):
        commands.choices[name].add_argument(
            "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help="where the url and pid files live")
    args = parser.parse_args(argv)

    if args.command == "serve":
        from .server import serve

        # Nothing to save on the way out, and tearing down moto's state object by object takes seconds once many
        # accounts exist: leave at once (the OS closes the socket).
        signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
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
        print(f"stopped ({error})", file=sys.stderr if args.command == "env" else sys.stdout)
        return 0 if args.command == "stop" else 1
    if args.command == "env":
        _print_env(client, args.account, args.region)
        return 0
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
