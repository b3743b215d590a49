"""The modules run in the task's worker where they would run on the controller with its Python anyway, and as module
processes everywhere else (plugins/plugin_utils/module_in_worker.py): the same results either way, and no password
in any output of either."""

import json
import re
import sys
from pathlib import Path

from integration.ansible_runs import AnsibleRun

KNOWN_PASSWORD = "Test-Passw0rd!-never-shown-worker-4c1d"
SECRET = "protonkit/Administrator/console-password"
MODULE_PROCESS = ["-e", "protonkit_module_process=true"]


def module_processes(remote_tmp):
    """The modules Ansible started as processes: the AnsiballZ payloads it kept (ANSIBLE_KEEP_REMOTE_FILES)."""
    return sorted(re.sub(r"^AnsiballZ_|\.py$", "", path.name) for path in remote_tmp.rglob("AnsiballZ_*.py"))


def keeping_payloads(env, remote_tmp):
    # And the arguments echoed back in every result (ansible-core 2.21 does it only when asked).
    return dict(env, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=str(remote_tmp), ANSIBLE_INJECT_INVOCATION="1")


def comparable(result, account_id):
    """A module's result without what differs between two accounts and two ways of running it: the account id,
    the ids and dates AWS gives, the arguments echoed back, a traceback, and the order of a set in a message."""

    def same_in_both(value):
        if isinstance(value, dict):
            return {key: "<aws>" if key == "id" or (key.endswith("_id") and key != "account_id") or "date" in key
                    else same_in_both(item) for key, item in value.items()}
        if isinstance(value, list):
            return [same_in_both(item) for item in value]
        return value

    text = json.dumps({key: value for key, value in result.items() if key not in ("invocation", "exception")})
    text = re.sub(r"(:secret:[^\"]+)-[A-Za-z0-9]{6}\"", r'\1-<suffix>"', text.replace(account_id, "<account>"))
    text = re.sub(r"Valid booleans include: [^\"]*", "Valid booleans include: (a set, in any order)", text)
    return same_in_both(json.loads(text))


STEPS = [
    {"password_secret": SECRET, "tags": {"team": "platform"}},  # fresh
    {"password_secret": SECRET, "tags": {"team": "platform"}},  # rerun: nothing to do
    {"password": KNOWN_PASSWORD, "update_password": "always", "password_reset_required": False},
    {"group_policy_arns": ["arn:aws:iam::aws:policy/NoSuchPolicy"]},  # fails before any write
    {"no_such_option": True},  # fails as argument validation does
    {"purge_tags": "maybe", "password": KNOWN_PASSWORD},
    {"state": "absent", "password_secret": SECRET},
]


def test_the_worker_and_the_module_process_give_the_same_results(ansible_module_tasks, aws_account_factory,
                                                                 tmp_path):
    in_worker, as_module = aws_account_factory(2)
    remote_tmp = tmp_path / "remote"
    runs = {}
    for name, account, extra in (("worker", in_worker, []), ("module", as_module, MODULE_PROCESS)):
        env = keeping_payloads(account.env, remote_tmp)
        before_removal = ansible_module_tasks("iam_admin_bootstrap", STEPS[:-1], env, diff=True, verbosity=4,
                                              extra_args=extra)
        generated = json.loads(account.client("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"])
        removal = ansible_module_tasks("iam_admin_bootstrap", STEPS[-1:], env, diff=True, verbosity=4,
                                       extra_args=extra)
        runs[name] = AnsibleRun(removal.rc, before_removal.output + removal.output,
                                before_removal.tasks + removal.tasks)
        assert len(runs[name].tasks) == len(STEPS), runs[name].output[-3000:]
        # Neither the given password nor the generated one (the secret's) appears in any output; no task crashed.
        assert KNOWN_PASSWORD not in runs[name].output
        assert generated["password"] not in runs[name].output
        assert "Traceback" not in runs[name].output
        if name == "worker":
            assert module_processes(remote_tmp) == []
    assert module_processes(remote_tmp) == ["iam_admin_bootstrap"] * len(STEPS)

    for step, worker, module in zip(STEPS, runs["worker"].tasks, runs["module"].tasks):
        assert comparable(worker, in_worker.account_id) == comparable(module, as_module.account_id), step
    assert runs["worker"].tasks[1]["changed"] is False
    assert "NoSuchPolicy" in runs["worker"].tasks[3]["msg"]
    assert "Unsupported parameters for (protonkit.accounts.iam_admin_bootstrap) module: no_such_option" in \
        runs["worker"].tasks[4]["msg"]
    assert "purge_tags" in runs["worker"].tasks[5]["msg"] and runs["worker"].tasks[5]["failed"]
    # The given password is masked in the arguments echoed back, in both.
    for name in ("worker", "module"):
        assert runs[name].tasks[2]["invocation"]["module_args"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_proton_roles_in_the_worker_and_as_a_module_process_give_the_same_results(ansible_module_tasks,
                                                                                  aws_account_factory, tmp_path):
    in_worker, as_module = aws_account_factory(2)
    remote_tmp = tmp_path / "remote"
    steps = [{"regions": ["us-east-1", "eu-west-1"], "tags": {"team": "platform"}}, {"regions": ["us-east-1"]},
             {"regions": ["us-east-1", "eu-west-1"], "state": "absent"}]
    runs = {}
    for name, account, extra in (("worker", in_worker, []), ("module", as_module, MODULE_PROCESS)):
        runs[name] = ansible_module_tasks("proton_account_roles", steps, keeping_payloads(account.env, remote_tmp),
                                          diff=True, extra_args=extra)
        assert len(runs[name].tasks) == len(steps), runs[name].output[-3000:]
    assert module_processes(remote_tmp) == ["proton_account_roles"] * len(steps)
    for step, worker, module in zip(steps, runs["worker"].tasks, runs["module"].tasks):
        assert comparable(worker, in_worker.account_id) == comparable(module, as_module.account_id), step
    assert runs["worker"].tasks[0]["changed"] and not runs["worker"].tasks[1]["changed"]


def test_without_diff_mode_no_diff_is_returned(ansible_module, aws_account):
    # Over many accounts, every account's results stay in memory until its record is made: the states before and
    # after, half of a result, come only when asked for (the tests above compare them, asked for, both ways).
    for module, args, extra in (("iam_admin_bootstrap", {"password_secret": SECRET}, []),
                                ("proton_account_roles", {}, []),
                                ("proton_account_roles", {}, MODULE_PROCESS)):
        run = ansible_module(module, args, aws_account.env, extra_args=extra)
        assert run.rc == 0 and ("roles" in run.result or "user" in run.result), run.output[-3000:]
        assert "diff" not in run.result, (module, extra)


def test_another_interpreter_gets_a_module_process(ansible_module, aws_account, tmp_path):
    # The same Python under another path could be another virtual environment, with another boto3: the worker's
    # Python is used only when the task's interpreter is the very one running ansible-playbook.
    playbook_python = Path(Path(sys.executable).with_name("ansible-playbook").read_text().splitlines()[0][2:])
    other_python = next(playbook_python.with_name(name) for name in ("python3", "python")
                        if playbook_python.with_name(name) != playbook_python)
    remote_tmp = tmp_path / "remote"
    run = ansible_module("iam_admin_bootstrap", {"password_secret": SECRET},
                         keeping_payloads(aws_account.env, remote_tmp), extra_args=["-e", f"ansible_python_interpreter={other_python}"])
    assert run.result.get("changed") is True, run.output[-3000:]
    assert module_processes(remote_tmp) == ["iam_admin_bootstrap"]


def test_a_relative_password_file_is_in_the_playbooks_directory(ansible_module_tasks, aws_account_factory, tmp_path):
    # A local module process runs in the playbook's directory (here tmp_path; ansible-playbook runs elsewhere).
    for (name, extra), account in zip((("worker", []), ("module", MODULE_PROCESS)), aws_account_factory(2)):
        run = ansible_module_tasks("iam_admin_bootstrap", [{"password_file": f"{name}-admin.json"}], account.env,
                                   extra_args=extra)
        assert run.result.get("changed") is True, run.output[-3000:]
        document = json.loads((tmp_path / f"{name}-admin.json").read_text())
        assert document["account_id"] == account.account_id
        assert run.result["password_file"] == f"{name}-admin.json"  # as given
