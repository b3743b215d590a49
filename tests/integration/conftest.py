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
