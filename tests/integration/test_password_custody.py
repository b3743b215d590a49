"""Who holds the break-glass password: the secret (only ours, or one adopted knowingly; optionally readable only by
named principals, with a customer managed key) and the password file, through ansible-playbook against the local
AWS. Nothing the module did not create is written into or deleted, and the password never appears in any output."""

import json

from integration.ansible_runs import REPO, management_env, run_playbook, write_inventory


SECRET = "protonkit/Administrator/console-password"
KNOWN_PASSWORD = "Custody-Passw0rd!-never-shown-9b1e"
OWNERSHIP = {"Key": "protonkit:managed-by", "Value": "protonkit.accounts"}
OTHER_ACCOUNT = "111122223333"


def foreign_secret(account, with_policy=True):
    """A secret someone else keeps at our secret's name, readable by another account."""
    secrets = account.client("secretsmanager")
    arn = secrets.create_secret(Name=SECRET, SecretString="someone else's value", Description="team database")["ARN"]
    if with_policy:
        secrets.put_resource_policy(SecretId=SECRET, ResourcePolicy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}))
    return arn


def account_state(account):
    """IAM users/groups and the secret (value, tags, policy, deletion), for before/after comparisons."""
    iam, secrets = account.client("iam"), account.client("secretsmanager")
    described = secrets.describe_secret(SecretId=SECRET)
    return {
        "users": [user["UserName"] for user in iam.list_users()["Users"]],
        "groups": [group["GroupName"] for group in iam.list_groups()["Groups"]],
        "value": secrets.get_secret_value(SecretId=SECRET)["SecretString"],
        "tags": described.get("Tags", []),
        "deleted": "DeletedDate" in described,
        "policy": secrets.get_resource_policy(SecretId=SECRET).get("ResourcePolicy"),
    }


def test_foreign_secret_is_never_written_until_adopted(ansible_module, aws_account):
    foreign_secret(aws_account)
    before = account_state(aws_account)
    for check in (True, False):  # check mode predicts the same refusal
        writes_before = len(aws_account.write_calls())
        run = ansible_module("iam_admin_bootstrap", {"password_secret": SECRET}, aws_account.env, check=check)
        assert run.result.get("failed"), run.output
        message = run.result["msg"]
        assert message.startswith("password_secret:") and f"secret {SECRET}" in message
        assert "resource policy" in message and "adopt: true" in message and "Nothing was written" in message
        assert [(item["kind"], item["name"]) for item in run.result["refused"]] == [("secret", SECRET)]
        assert aws_account.write_calls()[writes_before:] == []  # IAM included
    assert account_state(aws_account) == before

    adopted = ansible_module("iam_admin_bootstrap", {"password_secret": SECRET, "adopt": True}, aws_account.env,
                             verbosity=3)
    assert adopted.rc == 0 and adopted.result["password_changed"], adopted.output
    assert any("keeps its resource policy" in warning for warning in adopted.result.get("warnings", []))
    document = json.loads(aws_account.client("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"])
    assert document["account_id"] == aws_account.account_id and document["password"] not in adopted.output
    assert OWNERSHIP in aws_account.client("secretsmanager").describe_secret(SecretId=SECRET)["Tags"]

    for args in ({"password_secret": SECRET, "adopt": True}, {"password_secret": SECRET}):
        writes_before = len(aws_account.write_calls())
        rerun = ansible_module("iam_admin_bootstrap", args, aws_account.env)
        assert rerun.rc == 0 and rerun.result["changed"] is False, rerun.output
        assert aws_account.write_calls()[writes_before:] == []


def test_teardown_keeps_a_foreign_secret_and_deletes_ours(ansible_module, aws_account):
    ansible_module("iam_admin_bootstrap", {"password": KNOWN_PASSWORD}, aws_account.env)
    foreign_secret(aws_account, with_policy=False)
    before = account_state(aws_account)
    removed = ansible_module("iam_admin_bootstrap", {"state": "absent", "password_secret": SECRET}, aws_account.env,
                             diff=True)
    assert removed.rc == 0 and removed.result["changed"], removed.output
    kept = [item for item in removed.result["kept"] if item["kind"] == "secret"]
    assert [item["name"] for item in kept] == [SECRET] and "protonkit:managed-by" in kept[0]["reason"]
    after = account_state(aws_account)
    assert after["users"] == [] and {k: after[k] for k in ("value", "tags", "deleted", "policy")} == {
        k: before[k] for k in ("value", "tags", "deleted", "policy")}
    assert removed.result["diff"]["after"]["password_secret"] == removed.result["diff"]["before"]["password_secret"]

    # Adopted, it goes like ours: scheduled for deletion.
    adopted = ansible_module("iam_admin_bootstrap", {"state": "absent", "password_secret": SECRET, "adopt": True},
                             aws_account.env)
    assert adopted.result["changed"] and adopted.result["kept"] == []
    assert "DeletedDate" in aws_account.client("secretsmanager").describe_secret(SecretId=SECRET)


def test_secret_of_an_earlier_version_is_recognised_and_tagged(ansible_module, aws_account):
    # What versions before the ownership tag left: our description, no tag, no resource policy.
    aws_account.client("secretsmanager").create_secret(
        Name=SECRET, SecretString="{}", Description="Console password of IAM user Administrator (protonkit.accounts)")
    run = ansible_module("iam_admin_bootstrap", {"password_secret": SECRET}, aws_account.env)
    assert run.rc == 0 and run.result["password_changed"], run.output
    assert OWNERSHIP in aws_account.client("secretsmanager").describe_secret(SecretId=SECRET)["Tags"]


def test_secret_arn_of_another_account_is_refused_before_any_write(ansible_module, aws_account):
    arn = f"arn:aws:secretsmanager:us-east-1:{OTHER_ACCOUNT}:secret:{SECRET}-AbCdEf"
    run = ansible_module("iam_admin_bootstrap", {"password_secret": arn}, aws_account.env)
    assert run.result.get("failed") and run.result["msg"].startswith("password_secret:")
    assert OTHER_ACCOUNT in run.result["msg"]
    assert aws_account.write_calls() == []


def test_named_readers_and_customer_key_are_predicted_applied_and_kept(ansible_module, aws_account):
    kms = aws_account.client("kms")
    first_key = kms.create_key(Description="break-glass")["KeyMetadata"]["KeyId"]
    second_key = kms.create_key(Description="break-glass, rotated")["KeyMetadata"]["KeyId"]
    reader = f"arn:aws:iam::{aws_account.account_id}:role/BreakGlassReader"
    args = {"password_secret": SECRET, "password_secret_readers": [reader], "password_secret_kms_key_id": first_key}
    writes_before = len(aws_account.write_calls())  # the keys
    check = ansible_module("iam_admin_bootstrap", args, aws_account.env, check=True, diff=True)
    assert check.rc == 0 and aws_account.write_calls()[writes_before:] == [], check.output
    real = ansible_module("iam_admin_bootstrap", args, aws_account.env, diff=True)
    assert real.rc == 0, real.output
    assert check.result["diff"]["after"]["password_secret"] == real.result["diff"]["after"]["password_secret"]
    secrets = aws_account.client("secretsmanager")
    policy = json.loads(secrets.get_resource_policy(SecretId=SECRET)["ResourcePolicy"])
    assert [s["Effect"] for s in policy["Statement"]] == ["Allow", "Deny"]
    assert policy["Statement"][1]["Condition"] == {"StringNotEquals": {"aws:PrincipalArn": [reader]}}
    assert secrets.describe_secret(SecretId=SECRET)["KmsKeyId"] == first_key
    actions = [call["action"] for call in aws_account.write_calls(service="secretsmanager")]
    assert actions == ["CreateSecret", "PutResourcePolicy"]

    writes_before = len(aws_account.write_calls())
    rerun = ansible_module("iam_admin_bootstrap", args, aws_account.env)
    assert rerun.result["changed"] is False and aws_account.write_calls()[writes_before:] == []

    # Another reader and key on the existing secret: predicted, then applied; no new password.
    changed = dict(args, password_secret_readers=[reader, f"arn:aws:iam::{aws_account.account_id}:user/auditor"],
                   password_secret_kms_key_id=second_key)
    check = ansible_module("iam_admin_bootstrap", changed, aws_account.env, check=True, diff=True)
    writes_before = len(aws_account.write_calls())
    real = ansible_module("iam_admin_bootstrap", changed, aws_account.env, diff=True)
    assert real.result["changed"] and not real.result["password_changed"], real.output
    assert check.result["diff"] == real.result["diff"]
    assert sorted(call["action"] for call in aws_account.write_calls()[writes_before:]) == [
        "PutResourcePolicy", "UpdateSecret"]
    assert secrets.describe_secret(SecretId=SECRET)["KmsKeyId"] == second_key


def test_password_file_of_another_account_fails_before_any_write(ansible_module, aws_account_factory, tmp_path):
    first, second = aws_account_factory(2)
    shared = tmp_path / "admin.json"
    assert ansible_module("iam_admin_bootstrap", {"password_file": str(shared)}, first.env).rc == 0
    kept_bytes = shared.read_bytes()
    run = ansible_module("iam_admin_bootstrap", {"password_file": str(shared)}, second.env)
    assert run.result.get("failed") and run.result["msg"].startswith("password_file:")
    assert f"account {first.account_id}" in run.result["msg"]
    assert second.write_calls() == []  # the whole path is checked before the first write, IAM's included
    assert shared.read_bytes() == kept_bytes
    assert json.loads(kept_bytes)["password"] not in run.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".protonkit-")) == []


def test_teardown_playbook_keeps_a_foreign_secret(local_aws, aws_account, tmp_path):
    inventory = write_inventory(tmp_path / "accounts.yml", [aws_account])
    env = management_env(local_aws, tmp_path)
    variables = tmp_path / "vars.yml"
    variables.write_text(json.dumps({"iam_admin_password": KNOWN_PASSWORD, "iam_admin_password_secret": "",
                                     "proton_regions": ["us-east-1"]}))
    assert run_playbook(REPO / "playbooks" / "bootstrap.yml", env, callback="ansible.builtin.default",
                        inventory=inventory, extra_args=["-e", f"@{variables}"], cwd=tmp_path).rc == 0
    foreign_secret(aws_account)
    before = account_state(aws_account)
    teardown = run_playbook(REPO / "playbooks" / "teardown.yml", env, callback="ansible.builtin.default",
                            inventory=inventory, extra_args=["-e", "protonkit_remove_admin=true"], cwd=tmp_path)
    assert teardown.rc == 0, teardown.output[-3000:]
    after = account_state(aws_account)
    assert after["users"] == []
    assert {k: after[k] for k in ("value", "tags", "deleted", "policy")} == {
        k: before[k] for k in ("value", "tags", "deleted", "policy")}
    assert KNOWN_PASSWORD not in teardown.output
