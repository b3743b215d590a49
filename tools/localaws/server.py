"""The local AWS: moto's server app with the Proton backend mounted, behind a small WSGI layer that logs every
call and applies the test knobs (error rules, Proton end of support, IAM propagation delay).

Admin API (JSON, never logged as AWS calls):
  GET    /_localaws/health                 -> {"ok": true}
  GET    /_localaws/calls[?account=&service=&region=&action=&write=true|false]   -> {"calls": [...]}
  DELETE /_localaws/calls
  GET    /_localaws/settings               -> {"proton_mode": ..., "propagation_delay": ..., "seed": ...}
  POST   /_localaws/settings               {"proton_mode": "...", "propagation_delay": seconds, "seed": int}
  GET    /_localaws/error-rules            -> {"rules": [...]}
  POST   /_localaws/error-rules            {"code", "message", "status", "account", "service", "action", "region", "count",
                                            "probability", "delay"}
  DELETE /_localaws/error-rules
  POST   /_localaws/reset                  -> all AWS state (moto's reset), calls, rules and settings back to
                                              their start values
"""

import json
import os
import re
import sys
import time

# AWS managed policies (AdministratorAccess, ...) exist in every account, as in AWS. Set before moto loads IAM.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from moto import backend_index  # noqa: E402
from moto import settings as moto_settings  # noqa: E402
from moto.core.authorization import ActionAuthenticatorMixin  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from moto.moto_api._internal.models import moto_api_backend  # noqa: E402

from . import patches  # noqa: E402
from . import proton  # noqa: E402
from .calls import ApiRequest, CallLog  # noqa: E402
from .faults import ErrorRule, ErrorRules, error_response, rule_error  # noqa: E402
from .proton.models import ProtonBackend  # noqa: E402
from .proton.urls import url_bases as proton_url_bases  # noqa: E402

ADMIN_PREFIX = "/_localaws/"

# How Proton answers after its end of support (2026-10-07); see README.md, "Proton end of support".
#   unknown-operation: the endpoint still answers but no longer knows the operation (HTTP 400
#                      UnknownOperationException, what AWS JSON endpoints say for an operation they do not have);
#   gone:              a decommissioned endpoint behind a load balancer (HTTP 404, no AWS error body).
# A third behaviour, the endpoint no longer resolving, needs no server: point AWS_ENDPOINT_URL_PROTON at an
# unresolvable host such as http://proton.invalid.
PROTON_MODES = ("available", "unknown-operation", "gone")


def _mount_proton():
    """Make moto find the Proton service where it looks for its own (moto.<service> and its URL index)."""
    sys.modules.setdefault("moto.proton", proton)
    pattern = re.compile(proton_url_bases[0])
    if ("proton", pattern) not in backend_index.backend_url_patterns:
        backend_index.backend_url_patterns.append(("proton", pattern))


class LocalAWS:
    """The WSGI application: admin API, knobs and call log in front of moto."""

    def __init__(self, proton_mode="available", propagation_delay=0.0, seed=None, error_rules=()):
        patches.apply()
        _mount_proton()
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.calls = CallLog()
        self.error_rules = ErrorRules()
        self.initial_settings = {"proton_mode": proton_mode, "propagation_delay": float(propagation_delay),
                                 "seed": seed}
        self.initial_error_rules = [dict(rule) for rule in error_rules]
        self.initial_no_auth_action_count = moto_settings.INITIAL_NO_AUTH_ACTION_COUNT
        self.settings = {}
        self._restore_start_values()

    def _restore_start_values(self):
        self.error_rules.clear()
        for rule in self.initial_error_rules:
            self.error_rules.add(ErrorRule(**rule))
        self.configure(**self.initial_settings)

    def configure(self, proton_mode=None, propagation_delay=None, **optional):
        """Change the given settings (an omitted one stays as it is; ``seed`` may be set to None)."""
        unknown = set(optional) - {"seed"}
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))} (known: {', '.join(self.settings)})")
        if proton_mode is not None:
            if proton_mode not in PROTON_MODES:
                raise ValueError(f"proton_mode must be one of {', '.join(PROTON_MODES)}, not {proton_mode!r}")
            self.settings["proton_mode"] = proton_mode
        if propagation_delay is not None:
            if float(propagation_delay) < 0:
                raise ValueError("propagation_delay must be 0 or more seconds")
            self.settings["propagation_delay"] = float(propagation_delay)
            ProtonBackend.role_visibility_delay_seconds = float(propagation_delay)
        if "seed" in optional:
            # The seed of the error rules' probability draws: the same seed, the same calls fail.
            seed = optional["seed"]
            self.settings["seed"] = None if seed is None else int(seed)
            self.error_rules.seed(self.settings["seed"])

    def reset(self):
        # What POST /moto-api/reset does: every backend (ours included, it is a BackendDict) starts empty.
        moto_api_backend.reset()
        # ... and IAM policy enforcement (POST /moto-api/reset-auth) back to how the server started.
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = self.initial_no_auth_action_count
        ActionAuthenticatorMixin.request_count = 0
        self.calls.clear()
        self._restore_start_values()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(ADMIN_PREFIX):
            return self._admin(environ, start_response, path[len(ADMIN_PREFIX):].strip("/"))
        request = ApiRequest.from_environ(environ)
        if request is None:  # moto-api calls and unsigned requests go straight to moto, unlogged
            return self.moto(environ, start_response)

        # An endpoint that is gone answers the same whatever faults are configured.
        if request.service == "proton" and self.settings["proton_mode"] != "available":
            return self._answer(start_response, request, *self._proton_after_end_of_support(request))
        started = time.perf_counter()
        rule, delay = self.error_rules.take(request)
        if delay:
            time.sleep(delay)
        if rule is not None:
            return self._answer(start_response, request, *error_response(request.service,
                                                                         *rule_error(rule, request.service)),
                                started=started)

        statuses = []

        def recording_start_response(status, headers, exc_info=None):
            statuses.append(int(status.split()[0]))
            return start_response(status, headers, exc_info)

        body = self.moto(environ, recording_start_response)
        self.calls.record(request, statuses[0] if statuses else 500, time.perf_counter() - started)
        return body

    def _proton_after_end_of_support(self, request):
        if self.settings["proton_mode"] == "gone":
            body = b"Not Found"
            return "404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))], body
        return error_response("proton", "UnknownOperationException", f"Unknown operation {request.action}", 400)

    def _answer(self, start_response, request, status, headers, body, started=None):
        self.calls.record(request, int(status.split()[0]), time.perf_counter() - started if started else 0.0)
        start_response(status, headers)
        return [body]

    def _admin(self, environ, start_response, route):
        method = environ.get("REQUEST_METHOD", "GET")
        try:
            payload = self._admin_call(method, route, environ)
            status = "200 OK"
        except (ValueError, TypeError) as error:
            payload, status = {"error": str(error)}, "400 Bad Request"
        except LookupError:
            payload, status = {"error": f"no admin route {method} /_localaws/{route}"}, "404 Not Found"
        body = json.dumps(payload).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _admin_call(self, method, route, environ):
        from urllib.parse import parse_qs

        if (method, route) == ("GET", "health"):
            return {"ok": True}
        if route == "calls":
            if method == "DELETE":
                self.calls.clear()
                return {"ok": True}
            query = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
            if "write" in query:
                query["write"] = query["write"].lower() == "true"
            return {"calls": self.calls.query(**query)}
        if route == "settings":
            if method == "POST":
                self.configure(**_json_body(environ))
            return dict(self.settings)
        if route == "error-rules":
            if method == "POST":
                self.error_rules.add(ErrorRule(**_json_body(environ)))
            elif method == "DELETE":
                self.error_rules.clear()
            return {"rules": self.error_rules.list()}
        if (method, route) == ("POST", "reset"):
            self.reset()
            return {"ok": True}
        raise LookupError(route)


def _json_body(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    data = json.loads(environ["wsgi.input"].read(length) or b"{}") if length else {}
    if not isinstance(data, dict):
        raise ValueError("the request body must be a JSON object")
    return data


def serve(host="127.0.0.1", port=0, ready=None, **settings):
    """Serve until interrupted; ``ready(url)`` is called once the socket listens."""
    from werkzeug.serving import make_server
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    app = LocalAWS(**settings)
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    url = f"http://{host}:{server.server_port}"
    if ready:
        ready(url)
    try:
        server.serve_forever()
    finally:
        server.server_close()
