"""Chosen AWS errors for chosen calls, rendered in each service's own wire protocol.

An error rule matches calls by account, service and action (unset matches anything) and answers them, before
they take effect, with an AWS error: ``count`` times (unset: until cleared), each matching call with probability
``probability`` drawn from one seeded generator so a run with faults reproduces. ``delay`` adds latency; a rule
with a delay and no code only slows matching calls down. The code ``$throttle`` stands for the throttling error
of whichever service is called.
"""

import json
import random
import threading
import uuid
from dataclasses import asdict, dataclass
from functools import lru_cache
from http import HTTPStatus
from xml.sax.saxutils import escape

from botocore.exceptions import UnknownServiceError
from botocore.session import get_session


@lru_cache(maxsize=None)
def _wire_format(service):
    """(protocol, JSON version) of a signing name: iam/sts are query, organizations/secretsmanager/proton JSON."""
    try:
        model = get_session().get_service_model(service)
    except UnknownServiceError:  # a signing name that is no botocore service name: answer like IAM/STS
        return "query", None
    return model.protocol, model.metadata.get("jsonVersion", "1.1")


XML_PROTOCOLS = ("query", "ec2", "rest-xml")

THROTTLE = "$throttle"
# Each service's own "slow down" answer (botocore retries all of them as throttling).
THROTTLING_ERRORS = {
    "iam": ("Throttling", 400),
    "sts": ("Throttling", 400),
    "organizations": ("TooManyRequestsException", 400),
    "proton": ("ThrottlingException", 400),
    "secretsmanager": ("ThrottlingException", 400),
}
DEFAULT_THROTTLING_ERROR = ("ThrottlingException", 400)


def rule_error(rule, service):
    """(code, message, status) with which ``rule`` answers a call to ``service``."""
    if rule.code == THROTTLE:
        code, status = THROTTLING_ERRORS.get(service, DEFAULT_THROTTLING_ERROR)
        return code, rule.message if rule.message != DEFAULT_MESSAGE else "Rate exceeded", status
    return rule.code, rule.message, rule.status


def error_response(service, code, message, status):
    """(status line, headers, body) of an AWS error the way the service's SDK expects to parse it."""
    request_id = str(uuid.uuid4())
    protocol, json_version = _wire_format(service)
    if protocol not in XML_PROTOCOLS:
        body = json.dumps({"__type": code, "message": message}).encode()
        content_type = f"application/x-amz-json-{json_version}" if protocol == "json" else "application/json"
        headers = [("Content-Type", content_type), ("x-amzn-RequestId", request_id), ("x-amzn-ErrorType", code)]
    else:  # IAM, STS (query) and the other XML protocols
        kind = "Receiver" if status >= 500 else "Sender"
        body = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    headers.append(("Content-Length", str(len(body))))
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return f"{status} {phrase}", headers, body


DEFAULT_MESSAGE = "Injected by the local AWS"


@dataclass
class ErrorRule:
    """Answer matching calls with an AWS error (and/or delay them)."""

    code: str | None = None  # an AWS error code, or $throttle; None: a latency-only rule
    message: str = DEFAULT_MESSAGE
    status: int = 400
    account: str | None = None
    service: str | None = None
    action: str | None = None
    region: str | None = None  # the region the call was signed for (the credential scope)
    count: int | None = None  # how many calls to answer; None: every matching call until the rules are cleared
    probability: float = 1.0  # the chance a matching call is answered (the rest go through)
    delay: float = 0.0  # seconds to wait before answering (or before passing the call on)

    def __post_init__(self):
        self.delay = float(self.delay)
        if self.delay < 0:
            raise ValueError("delay must be 0 or more seconds")
        if self.code is None and not self.delay:
            raise ValueError("an error rule needs a code (e.g. AccessDenied, or $throttle), a delay, or both")
        if self.code is not None and (not self.code or not isinstance(self.code, str)):
            raise ValueError("an error rule needs a code, e.g. AccessDenied")
        self.status = int(self.status)
        if not 400 <= self.status <= 599:
            raise ValueError(f"status must be an HTTP error status (400-599), not {self.status}")
        if self.count is not None:
            self.count = int(self.count)
            if self.count < 1:
                raise ValueError("count must be 1 or more (or unset: every call)")
        self.probability = float(self.probability)
        if not 0 < self.probability <= 1:
            raise ValueError("probability must be in (0, 1]")

    def matches(self, request):
        return (
            (self.account is None or self.account == request.account)
            and (self.service is None or self.service == request.service)
            and (self.action is None or self.action == request.action)
            and (self.region is None or self.region == request.region)
        )


class ErrorRules:
    """The active rules, first match wins; thread-safe."""

    def __init__(self, seed=None):
        self._rules = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def seed(self, seed):
        with self._lock:
            self._random.seed(seed)

    def add(self, rule):
        with self._lock:
            self._rules.append(rule)

    def clear(self):
        with self._lock:
            self._rules.clear()

    def list(self):
        with self._lock:
            return [asdict(rule) for rule in self._rules]

    def take(self, request):
        """(the rule that answers ``request`` or None to let it through, seconds to delay it first).

        Rules are tried in order; latency-only rules that apply add their delay and the search goes on, the first
        error rule that applies answers. Each rule that applies uses up one of its count.
        """
        delay = 0.0
        with self._lock:
            for rule in list(self._rules):
                if not rule.matches(request):
                    continue
                if rule.probability < 1 and self._random.random() >= rule.probability:
                    continue
                if rule.count is not None:
                    rule.count -= 1
                    if rule.count == 0:
                        self._rules.remove(rule)
                delay += rule.delay
                if rule.code is not None:
                    return rule, delay
        return None, delay
