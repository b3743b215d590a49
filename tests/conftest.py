"""Fixtures shared by every suite: the local AWS, and fresh isolated AWS accounts on it.

``local_aws`` (session) is a ``localaws.client.LocalAWSClient`` for a local AWS started for this test process
(one per xdist worker, on a free loopback port). ``aws_account`` (function) is a brand-new AWS account on it.
"""

import os
import resource
from pathlib import Path

import pytest

from local_accounts import Account, new_account_id
from localaws.client import LocalAWSClient

BUILD = Path(__file__).resolve().parents[1] / ".build"
# Every Ansible process a test starts (they inherit this environment) keeps its own files in the checkout's build
# folder, as under make, and never in ~/.ansible (tests/integration/test_hygiene.py checks it).
ANSIBLE_HOME = Path(os.environ.setdefault("ANSIBLE_HOME", str(BUILD / "ansible-home")))
os.environ.setdefault("ANSIBLE_LOCAL_TEMP", str(ANSIBLE_HOME / "tmp"))
os.environ.setdefault("ANSIBLE_REMOTE_TEMP", str(ANSIBLE_HOME / "tmp"))


@pytest.fixture(scope="session")
def local_aws(tmp_path_factory):
    """One local AWS per test process (each xdist worker has its own), on a free loopback port.

    Its log (one line per request, tracebacks of server errors) is localaws.log in pytest's base temporary
    directory (e.g. /tmp/pytest-of-<user>/pytest-<n>/[popen-gw<i>/]localaws.log; pytest keeps the last three).
    """
    client = LocalAWSClient.start(log_path=tmp_path_factory.getbasetemp() / "localaws.log")
    yield client
    client.stop()


def _restore_knobs(local_aws):
    local_aws.clear_error_rules()
    local_aws.set_proton_mode("available")
    local_aws.set_propagation_delay(0)
    local_aws.enforce_iam_policies(after_actions=float("inf"))


@pytest.fixture
def aws_account(local_aws):
    """A fresh, empty account; error rules and knobs are back to their defaults when the test ends."""
    yield Account(local_aws, new_account_id())
    _restore_knobs(local_aws)


@pytest.fixture
def aws_account_factory(local_aws):
    """Call it for as many fresh accounts as a test needs: ``first, second = aws_account_factory(2)``."""

    def make(count=None):
        if count is None:
            return Account(local_aws, new_account_id())
        return [Account(local_aws, new_account_id()) for _index in range(count)]

    yield make
    _restore_knobs(local_aws)


# --- where the test command's CPU goes ------------------------------------------------------------------------------
# The test command's budget is CPU on 2 cores: each test's processes (ansible-playbook, its workers and modules) are
# measured from getrusage(RUSAGE_CHILDREN), which counts every finished child, whatever else the machine runs, and the
# costliest tests are listed at the end (``--cpu-top N``; 0 turns it off).
def pytest_addoption(parser):
    parser.addoption("--cpu-top", type=int, default=15, help="list the N tests whose processes used the most CPU")


def _children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    start = _children_cpu_seconds()
    yield
    item.user_properties.append(("children_cpu_seconds", _children_cpu_seconds() - start))


def pytest_terminal_summary(terminalreporter, config):
    top = config.getoption("--cpu-top")
    reports = [report for status in ("passed", "failed") for report in terminalreporter.stats.get(status, [])
               if report.when == "call"]
    costs = sorted(((dict(report.user_properties).get("children_cpu_seconds", 0.0), report.nodeid)
                    for report in reports), reverse=True)
    costs = [(seconds, nodeid) for seconds, nodeid in costs if seconds >= 0.1]
    if not top or not costs:
        return
    terminalreporter.write_sep("-", f"CPU seconds of the processes each test started: {sum(seconds for seconds, _nodeid in costs):.0f} "
                                    f"in all, the {min(top, len(costs))} costliest")
    for seconds, nodeid in costs[:top]:
        terminalreporter.write_line(f"{seconds:8.1f}  {nodeid}")
