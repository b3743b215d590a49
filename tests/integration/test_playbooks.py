"""playbooks/bootstrap.yml and teardown.yml over a static inventory of accounts, against the local AWS."""

import json
import stat
import textwrap

import pytest
import yaml

from integration.ansible_runs import PROTON, REPO, management_env, run_playbook, write_inventory
from localaws.bootstrapped import account_state, bootstrap_problems

KNOWN_PASSWORD = "Playbook-Passw0rd!-never-shown-51c2"


def fully_bootstrapped(account):
    """Both halves, as documented (the generated password in its secret)."""
    return bootstrap_problems(account_state(account.client), account.account_id) == []


def test_one_of_five_accounts_denied_mid_run_then_rerun_alone(local_aws, aws_account_factory, tmp_path):
    accounts = aws_account_factory(5)
    broken = accounts[2]
    # Mid-run: the IAM half of that account is written, then its Proton half is denied.
    local_aws.add_error_rule(code="AccessDenied", status=403, account=broken.account_id, service="iam",
                             action="PutRolePolicy", message="not allowed to put role policies")
    inventory = write_inventory(tmp_path / "accounts.yml", accounts)
    env = management_env(local_aws, tmp_path)
    # Imported by a playbook of the user's, with a play after it: one failed account must not stop that play.
    site = tmp_path / "site.yml"
    site.write_text(yaml.safe_dump([
        {"ansible.builtin.import_playbook": str(REPO / "playbooks" / "bootstrap.yml")},
        {"name": "After the bootstrap", "hosts": "localhost", "gather_facts": False,
         "tasks": [{"ansible.builtin.debug": {"msg": "the play after the bootstrap ran"}}]}]))
    run = run_playbook(site, env, callback="ansible.builtin.default", inventory=inventory, cwd=tmp_path,
                       extra_args=PROTON)
    assert run.rc == 2, run.output[-3000:]
    assert "the play after the bootstrap ran" in run.output
    report = json.loads((tmp_path / "protonkit-bootstrap-report.json").read_text())
    assert report["counts"]["failed"] == 1 and report["counts"]["created"] == 4
    failed = [a for a in report["accounts"] if a["status"] == "failed"]
    assert failed[0]["account_id"] == broken.account_id
    assert failed[0]["error"]["code"] == "AccessDenied"
    assert "Proton service roles" in failed[0]["error"]["task"]
    assert (tmp_path / "protonkit-bootstrap.retry").read_text().split() == [broken.account_id]
    assert [fully_bootstrapped(account) for account in accounts] == [account is not broken for account in accounts]
    # ansible-playbook's recap says which account failed, with the task and message of its record.
    recap = run.output.split("PLAY RECAP", 1)[1]
    assert {line.split()[0]: "failed=1" in line for line in recap.splitlines()
            if " : ok=" in line and not line.startswith("localhost")} == {
        account.account_id: account is broken for account in accounts}
    marks = run.output.split("PLAY [Mark the accounts that failed", 1)[1].split("PLAY RECAP", 1)[0]
    assert f'fatal: [{broken.account_id}]: FAILED! => {{"changed": false, "msg": "Proton service roles' in marks

    local_aws.clear_error_rules()
    rerun = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                         inventory=inventory,
                         extra_args=PROTON + ["--limit", f"@{tmp_path / 'protonkit-bootstrap.retry'}"],
                         cwd=tmp_path)
    assert rerun.rc == 0, rerun.output[-3000:]
    # The rerun's record took the failed one's place; the other accounts keep theirs: a report of every account.
    report = json.loads((tmp_path / "protonkit-bootstrap-report.json").read_text())
    assert sorted((a["account_id"], a["status"]) for a in report["accounts"]) == sorted(
        (a.account_id, "created") for a in accounts)
    assert report["counts"]["created"] == 5 and report["failed_hosts"] == [] and report["limit"].startswith("@")
    assert not (tmp_path / "protonkit-bootstrap.retry").exists()
    assert fully_bootstrapped(broken)


def test_rerun_is_unchanged_with_zero_writes_and_the_password_is_nowhere(local_aws, aws_account_factory, tmp_path):
    accounts = aws_account_factory(2)
    inventory = write_inventory(tmp_path / "accounts.yml", accounts)
    env = management_env(local_aws, tmp_path)
    # As a user would give it: from a vars file (a vault in real life), never on the command line, which
    # ansible-playbook itself echoes at -vvvv.
    secrets = tmp_path / "secrets.yml"
    secrets.write_text(yaml.safe_dump({"iam_admin_password": KNOWN_PASSWORD,
                                       "proton_regions": ["us-east-1", "eu-west-1"]}))
    extra = ["-e", f"@{secrets}"] + PROTON
    first = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                         verbosity=4, diff=True, inventory=inventory, extra_args=extra, cwd=tmp_path)
    assert first.rc == 0, first.output[-3000:]
    writes_before = sum(len(a.write_calls()) for a in accounts)
    second = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                          verbosity=4, diff=True, inventory=inventory, extra_args=extra, cwd=tmp_path)
    assert second.rc == 0
    assert sum(len(a.write_calls()) for a in accounts) == writes_before
    report_bytes = (tmp_path / "protonkit-bootstrap-report.json").read_text()
    assert json.loads(report_bytes)["counts"]["unchanged"] == 2
    for captured in (first.output, second.output, report_bytes):
        assert KNOWN_PASSWORD not in captured


# (PWD, -e variables, where the report goes relative to the directory ansible-playbook is started from)
REPORT_LOCATIONS = {
    # Started by no shell (cron, a CI runner, subprocess): $PWD unset. The files went to / before.
    "PWD unset": (None, [], "."),
    # Started by a process that changed directory without updating $PWD: the files went to its old directory.
    "PWD stale": ("elsewhere", [], "."),
    # A relative path given: relative to that directory too, never to $PWD.
    "relative path": ("elsewhere", ["-e", "account_report_json_path=reports/run.json",
                                    "-e", "account_report_retry_path=reports/run.retry"], "reports"),
}


@pytest.mark.parametrize("case", REPORT_LOCATIONS)
def test_report_and_retry_file_go_where_ansible_playbook_was_started_private(
        local_aws, aws_account_factory, tmp_path, case):
    pwd, extra, subdirectory = REPORT_LOCATIONS[case]
    # One account, which fails, so that there is a retry file too.
    broken = aws_account_factory()
    accounts = [broken]
    started_in, elsewhere = tmp_path / "started-here", tmp_path / "elsewhere"
    (started_in / "reports").mkdir(parents=True)
    elsewhere.mkdir()
    inventory = write_inventory(tmp_path / "accounts.yml", accounts)
    env = dict(management_env(local_aws, tmp_path), PWD=str(tmp_path / pwd) if pwd else None)
    local_aws.add_error_rule(code="AccessDenied", status=403, account=broken.account_id, service="iam",
                             action="CreateGroup", message="not allowed to create groups")
    try:
        run = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                           inventory=inventory, extra_args=extra, cwd=started_in)
    finally:
        local_aws.clear_error_rules()

    assert run.rc == 2, run.output[-3000:]
    written = sorted(path.resolve() for path in tmp_path.rglob("*") if path.is_file() and path.name != "accounts.yml")
    directory = (started_in / subdirectory).resolve()
    report, retry = ((directory / "run.json", directory / "run.retry") if subdirectory == "reports" else
                     (directory / "protonkit-bootstrap-report.json", directory / "protonkit-bootstrap.retry"))
    assert written == [report, retry]
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert retry.read_text().split() == [broken.account_id]
    assert json.loads(report.read_text())["retry_file"] == str(retry)
    # The summary names the absolute paths, so --limit @<retry file> works from anywhere.
    assert f"--limit @{retry}" in run.output


def test_default_bootstrap_does_the_iam_half_only_and_never_calls_proton(local_aws, aws_account, tmp_path):
    # AWS Proton answers nowhere since 2026-10-07: by default bootstrap.yml creates no Proton role and asks it nothing.
    inventory = write_inventory(tmp_path / "accounts.yml", [aws_account])
    run = run_playbook(REPO / "playbooks" / "bootstrap.yml", management_env(local_aws, tmp_path),
                       callback="ansible.builtin.default", inventory=inventory, cwd=tmp_path)
    assert run.rc == 0, run.output[-3000:]
    iam = aws_account.client("iam")
    assert [user["UserName"] for user in iam.get_group(GroupName="Administrators")["Users"]] == ["Administrator"]
    assert iam.list_roles(PathPrefix="/service-role/")["Roles"] == []
    assert aws_account.calls(service="proton") == []
    assert not [call for call in aws_account.write_calls() if "Role" in call["action"]]
    record = json.loads((tmp_path / "protonkit-bootstrap-report.json").read_text())["accounts"][0]
    assert (record["status"], record["proton_roles"], record["regions"]) == ("created", [], [])


def test_teardown_where_proton_is_gone_removes_the_roles_and_says_the_settings_stay(local_aws, aws_account, tmp_path):
    inventory = write_inventory(tmp_path / "accounts.yml", [aws_account])
    env = management_env(local_aws, tmp_path)
    assert run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                        inventory=inventory, cwd=tmp_path, extra_args=PROTON).rc == 0
    local_aws.set_proton_mode("gone")
    # No extra variable: the clean-up's defaults are right where Proton no longer answers.
    teardown = run_playbook(REPO / "playbooks" / "teardown.yml", env, callback="ansible.builtin.default",
                            inventory=inventory, cwd=tmp_path, extra_args=["-e", "protonkit_remove_admin=true"])
    assert teardown.rc == 0, teardown.output[-3000:]
    assert aws_account.client("iam").list_roles(PathPrefix="/service-role/")["Roles"] == []
    assert "account settings could not be read or cleared" in " ".join(teardown.output.split())
    record = json.loads((tmp_path / "protonkit-teardown-report.json").read_text())["accounts"][0]
    assert sorted(record["proton_roles"]) == ["AWSProtonPipelineServiceRole", "AWSProtonServiceRole"]
    assert record["status"] == "removed" and record["proton_skipped_regions"] == ["us-east-1"]
    # The Administrator is named as removed (the module's "user after the run" is empty).
    assert (record["admin_user"], record["admin_user_removed"]) == ("Administrator", True)
    assert "Administrator (removed)" in teardown.output
    assert "its account settings were not cleared in:" in teardown.output


def test_an_inventory_that_selects_no_account_fails_loudly_unless_allowed(local_aws, aws_account, tmp_path):
    # An OU typo, no organization, expired credentials: the plugin fails to parse, Ansible only warns.
    inventory = tmp_path / "accounts.aws_org.yml"
    inventory.write_text(yaml.safe_dump({"plugin": "protonkit.accounts.organization",
                                         "organizational_units": ["/workloads"]}))
    env = dict(management_env(local_aws, tmp_path), **{k: aws_account.env[k] for k in (
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")})  # an account without an organization
    for playbook in ("bootstrap", "teardown"):
        run = run_playbook(REPO / "playbooks" / f"{playbook}.yml", env, callback="ansible.builtin.default",
                           inventory=inventory, cwd=tmp_path)
        output = " ".join(run.output.split())
        assert run.rc != 0, output[-3000:]
        assert f"protonkit.accounts.{playbook}: the inventory selects no account" in output
        assert f"ansible-inventory -i {inventory} --graph" in output
        assert "ANSIBLE_INVENTORY_UNPARSED_FAILED=true" in output and "protonkit_allow_empty_selection=true" in output
    allowed = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                           inventory=inventory, cwd=tmp_path, extra_args=["-e", "protonkit_allow_empty_selection=true"])
    assert allowed.rc == 0, allowed.output[-3000:]
    assert aws_account.write_calls() == []


def test_a_pattern_and_limit_that_select_no_account_fail_loudly(local_aws, aws_account_factory, tmp_path):
    first, second = aws_account_factory(2)
    inventory = write_inventory(tmp_path / "accounts.yml", [first, second])
    env = management_env(local_aws, tmp_path)
    # Each matches hosts of the inventory, but none that the account play would run on.
    for extra in (["-e", "protonkit_accounts=no_such_group"],
                  ["-e", f"protonkit_accounts={first.account_id}", "--limit", second.account_id]):
        run = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                           inventory=inventory, cwd=tmp_path, extra_args=extra)
        assert run.rc != 0 and "the inventory selects no account" in " ".join(run.output.split()), run.output[-3000:]
    assert first.write_calls() == [] and second.write_calls() == []


def test_check_mode_is_marked_in_its_own_report_and_published_with_set_stats(local_aws, aws_account, tmp_path):
    inventory = write_inventory(tmp_path / "accounts.yml", [aws_account])
    env = dict(management_env(local_aws, tmp_path), ANSIBLE_SHOW_CUSTOM_STATS="1")
    check = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default", check=True,
                         diff=True, inventory=inventory, cwd=tmp_path)
    assert check.rc == 0, check.output[-3000:]
    assert aws_account.write_calls() == []
    assert not (tmp_path / "protonkit-bootstrap-report.json").exists()
    report = json.loads((tmp_path / "protonkit-bootstrap-check-report.json").read_text())
    assert report["check_mode"] is True and report["accounts"][0]["status"] == "created"
    assert "Check mode: nothing was changed" in check.output and "would create 1" in check.output
    # The same document in the run's custom stats (AWX and AAP keep them as the job's artifacts).
    assert "protonkit_bootstrap_report" in check.output.split("CUSTOM STATS")[-1]

    real = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                        inventory=inventory, cwd=tmp_path)
    assert real.rc == 0 and "would create" not in real.output
    report = json.loads((tmp_path / "protonkit-bootstrap-report.json").read_text())
    assert report["check_mode"] is False and report["accounts"][0]["status"] == "created"


def test_proton_skipped_because_unavailable_has_its_own_status(local_aws, aws_account_factory, tmp_path):
    accounts = aws_account_factory(2)
    inventory = write_inventory(tmp_path / "accounts.yml", accounts)
    local_aws.set_proton_mode("unknown-operation")
    run = run_playbook(REPO / "playbooks" / "bootstrap.yml", management_env(local_aws, tmp_path),
                       callback="ansible.builtin.default", inventory=inventory, cwd=tmp_path,
                       extra_args=PROTON + ["-e", "proton_roles_unavailable=warn"])
    assert run.rc == 0, run.output[-3000:]
    report = json.loads((tmp_path / "protonkit-bootstrap-report.json").read_text())
    assert report["counts"]["proton_skipped"] == 2 and report["counts"]["created"] == 0
    assert {a["status"] for a in report["accounts"]} == {"proton_skipped"}
    assert "its account settings were not written in:" in run.output


def test_the_secret_region_is_a_role_variable_and_its_absence_fails_before_any_write(
        local_aws, aws_account, tmp_path):
    inventory = write_inventory(tmp_path / "accounts.yml", [aws_account])
    # As in AWX, whose AWS credential injects no region.
    env = dict(management_env(local_aws, tmp_path), AWS_REGION=None, AWS_DEFAULT_REGION=None)
    run = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                       inventory=inventory, cwd=tmp_path)
    assert run.rc == 2, run.output[-3000:]
    error = json.loads((tmp_path / "protonkit-bootstrap-report.json").read_text())["accounts"][0]["error"]
    assert error["message"].startswith("iam_admin_password_secret_region: the password secret"), error
    assert aws_account.write_calls() == []

    run = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                       inventory=inventory, cwd=tmp_path, extra_args=["-e", "iam_admin_password_secret_region=eu-west-1"])
    assert run.rc == 0, run.output[-3000:]
    secret = aws_account.client("secretsmanager", region="eu-west-1").describe_secret(
        SecretId="protonkit/Administrator/console-password")
    assert secret["ARN"].startswith("arn:aws:secretsmanager:eu-west-1:")


def test_rotation_in_one_run_generates_stores_sets_and_requires_a_reset(local_aws, aws_account, tmp_path):
    inventory = write_inventory(tmp_path / "accounts.yml", [aws_account])
    env = management_env(local_aws, tmp_path)
    secrets = aws_account.client("secretsmanager")
    secret_id = "protonkit/Administrator/console-password"
    assert run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                        inventory=inventory, cwd=tmp_path).rc == 0
    first = json.loads(secrets.get_secret_value(SecretId=secret_id)["SecretString"])["password"]
    aws_account.client("iam").update_login_profile(UserName="Administrator", PasswordResetRequired=False)  # chosen
    local_aws.clear_calls()

    rotation = run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default", verbosity=3,
                            diff=True, inventory=inventory, cwd=tmp_path,
                            extra_args=["-e", "iam_admin_update_password=always"])
    assert rotation.rc == 0, rotation.output[-3000:]
    second = json.loads(secrets.get_secret_value(SecretId=secret_id)["SecretString"])["password"]
    assert second != first
    assert len(secrets.list_secret_version_ids(SecretId=secret_id)["Versions"]) == 2
    # Delivered before it is set, then set with a reset at the next sign-in.
    writes = [call["action"] for call in aws_account.write_calls()]
    assert writes.index("PutSecretValue") < writes.index("UpdateLoginProfile")
    assert aws_account.client("iam").get_login_profile(UserName="Administrator")["LoginProfile"][
        "PasswordResetRequired"] is True
    report = (tmp_path / "protonkit-bootstrap-report.json").read_text()
    for captured in (rotation.output, report):
        assert first not in captured and second not in captured


def test_max_fail_percentage_stops_starting_accounts_and_reports_them_not_attempted(
        local_aws, aws_account_factory, tmp_path):
    # Hosts run in inventory order, one per batch: the first account fails, the others must not be started.
    accounts = sorted(aws_account_factory(3), key=lambda account: account.account_id)
    broken = accounts[0]
    local_aws.add_error_rule(code="AccessDenied", status=403, account=broken.account_id, service="iam",
                             action="CreateGroup", message="not allowed to create groups")
    inventory = write_inventory(tmp_path / "accounts.yml", accounts)
    run = run_playbook(REPO / "playbooks" / "bootstrap.yml", management_env(local_aws, tmp_path),
                       callback="ansible.builtin.default", inventory=inventory, cwd=tmp_path,
                       extra_args=["-e", "protonkit_max_fail_percentage=0", "-e", "protonkit_serial=1"])
    local_aws.clear_error_rules()
    assert run.rc == 2, run.output[-3000:]
    assert (tmp_path / "protonkit-bootstrap-report.json").exists(), run.output[-6000:]
    report = json.loads((tmp_path / "protonkit-bootstrap-report.json").read_text())
    assert {a["account_id"]: a["status"] for a in report["accounts"]} == {
        broken.account_id: "failed", accounts[1].account_id: "not_attempted", accounts[2].account_id: "not_attempted"}
    assert report["counts"]["not_attempted"] == 2
    assert accounts[1].calls() == [] and accounts[2].calls() == []
    assert "Not attempted (protonkit_max_fail_percentage was exceeded before their turn)" in run.output
    # A rerun with --limit @<retry file> covers them too.
    assert (tmp_path / "protonkit-bootstrap.retry").read_text().split() == [a.account_id for a in accounts]
    assert report["failed_hosts"] == [broken.account_id]


def test_the_runbooks_lookup_reads_the_password_into_a_private_file_and_prints_it_nowhere(
        local_aws, aws_account, tmp_path):
    inventory = write_inventory(tmp_path / "accounts.yml", [aws_account])
    assert run_playbook(REPO / "playbooks" / "bootstrap.yml", management_env(local_aws, tmp_path),
                        callback="ansible.builtin.default", inventory=inventory, cwd=tmp_path).rc == 0
    # The task of docs/security.md's runbook, with the reader's credentials in the environment instead of a profile.
    playbook = tmp_path / "break_glass.yml"
    playbook.write_text(textwrap.dedent("""\
        - name: Break glass - the Administrator's console password of one account
          hosts: localhost
          connection: local  # the runbook's implicit localhost is local; run_playbook names localhost explicitly
          gather_facts: false
          vars:
            ansible_python_interpreter: "{{ ansible_playbook_python }}"
          tasks:
            - name: Read the secret and write it to a private file
              ansible.builtin.copy:
                dest: "{{ lookup('ansible.builtin.env', 'HOME') }}/break-glass.json"
                mode: "0600"
                content: "{{ lookup('amazon.aws.secretsmanager_secret', 'protonkit/Administrator/console-password',
                  region='us-east-1') }}"
              no_log: true
        """))
    home = tmp_path / "reader-home"
    home.mkdir()
    run = run_playbook(playbook, dict(aws_account.env, HOME=str(home)), callback="ansible.builtin.default",
                       verbosity=3, cwd=tmp_path)
    assert run.rc == 0, run.output[-3000:]
    password = json.loads(aws_account.client("secretsmanager").get_secret_value(
        SecretId="protonkit/Administrator/console-password")["SecretString"])["password"]
    delivered = home / "break-glass.json"
    assert json.loads(delivered.read_text())["password"] == password
    assert stat.S_IMODE(delivered.stat().st_mode) == 0o600
    assert password not in run.output


def test_where_proton_does_not_answer_the_account_fails_before_anything_is_written(local_aws, aws_account, tmp_path):
    # The Proton half on, proton_roles_unavailable left at fail: the check before the IAM half asks Proton too.
    inventory = write_inventory(tmp_path / "accounts.yml", [aws_account])
    local_aws.set_proton_mode("gone")
    run = run_playbook(REPO / "playbooks" / "bootstrap.yml", management_env(local_aws, tmp_path),
                       callback="ansible.builtin.default", inventory=inventory, cwd=tmp_path, extra_args=PROTON)
    assert run.rc == 2, run.output[-3000:]
    record = json.loads((tmp_path / "protonkit-bootstrap-report.json").read_text())["accounts"][0]
    assert record["status"] == "failed" and "proton_roles_unavailable=warn" in record["error"]["message"]
    assert "before anything is written" in record["error"]["task"]
    assert aws_account.write_calls() == []
