"""Chosen AWS errors for chosen calls, rendered in each service's own wire protocol."""

import json
import threading
import uuid
from dataclasses import asdict, dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from botocore.session import get_session


@lru_cache(maxsize=None)
def protocol_of(service):
    """botocore's protocol for a signing name (iam/sts: query, organizations/secretsmanager/proton: json)."""
    try:
        return get_session().get_service_model(service).protocol
    except Exception:  # an unknown signing name: answer like the query services
        return "query"


def error_response(service, code, message, status):
    """(status line, headers, body) of an AWS error as the service's SDK expects to parse it."""
    request_id = str(uuid.uuid4())
    if protocol_of(service) in ("json", "rest-json"):
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", request_id),
                   ("x-amzn-ErrorType", code)]
    else:
        kind = "Receiver" if status >= 500 else "Sender"
        body = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{escape(code)}</Code>"
            f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)]
    headers.append(("Content-Length", str(len(body))))
    return f"{status} {'Error' if status >= 500 else 'Bad Request'}", headers, body


@dataclass
class ErrorRule:
    """Answer calls that match (None matches anything) with an AWS error, ``count`` times (None: always)."""

    code: str
    message: str = "Injected by the local AWS"
    status: int = 400
    account: str | None = None
    service: str | None = None
    action: str | None = None
    count: int | None = None

    def matches(self, request):
        return (
            (self.account is None or self.account == request.account)
            and (self.service is None or self.service == request.service)
            and (self.action is None or self.action == request.action)
        )


class ErrorRules:
    def __init__(self):
        self._rules = []
        self._lock = threading.Lock()

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
        """The first rule matching ``request``, using up one of its count; None when no rule matches."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(request):
                    if rule.count is not None:
                        rule.count -= 1
                        if rule.count <= 0:
                            self._rules.remove(rule)
                    return rule
        return None
