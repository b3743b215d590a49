"""Talk to a running local AWS: its admin API, and starting or stopping one in the background."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

START_TIMEOUT_SECONDS = 60


class LocalAWSError(RuntimeError):
    pass


class LocalAWSClient:
    def __init__(self, url, process=None, state_dir=None):
        self.url = url.rstrip("/")
        self._process = process
        self._state_dir = Path(state_dir) if state_dir else None

    # --- admin API -------------------------------------------------------------------------------------------
    def _admin(self, method, route, payload=None, query=None):
        url = f"{self.url}/_localaws/{route}"
        if query:
            url += "?" + "&".join(f"{key}={value}" for key, value in query.items() if value is not None)
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            raise LocalAWSError(f"{method} {route}: {error.code} {error.read().decode()}") from error

    def healthy(self):
        try:
            return self._admin("GET", "health").get("ok", False)
        except (OSError, LocalAWSError):
            return False

    def calls(self, account=None, service=None, writes_only=False, region=None, action=None):
        """The API calls served, oldest first: dicts {account, region, service, action, write, status, seconds}."""
        query = {"account": account, "service": service, "region": region, "action": action,
                 "write": "true" if writes_only else None}
        return self._admin("GET", "calls", query=query)["calls"]

    def write_calls(self, account=None, service=None):
        return self.calls(account=account, service=service, writes_only=True)

    def clear_calls(self):
        self._admin("DELETE", "calls")

    def add_error_rule(self, code=None, message="Injected by the local AWS", status=400, account=None, service=None,
                       action=None, count=None, probability=1.0, delay=0.0, region=None):
        """Answer matching calls (unset: any) with this AWS error, ``count`` times (unset: until cleared).

        ``code="$throttle"``: each service's own throttling error. ``delay``: seconds of latency first; a rule
        with a delay and no code only slows calls down. See tools/localaws/README.md, "Error rules".
        """
        rule = {"code": code, "message": message, "status": status, "account": account, "service": service,
                "action": action, "count": count, "probability": probability, "delay": delay, "region": region}
        return self._admin("POST", "error-rules", rule)

    def error_rules(self):
        return self._admin("GET", "error-rules")["rules"]

    def clear_error_rules(self):
        self._admin("DELETE", "error-rules")

    def settings(self):
        return self._admin("GET", "settings")

    def set_proton_mode(self, mode):
        return self._admin("POST", "settings", {"proton_mode": mode})

    def set_propagation_delay(self, seconds):
        return self._admin("POST", "settings", {"propagation_delay": seconds})

    def set_seed(self, seed):
        return self._admin("POST", "settings", {"seed": seed})

    def reset(self):
        self._admin("POST", "reset")

    def enforce_iam_policies(self, after_actions=0):
        """Make moto check every call against the caller's IAM policies, after ``after_actions`` more calls.

        moto's own switch (INITIAL_NO_AUTH_ACTION_COUNT, POST /moto-api/reset-auth); ``float("inf")`` turns it off.
        Calls then need the keys of an IAM user or an assumed role whose policies allow them.
        """
        # text/plain: under urllib's default form content type Flask would parse the number away.
        request = urllib.request.Request(f"{self.url}/moto-api/reset-auth", data=str(after_actions).encode(),
                                         method="POST", headers={"Content-Type": "text/plain"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    # --- lifecycle -------------------------------------------------------------------------------------------
    @classmethod
    def start(cls, state_dir=None, port=0, log_path=None, **settings):
        """Start ``python -m localaws serve`` in the background; return once it answers.

        ``state_dir``: where to record its url and pid (for ``python -m localaws status/stop``) and its log.
        ``log_path``: where its log goes otherwise (default: nowhere). ``settings``: the serve options
        (proton_mode, propagation_delay, seed, error_rules).
        """
        command = [sys.executable, "-m", "localaws", "serve", "--port", str(port)]
        for rule in settings.pop("error_rules", None) or ():
            command += ["--error-rule", json.dumps(rule)]
        for name, value in settings.items():
            if value is not None:
                command += [f"--{name.replace('_', '-')}", str(value)]
        env = dict(os.environ)
        if state_dir and not log_path:
            log_path = Path(state_dir) / "server.log"
        log = subprocess.DEVNULL
        if log_path:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            log = open(log_path, "ab")  # noqa: SIM115 (the child writes to it; our copy is closed below)
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env, start_new_session=True)
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        url = process.stdout.readline().decode().strip()
        if not url.startswith("http://"):
            process.kill()
            raise LocalAWSError(f"the local AWS did not start (see {state_dir or 'its stderr'})")
        client = cls(url, process=process, state_dir=state_dir)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not client.healthy():
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise LocalAWSError("the local AWS did not answer in time")
            time.sleep(0.05)
        if state_dir:
            (Path(state_dir) / "url").write_text(url + "\n")
            (Path(state_dir) / "pid").write_text(f"{process.pid}\n")
        return client

    @classmethod
    def from_state_dir(cls, state_dir):
        url_file = Path(state_dir) / "url"
        if not url_file.exists():
            raise LocalAWSError(f"no local AWS recorded in {state_dir}")
        return cls(url_file.read_text().strip(), state_dir=state_dir)

    def stop(self):
        pid = self._process.pid if self._process else None
        if pid is None and self._state_dir and (self._state_dir / "pid").exists():
            pid = int((self._state_dir / "pid").read_text())
        if pid is not None:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if self._process:
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
            else:  # started by another process (python -m localaws start): wait until it is gone
                deadline = time.monotonic() + 10
                while _alive(pid) and time.monotonic() < deadline:
                    time.sleep(0.05)
        if self._state_dir:
            for name in ("url", "pid"):
                (self._state_dir / name).unlink(missing_ok=True)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
