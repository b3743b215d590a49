"""The integration suite's fixtures: one module task, or one task per set of arguments, in an ansible-playbook run
(``integration/ansible_runs.py`` has the helpers)."""

import pytest

from integration.ansible_runs import run_module, run_module_tasks


@pytest.fixture
def ansible_module(tmp_path):
    """``ansible_module(module, args, aws_env, check=..., diff=..., verbosity=...) -> AnsibleRun``."""

    def _run(module, args, aws_env, **kwargs):
        return run_module(tmp_path, module, args, aws_env, **kwargs)

    return _run


@pytest.fixture
def ansible_module_tasks(tmp_path):
    """``ansible_module_tasks(module, [args, ...], aws_env, ...) -> AnsibleRun``: one task per args, one run."""

    def _run(module, args_list, aws_env, **kwargs):
        return run_module_tasks(tmp_path, module, args_list, aws_env, **kwargs)

    return _run


# On 2 cores the suite ends when its last test does: a playbook test over several accounts started last keeps one
# worker busy for a minute while the other idles. So the modules whose tests run whole playbooks come first, the
# costliest first (the figures pytest prints at the end), and the many short module tests after them. With
# --dist worksteal (Makefile) the first worker starts on the costly ones, the second on the short ones, and a worker
# that runs out takes queued tests from the end of the other's queue: the suite ends on short tests.
COSTLIEST_FIRST = ("test_ownership", "test_reliability", "test_benchmark", "test_playbooks", "test_least_privilege",
                   "test_playbook_bad_input", "test_password_custody")


def pytest_collection_modifyitems(items):
    def rank(item):
        module = item.path.stem
        return COSTLIEST_FIRST.index(module) if module in COSTLIEST_FIRST else len(COSTLIEST_FIRST)

    items.sort(key=rank)  # stable: a module's tests keep their order
