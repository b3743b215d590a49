"""What one API request is (service, region, account, action) and the log of every request served."""

import io
import threading
from dataclasses import asdict, dataclass
from urllib.parse import parse_qs

from moto.iam.models import get_account_id_from

# Actions that never change state. Everything else counts as a write, so "a rerun makes zero write calls" is a
# strict check. STS hands out temporary credentials without changing any account, so its calls are reads.
READ_PREFIXES = ("Get", "List", "Describe", "Head", "Simulate", "Generate", "BatchGet", "Lookup", "Search")
READ_SERVICES = ("sts",)


def is_read(service, action):
    return service in READ_SERVICES or action.startswith(READ_PREFIXES)


@dataclass
class ApiRequest:
    """The identity of a signed AWS request, read from its headers and body without consuming the body."""

    service: str
    region: str
    account: str
    action: str
    access_key: str

    @property
    def write(self):
        return not is_read(self.service, self.action)

    @classmethod
    def from_environ(cls, environ):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if "Credential=" not in auth:
            return None
        try:
            credential = auth.split("Credential=", 1)[1].split(",", 1)[0]
            access_key, _date, region, service, _terminator = credential.split("/")
        except ValueError:
            return None
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:
            action = target.rsplit(".", 1)[-1]
        else:
            action = _form_action(environ) or f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"
        return cls(service=service, region=region, account=get_account_id_from(access_key), action=action,
                   access_key=access_key)


def _form_action(environ):
    """The Action of a query-protocol request (IAM, STS); the body is put back for moto to read."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return parse_qs(environ.get("QUERY_STRING", "")).get("Action", [None])[0]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return parse_qs(body.decode("utf-8")).get("Action", [None])[0]


@dataclass
class Call:
    account: str
    region: str
    service: str
    action: str
    write: bool
    status: int


class CallLog:
    """Every API request served, in order; thread-safe (the server handles requests in threads)."""

    def __init__(self):
        self._calls = []
        self._lock = threading.Lock()

    def record(self, request, status):
        call = Call(request.account, request.region, request.service, request.action, request.write, status)
        with self._lock:
            self._calls.append(call)

    def query(self, account=None, service=None, region=None, write=None):
        with self._lock:
            calls = list(self._calls)
        return [
            asdict(call)
            for call in calls
            if (account is None or call.account == account)
            and (service is None or call.service == service)
            and (region is None or call.region == region)
            and (write is None or call.write == write)
        ]

    def clear(self):
        with self._lock:
            self._calls.clear()
