"""Reliability and security, proven: bootstrap.yml converges under injected faults, and check mode is exact.

A. Five accounts bootstrapped while the local AWS throttles 20 % of their IAM and STS calls, answers some of all
   their calls with 5xx and hides new roles from Proton for 6 s end in exactly the state of an account
   bootstrapped without faults; a rerun then changes nothing and writes nothing. Where the retries stop short
   (throttled Proton, Secrets Manager and sts:AssumeRole calls: see ``inject_faults``) a burst of three throttles
   in a row proves it, as strict expected failures.
B. For a fresh, a partly bootstrapped and a drifted account (all in the same runs), ``--check --diff`` writes
   nothing and predicts, task by task, the changed flag and the diff of the real run that follows.

Every playbook runs with the ``ansible.posix.json`` callback, parsed here per account host (``hosts_results``),
since ``integration.ansible_runs.run_playbook`` only reads the host ``localhost``.
"""

import json
import time

import yaml

from integration.ansible_runs import REPO, management_env, run_playbook, write_inventory
from localaws.bootstrapped import account_state, bootstrap_problems, without_account

BOOTSTRAP = REPO / "playbooks" / "bootstrap.yml"
REPORT = "protonkit-bootstrap-report.json"
ACCOUNT = "<ACCOUNT>"
SECRET_NAME = "protonkit/Administrator/console-password"
PROTON_ROLES = ["AWSProtonPipelineServiceRole", "AWSProtonServiceRole"]
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
USER_TAGS = {"Owner": "platform-team", "ManagedBy": "protonkit"}
ROLE_TAGS = {"ManagedBy": "protonkit"}
OWNED = {"protonkit:managed-by": "protonkit.accounts"}  # the ownership tag the modules add to what they make
KNOWN_PASSWORD = "Reliability-Passw0rd!-never-shown-7e1f"
# The account_report role writes the run's own report on the controller, in check mode too (check_mode: false):
# output of the run, not state of an account. Its file diff differs by design (check mode delivers no password).
REPORT_ROLE_PREFIX = "protonkit.accounts.account_report : "

SEED = 20240607
THROTTLE_PROBABILITY = 0.2
# Each 5xx rule draws only when the throttle rule (first match wins) let the call through.
SERVER_ERRORS = (("InternalFailure", 500, 0.03), ("ServiceUnavailable", 503, 0.03))
PROPAGATION_DELAY = 6
ACCOUNTS_PER_RUN = 5


# --- running the playbook and reading its JSON output --------------------------------------------------------------
def write_vars(path, **extra):
    variables = {"account_bootstrap_proton_roles": True, "proton_regions": ["us-east-1"], "iam_admin_tags": USER_TAGS,
                 "proton_roles_tags": ROLE_TAGS}
    variables.update(extra)
    path.write_text(yaml.safe_dump(variables))
    return path


def bootstrap(local_aws, workdir, accounts, vars_file, check=False, host_vars=None):
    """bootstrap.yml over ``accounts`` in ``workdir`` (its report lands there): (AnsibleRun, json report, seconds)."""
    workdir.mkdir(exist_ok=True)
    inventory = write_inventory(workdir / "accounts.yml", accounts, host_vars=host_vars)
    started = time.monotonic()
    run = run_playbook(BOOTSTRAP, management_env(local_aws, workdir), check=check, diff=True, inventory=inventory,
                       extra_args=["-e", f"@{vars_file}"], cwd=workdir, callback="ansible.posix.json")
    seconds = time.monotonic() - started
    start = run.output.find("{")
    assert start >= 0, run.output[-3000:]
    document = json.JSONDecoder().raw_decode(run.output[start:])[0]
    return run, document, seconds


def hosts_results(document):
    """host -> [(task key, result)] in run order; the key is the task name, numbered when a name repeats."""
    per_host = {}
    for play in document.get("plays", []):
        for task in play.get("tasks", []):
            for host, result in task["hosts"].items():
                results = per_host.setdefault(host, [])
                name = task["task"]["name"]
                seen = sum(1 for key, _result in results if key[0] == name)
                results.append(((name, seen), result))
    return per_host


def task_diffs(result):
    """The diffs a task result shows: its own, or one per loop item."""
    if "results" in result:
        return [item.get("diff") for item in result["results"]]
    return result.get("diff")


def changed_count(document):
    return sum(1 for results in hosts_results(document).values() for _key, result in results if result.get("changed"))


# --- what an account holds -----------------------------------------------------------------------------------------
def snapshot(account):
    """Everything the bootstrap manages in ``account`` (and anything else of the same kinds), account id replaced."""
    return without_account(account_state(account.client), account.account_id, ACCOUNT)


def assert_bootstrapped_once(state):
    """As documented, and exactly one of each: no duplicate left by a retried write."""
    assert bootstrap_problems(state, ACCOUNT, user_tags=USER_TAGS) == []
    assert list(state["groups"]) == ["Administrators"] and list(state["users"]) == ["Administrator"]
    assert sorted(state["roles"]) == PROTON_ROLES
    assert {name: secret["versions"] for name, secret in state["secrets"].items()} == {SECRET_NAME: 1}


# --- A. convergence under faults -------------------------------------------------------------------------------------
def inject_faults(local_aws, accounts):
    """Seeded faults for the calls made as the member accounts, and the IAM propagation delay.

    - 5xx (``SERVER_ERRORS``) on every service: botocore retries 500/503 (standard mode, 3 attempts) and every
      module's AWSRetry retries InternalFailure/ServiceUnavailable on top of that.
    - Throttling on IAM and STS only (GetCallerIdentity; AssumeRole is made by the management account and is not
      faulted here), whose throttling code ``Throttling`` AWSRetry retries (IAM: 10 retries of 3 botocore attempts).
      Not on Proton and Secrets Manager: their code is ``ThrottlingException``, which AWSRetry's list lacks and our
      clients don't add, so each call gets only botocore's 3 attempts; at 20 % one call in 125 fails the account
      (0.2 ** 3), and with ~8 such calls per account (propagation retries included) about half of the runs over
      10 accounts would fail: no test to keep in a suite.
      ``test_a_burst_of_throttling_*`` prove both halves deterministically.
    - Not on the management account, whose AssumeRole calls enter every account: a burst of throttles on it is
      ``test_a_burst_of_throttling_on_any_service_is_absorbed``'s.

    Draws come from one generator seeded with ``SEED``; with several forks the calls interleave differently from
    run to run, so the figures vary a little while the outcome must not.
    """
    local_aws.set_seed(SEED)
    for account in accounts:
        for service in ("iam", "sts"):
            local_aws.add_error_rule(code="$throttle", account=account.account_id, service=service,
                                     probability=THROTTLE_PROBABILITY)
        for code, status, probability in SERVER_ERRORS:
            local_aws.add_error_rule(code=code, status=status, account=account.account_id, probability=probability)
    local_aws.set_propagation_delay(PROPAGATION_DELAY)


def figures(calls, accounts):
    """Counts over the call log entries of one run (member accounts and the management account)."""
    ids = {account.account_id for account in accounts}
    member_calls = [call for call in calls if call["account"] in ids]
    settings_updates = [call for call in member_calls if call["action"] == "UpdateAccountSettings"]
    return {
        "calls": len(calls),
        "member_calls": len(member_calls),
        "write_attempts": sum(1 for call in member_calls if call["write"]),  # refused ones included
        # In a fault-free run no call outside UpdateAccountSettings answers 400 (asserted): every such 400 here is
        # an injected throttle. UpdateAccountSettings also answers 400 (ValidationException) while a new role is
        # still invisible to Proton, so its 400s are counted apart.
        "throttled": sum(1 for call in member_calls
                         if call["status"] == 400 and call["action"] != "UpdateAccountSettings"),
        "settings_update_400": sum(1 for call in settings_updates if call["status"] == 400),
        "server_errors": sum(1 for call in member_calls if call["status"] >= 500),
    }


def statuses(report):
    return {record["account_id"]: record["status"] for record in report["accounts"]}


def test_bootstrap_converges_under_throttling_5xx_and_propagation_delay(local_aws, aws_account_factory, tmp_path):
    clean_accounts = aws_account_factory(1)  # the reference: one account is enough, the faulty run needs several
    faulty_accounts = aws_account_factory(ACCOUNTS_PER_RUN)
    vars_file = write_vars(tmp_path / "vars.yml")

    # The reference: the same playbook, no faults, no propagation delay.
    mark = len(local_aws.calls())
    clean, _clean_document, clean_seconds = bootstrap(local_aws, tmp_path / "clean", clean_accounts, vars_file)
    assert clean.rc == 0, clean.output[-3000:]
    clean_figures = figures(local_aws.calls()[mark:], clean_accounts)
    assert clean_figures["throttled"] == clean_figures["server_errors"] == 0  # what makes "throttled" exact below
    assert set(statuses(json.loads((tmp_path / "clean" / REPORT).read_text())).values()) == {"created"}

    inject_faults(local_aws, faulty_accounts)
    mark = len(local_aws.calls())
    faulty, faulty_document, faulty_seconds = bootstrap(local_aws, tmp_path / "faulty", faulty_accounts, vars_file)
    faulty_figures = figures(local_aws.calls()[mark:], faulty_accounts)
    local_aws.clear_error_rules()
    local_aws.set_propagation_delay(0)
    settings_retries = sum(region.get("settings_retries", 0)
                           for results in hosts_results(faulty_document).values()
                           for _key, result in results for region in result.get("regions", []))
    print(f"\nfault-free run: {clean_figures} in {clean_seconds:.1f} s")
    print(f"faulty run (seed {SEED}, throttle p={THROTTLE_PROBABILITY}, 5xx {SERVER_ERRORS}, propagation "
          f"{PROPAGATION_DELAY} s): {faulty_figures}, Proton settings retries {settings_retries}, "
          f"in {faulty_seconds:.1f} s")
    assert faulty.rc == 0, faulty.output[-3000:]
    report = json.loads((tmp_path / "faulty" / REPORT).read_text())
    assert statuses(report) == {account.account_id: "created" for account in faulty_accounts}

    # The faults really happened, and were absorbed.
    assert faulty_figures["throttled"] > 0
    assert faulty_figures["server_errors"] > 0
    assert settings_retries > 0  # UpdateAccountSettings met the propagation delay and waited it out
    assert faulty_figures["settings_update_400"] == settings_retries  # every refusal was retried, none lost
    assert faulty_figures["member_calls"] / len(faulty_accounts) > clean_figures["member_calls"] / len(clean_accounts)

    # The same end state, account for account, and nothing twice.
    [clean_account] = clean_accounts
    reference = snapshot(clean_account)
    assert_bootstrapped_once(reference)
    for account in faulty_accounts:
        assert snapshot(account) == reference, account.account_id

    # A rerun without faults changes nothing and writes nothing.
    writes_before = sum(len(account.write_calls()) for account in faulty_accounts)
    rerun, rerun_document, rerun_seconds = bootstrap(local_aws, tmp_path / "faulty", faulty_accounts, vars_file)
    rerun_writes = sum(len(account.write_calls()) for account in faulty_accounts) - writes_before
    print(f"rerun: {changed_count(rerun_document)} changed tasks, {rerun_writes} write calls, in {rerun_seconds:.1f} s")
    assert rerun.rc == 0, rerun.output[-3000:]
    assert changed_count(rerun_document) == 0
    assert rerun_writes == 0
    assert set(statuses(json.loads((tmp_path / "faulty" / REPORT).read_text())).values()) == {"unchanged"}


# --- A, the margins: a burst of throttling on one call --------------------------------------------------------------
BOTOCORE_ATTEMPTS = 3  # botocore's standard retry mode (its default): a call gives up after 3 throttled attempts


def run_with_burst(local_aws, accounts, tmp_path, bursts):
    """bootstrap.yml over ``accounts`` while each (account or None, service, action) of ``bursts`` is throttled
    ``BOTOCORE_ATTEMPTS`` times in a row: account id -> (status, error) from the report."""
    for account, service, action in bursts:
        local_aws.add_error_rule(code="$throttle", account=account, service=service, action=action,
                                 count=BOTOCORE_ATTEMPTS)
    run, _document, _seconds = bootstrap(local_aws, tmp_path, accounts, write_vars(tmp_path / "vars.yml"))
    assert not local_aws.error_rules(), "every throttle was used"
    report = json.loads((tmp_path / REPORT).read_text())
    outcome = {record["account_id"]: (record["status"], record["error"]) for record in report["accounts"]}
    print(f"\nbursts {[burst[1:] for burst in bursts]}: rc {run.rc}, {outcome}")
    return outcome


def test_a_burst_of_throttling_on_any_service_is_absorbed(local_aws, aws_account_factory, tmp_path):
    # Each burst on a member account of its own, all in one run; AssumeRole is made as the management account (the
    # first account to be entered gets that burst).
    bursts = {"iam": "CreateRole", "sts": "GetCallerIdentity", "proton": "UpdateAccountSettings",
              "secretsmanager": "CreateSecret"}
    accounts = dict(zip(bursts, aws_account_factory(len(bursts))))
    outcome = run_with_burst(local_aws, list(accounts.values()), tmp_path, [
        (accounts[service].account_id, service, action) for service, action in bursts.items()]
        + [(None, "sts", "AssumeRole")])
    assert outcome == {account.account_id: ("created", None) for account in accounts.values()}


# --- B. check mode is exact ------------------------------------------------------------------------------------------
IAM_TASK = "protonkit.accounts.iam_admin : Administrators group and Administrator user"
PROTON_TASK = "protonkit.accounts.proton_roles : Proton service roles and account settings in us-east-1"
# The proton_roles role runs twice per account: first only its check (its module task skipped), then for real.
PROTON_RUN = (PROTON_TASK, 1)
DRIFTED_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
SCENARIOS = ["fresh", "fresh-known-password", "only-the-group", "drifted"]


def prepare(scenario, local_aws, account, tmp_path, vars_file):
    if scenario == "only-the-group":
        account.client("iam").create_group(GroupName="Administrators")
    elif scenario == "drifted":
        # Bootstrapped, then changed by hand: a user tag, the group's policy, a role's trust, a Proton setting.
        run, _document, _seconds = bootstrap(local_aws, tmp_path / "setup", [account], vars_file)
        assert run.rc == 0, run.output[-3000:]
        iam = account.client("iam")
        iam.tag_user(UserName="Administrator", Tags=[{"Key": "Owner", "Value": "someone-else"}])
        iam.detach_group_policy(GroupName="Administrators", PolicyArn=ADMIN_POLICY)
        iam.update_assume_role_policy(RoleName="AWSProtonServiceRole", PolicyDocument=json.dumps(DRIFTED_TRUST))
        account.client("proton").update_account_settings(pipelineServiceRoleArn="")


def assert_drift_seen(results):
    """The drift is in the diff's before, and its repair in the after (so the comparison compares something)."""
    iam_diff = results[(IAM_TASK, 0)]["diff"]
    assert iam_diff["before"]["user"]["tags"]["Owner"] == "someone-else"
    assert iam_diff["after"]["user"]["tags"] == {**USER_TAGS, **OWNED}
    # Not the group's attached policies: the diff's before shows them as after (test_diff_before_is_the_state_before)
    assert iam_diff["after"]["group"]["attached_policies"] == [ADMIN_POLICY]
    proton_diff = task_diffs(results[PROTON_RUN])
    assert proton_diff["before"]["roles"]["service"]["trust_policy"] == DRIFTED_TRUST
    assert proton_diff["after"]["roles"]["service"]["trust_policy"]["Statement"][0]["Principal"] == {
        "Service": "proton.amazonaws.com"}
    assert not proton_diff["before"]["account_settings"]["us-east-1"].get("pipelineServiceRoleArn")
    assert proton_diff["after"]["account_settings"]["us-east-1"]["pipelineServiceRoleArn"].endswith(
        "/AWSProtonPipelineServiceRole")


def test_diff_before_is_the_state_before(ansible_module, aws_account):
    aws_account.client("iam").create_group(GroupName="Administrators")
    run = ansible_module("iam_admin_bootstrap", {"password_secret": SECRET_NAME}, aws_account.env, check=True,
                         diff=True)
    assert run.result["changed"]
    assert run.result["diff"]["after"]["group"]["attached_policies"] == [ADMIN_POLICY]
    assert run.result["diff"]["before"]["group"]["attached_policies"] == []


def test_check_mode_predicts_the_real_run(local_aws, aws_account_factory, tmp_path):
    # One account per scenario, all in the same two runs (check, then real): each account's results are its own.
    accounts = dict(zip(SCENARIOS, aws_account_factory(len(SCENARIOS))))
    vars_file = write_vars(tmp_path / "vars.yml")
    for scenario, account in accounts.items():
        prepare(scenario, local_aws, account, tmp_path, vars_file)
    # The given password as that account's own variable (a host variable, as in an inventory's host_vars).
    host_vars = {accounts["fresh-known-password"].account_id: {"iam_admin_password": KNOWN_PASSWORD}}

    writes_before = {scenario: len(account.write_calls()) for scenario, account in accounts.items()}
    check, check_document, _seconds = bootstrap(local_aws, tmp_path / "check", list(accounts.values()), vars_file,
                                                check=True, host_vars=host_vars)
    assert check.rc == 0, check.output[-3000:]
    assert {scenario: len(account.write_calls()) for scenario, account in accounts.items()} == writes_before
    real, real_document, _seconds = bootstrap(local_aws, tmp_path / "real", list(accounts.values()), vars_file,
                                              host_vars=host_vars)
    assert real.rc == 0, real.output[-3000:]
    check_statuses = statuses(json.loads((tmp_path / "check" / "protonkit-bootstrap-check-report.json").read_text()))
    real_statuses = statuses(json.loads((tmp_path / "real" / REPORT).read_text()))
    assert check_statuses == real_statuses

    for scenario, account in accounts.items():
        predicted = dict(hosts_results(check_document)[account.account_id])
        happened = dict(hosts_results(real_document)[account.account_id])
        assert list(predicted) == list(happened), scenario  # the same tasks ran, or were skipped, in the same order
        assert {key: result.get("changed", False) for key, result in predicted.items()} == {
            key: result.get("changed", False) for key, result in happened.items()}, scenario
        assert predicted[(IAM_TASK, 0)]["changed"] and predicted[PROTON_RUN]["changed"], scenario
        for key, result in predicted.items():
            if not key[0].startswith(REPORT_ROLE_PREFIX):
                assert task_diffs(result) == task_diffs(happened[key]), (scenario, key[0])

        if scenario == "fresh-known-password":
            # A given password hides the task (no_log): no diff to compare, in either run, and the password nowhere.
            assert "diff" not in predicted[(IAM_TASK, 0)] and "diff" not in happened[(IAM_TASK, 0)]
            assert "censored" in predicted[(IAM_TASK, 0)] and "censored" in happened[(IAM_TASK, 0)]
        else:
            assert predicted[(IAM_TASK, 0)]["diff"]["after"]["login_profile"]["exists"], scenario
        if scenario == "drifted":
            assert_drift_seen(predicted)
            assert real_statuses[account.account_id] == "updated"
        assert_bootstrapped_once(snapshot(account))
    for output in (check.output, real.output):
        assert KNOWN_PASSWORD not in output
