"""What one API request is (service, region, account, action, read or write) and the log of every request served."""

import io
import threading
from dataclasses import asdict, dataclass
from urllib.parse import parse_qs

from .patches import get_account_id_from

# Actions that never change state, by name. Everything else counts as a write, so "a rerun makes zero write
# calls" is a strict check. sts:AssumeRole* hands out temporary credentials without changing any account.
READ_PREFIXES = ("Get", "List", "Describe", "Head", "Simulate", "Generate", "BatchGet", "Lookup", "Search")
READ_ACTIONS_BY_SERVICE = {"sts": ("AssumeRole", "GetCallerIdentity")}
# REST-protocol services (S3, ...) have no action name in the request: their method says it.
READ_METHODS = ("GET", "HEAD")


def is_read(service, action):
    """True when ``service:action`` only reads (see README.md, "Call log", for the rule)."""
    if action.split(" ", 1)[0] in READ_METHODS:
        return True
    return action.startswith(READ_PREFIXES + READ_ACTIONS_BY_SERVICE.get(service, ()))


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
        """The request's identity, or None for what is not an AWS API call (unsigned, moto's own API)."""
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return None
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if "Credential=" not in auth:
            return None
        try:
            # Credential=<access key>/<date>/<region>/<service>/aws4_request
            credential = auth.split("Credential=", 1)[1].split(",", 1)[0]
            access_key, _date, region, service, _terminator = credential.split("/")
        except ValueError:
            return None
        target = environ.get("HTTP_X_AMZ_TARGET")
        if target:  # JSON protocol: X-Amz-Target: <prefix>.<Action>
            action = target.rsplit(".", 1)[-1]
        else:  # query protocol: Action=... in the form body or the query string; REST: method and path
            action = _query_action(environ) or f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"
        # The account as moto decides it: its x-moto-account-id header, else the account the access key belongs
        # to (assumed-role keys live in the account of the role that was assumed).
        account = environ.get("HTTP_X_MOTO_ACCOUNT_ID") or get_account_id_from(access_key)
        return cls(service=service, region=region, account=account, action=action, access_key=access_key)


def _query_action(environ):
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
    seconds: float  # time the server spent answering (injected latency included)


class CallLog:
    """Every API request served, in order; thread-safe (the server handles requests in threads)."""

    def __init__(self):
        self._calls = []
        self._lock = threading.Lock()

    def record(self, request, status, seconds=0.0):
        call = Call(request.account, request.region, request.service, request.action, request.write, status,
                    round(seconds, 6))
        with self._lock:
            self._calls.append(call)

    def query(self, account=None, service=None, region=None, action=None, write=None):
        with self._lock:
            calls = list(self._calls)
        return [
            asdict(call)
            for call in calls
            if (account is None or call.account == account)
            and (service is None or call.service == service)
            and (region is None or call.region == region)
            and (action is None or call.action == action)
            and (write is None or call.write == write)
        ]

    def clear(self):
        with self._lock:
            self._calls.clear()
