"""Running Ansible itself against the local AWS, for the integration tests: ``run_playbook``, ``run_module(_tasks)``,
the management account's environment and a static inventory of accounts.

Every test drives a real ``ansible-playbook`` process, so argument parsing, check mode, diff,
no_log masking and callback output are the ones users get.
"""

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".build" / "collections"


@dataclass
class AnsibleRun:
    rc: int
    output: str  # stdout + stderr, everything a user could see
    tasks: list  # one result dict per task (json callback), in order

    @property
    def result(self):
        """The result of the (only or last) task."""
        return self.tasks[-1]


def _ansible_env(aws_env, callback):
    env = dict(os.environ)
    env.update(aws_env)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_STDOUT_CALLBACK=callback,
        ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_DEPRECATION_WARNINGS="1",  # shown whatever the caller's environment says (see run_playbook)
    )
    # None removes a variable: Ansible run as no shell would start it (without PWD, for example).
    return {key: value for key, value in env.items() if value is not None}


def run_playbook(playbook, aws_env, *, check=False, diff=False, verbosity=0, extra_args=(),
                 callback="ansible.posix.json", cwd=None, inventory="localhost,"):
    """Run a playbook file and return an AnsibleRun (tasks parsed when the json callback is used)."""
    cmd = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory), str(playbook)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    cmd.extend(extra_args)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_ansible_env(aws_env, callback),
                          cwd=cwd or REPO, check=False)
    output = proc.stdout + proc.stderr
    # On the newest toolchain amazon.aws and ansible-core print no deprecation warning: any would be ours.
    assert "DEPRECATION WARNING" not in output, output[-3000:]
    tasks = []
    if callback == "ansible.posix.json":
        start = proc.stdout.find("{")
        if start >= 0:
            report = json.loads(proc.stdout[start:])
            for play in report.get("plays", []):
                for task in play.get("tasks", []):
                    host_result = task["hosts"].get("localhost")
                    if host_result is not None:
                        tasks.append(host_result)
    return AnsibleRun(proc.returncode, output, tasks)


def run_module(tmp_path, module, args, aws_env, **kwargs):
    """Run one module task on localhost (errors ignored so the failed result is returned)."""
    return run_module_tasks(tmp_path, module, [args], aws_env, **kwargs)


def run_module_tasks(tmp_path, module, args_list, aws_env, **kwargs):
    """Run one task of the module per item of ``args_list``, in order, in one ansible-playbook run (errors
    ignored, so that every task runs and its failed result is returned): ``run.tasks[i]`` is item i's result."""
    fqcn = module if "." in module else f"protonkit.accounts.{module}"
    playbook = tmp_path / f"run_{module.replace('.', '_')}_{len(list(tmp_path.glob('run_*')))}.yml"
    tasks = "".join(textwrap.indent(textwrap.dedent(f"""\
        - name: Run {fqcn} ({index})
          {fqcn}: {json.dumps(args)}
          ignore_errors: true
        """), " " * 4) for index, args in enumerate(args_list))
    playbook.write_text(textwrap.dedent("""\
        - hosts: localhost
          connection: local
          gather_facts: false
          vars:
            ansible_python_interpreter: "{{ ansible_playbook_python }}"
          tasks:
        """) + tasks)
    return run_playbook(playbook, aws_env, **kwargs)


# The Proton half of bootstrap.yml is opt-in (AWS Proton's end of support): the tests that expect its roles ask.
PROTON = ["-e", "account_bootstrap_proton_roles=true"]


def write_inventory(path, accounts, host_vars=None, group_vars=None):
    """A static inventory of ``accounts``; ``host_vars`` (account id -> variables) adds variables to some,
    ``group_vars`` to all (below host variables, as a user's group_vars/all)."""
    hosts = {account.account_id: {
        "aws_account_id": account.account_id,
        "aws_assume_role_arn": f"arn:aws:iam::{account.account_id}:role/OrganizationAccountAccessRole",
        **(host_vars or {}).get(account.account_id, {}),
    } for account in accounts}
    path.write_text(yaml.safe_dump({"all": {"hosts": hosts, **({"vars": group_vars} if group_vars else {})}}))
    return path


def management_env(local_aws, tmp_path):
    return {"AWS_ACCESS_KEY_ID": "AKIAPROTONKITPLAYBK0", "AWS_SECRET_ACCESS_KEY": "playbook-management",
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": local_aws.url,
            "PWD": str(tmp_path)}
