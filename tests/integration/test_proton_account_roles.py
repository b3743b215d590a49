"""protonkit.accounts.proton_account_roles through ansible-playbook, against the local AWS (with its Proton backend)."""

import json

import pytest

MODULE = "proton_account_roles"
CHECK = "proton_account_roles_check"  # the module's check before its first write, on the controller
SERVICE, PIPELINE, CODEBUILD = "AWSProtonServiceRole", "AWSProtonPipelineServiceRole", "AWSProtonCodeBuildProvisioningRole"


def role_arn(account, name):
    return f"arn:aws:iam::{account.account_id}:role/service-role/{name}"


def settings(account, region="us-east-1"):
    return account.client("proton", region=region).get_account_settings()["accountSettings"]


def without_ids(roles):
    return {purpose: dict(role, id=None) for purpose, role in roles.items()}


def inline_policy(account, role, name="ProtonProvisioning"):
    return account.client("iam").get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]


def test_default_creates_both_roles_with_a_well_formed_trust_and_registers_the_pipeline_role(
        ansible_module, aws_account):
    run = ansible_module(MODULE, {}, aws_account.env)
    assert run.rc == 0, run.output
    assert run.result["changed"] and run.result["created"] and run.result["proton_available"]
    iam = aws_account.client("iam")
    for name in (SERVICE, PIPELINE):
        role = iam.get_role(RoleName=name)["Role"]
        assert role["Path"] == "/service-role/"
        statement = role["AssumeRolePolicyDocument"]["Statement"][0]
        assert statement["Principal"] == {"Service": "proton.amazonaws.com"}
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": aws_account.account_id},
            "ArnLike": {"aws:SourceArn": f"arn:aws:proton:*:{aws_account.account_id}:*"},
        }
    assert settings(aws_account) == {"pipelineServiceRoleArn": role_arn(aws_account, PIPELINE)}
    assert run.result["account_settings"] == settings(aws_account)


def test_console_permissions_are_the_console_policy(ansible_module, aws_account):
    ansible_module(MODULE, {}, aws_account.env)
    statements = {s["Sid"]: s for s in inline_policy(aws_account, SERVICE)["Statement"]}
    assert statements["ProtonStacks"]["Resource"] == (
        f"arn:aws:cloudformation:*:{aws_account.account_id}:stack/AWSProton-*")
    assert statements["ResourcesThroughCloudFormation"]["NotAction"] == ["organizations:*", "account:*"]
    via = {"ForAnyValue:StringEquals": {"aws:CalledVia": ["cloudformation.amazonaws.com"]}}
    assert statements["ResourcesThroughCloudFormation"]["Condition"] == via
    assert statements["OrganizationAndRegionsThroughCloudFormation"]["Action"] == [
        "organizations:DescribeOrganization", "account:ListRegions"]


def test_administrator_permissions_attach_administrator_access(ansible_module, aws_account):
    ansible_module(MODULE, {"permissions": "administrator"}, aws_account.env)
    attached = aws_account.client("iam").list_attached_role_policies(RoleName=SERVICE)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert aws_account.client("iam").list_role_policies(RoleName=SERVICE)["PolicyNames"] == []


def test_scoped_permissions_allow_only_the_listed_services(ansible_module, aws_account):
    ansible_module(MODULE, {"permissions": "scoped", "allowed_services": ["s3", "lambda"]}, aws_account.env)
    statements = {s["Sid"]: s for s in inline_policy(aws_account, PIPELINE)["Statement"]}
    assert statements["ListedServicesThroughCloudFormation"]["Action"] == ["lambda:*", "s3:*"]
    assert "ResourcesThroughCloudFormation" not in statements


def test_switching_permissions_mode_replaces_the_policies(ansible_module, aws_account):
    ansible_module(MODULE, {"permissions": "administrator"}, aws_account.env)
    run = ansible_module(MODULE, {}, aws_account.env, diff=True)
    assert run.result["changed"]
    iam = aws_account.client("iam")
    assert iam.list_attached_role_policies(RoleName=SERVICE)["AttachedPolicies"] == []
    assert iam.list_role_policies(RoleName=SERVICE)["PolicyNames"] == ["ProtonProvisioning"]
    assert run.result["diff"]["before"]["roles"]["service"]["managed_policy_arns"] == [
        "arn:aws:iam::aws:policy/AdministratorAccess"]


def test_shared_role_serves_both(ansible_module, aws_account):
    run = ansible_module(MODULE, {"shared_role": True}, aws_account.env)
    assert run.result["roles"]["service"]["arn"] == run.result["roles"]["pipeline"]["arn"]
    names = [r["RoleName"] for r in aws_account.client("iam").list_roles()["Roles"]]
    assert names == [SERVICE]
    assert settings(aws_account) == {"pipelineServiceRoleArn": role_arn(aws_account, SERVICE)}


def test_codebuild_role(ansible_module, aws_account):
    ansible_module(MODULE, {"codebuild_role": True}, aws_account.env)
    role = aws_account.client("iam").get_role(RoleName=CODEBUILD)["Role"]
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "codebuild.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": aws_account.account_id}}
    attached = aws_account.client("iam").list_attached_role_policies(RoleName=CODEBUILD)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSProtonCodeBuildProvisioningBasicAccess"]
    assert settings(aws_account)["pipelineCodebuildRoleArn"] == role_arn(aws_account, CODEBUILD)


def test_repository_set_changed_and_removed(ansible_module, aws_account):
    repository = {"provider": "GITHUB", "name": "acme/pipelines", "branch": "main"}
    ansible_module(MODULE, {"pipeline_provisioning_repository": repository}, aws_account.env)
    assert settings(aws_account)["pipelineProvisioningRepository"]["name"] == "acme/pipelines"
    changed = ansible_module(MODULE, {"pipeline_provisioning_repository": dict(repository, branch="release")},
                             aws_account.env)
    assert changed.result["changed"]
    assert settings(aws_account)["pipelineProvisioningRepository"]["branch"] == "release"
    removed = ansible_module(MODULE, {"pipeline_provisioning_repository": {}}, aws_account.env)
    assert removed.result["changed"] and "pipelineProvisioningRepository" not in settings(aws_account)


def test_rerun_changes_nothing_and_writes_nothing(ansible_module, aws_account):
    args = {"codebuild_role": True, "tags": {"owner": "platform"},
            "pipeline_provisioning_repository": {"provider": "BITBUCKET", "name": "acme/p", "branch": "main"}}
    ansible_module(MODULE, args, aws_account.env)
    writes_before = len(aws_account.write_calls())
    calls_before = len(aws_account.calls())
    rerun = ansible_module(MODULE, args, aws_account.env)
    assert rerun.result["changed"] is False
    assert aws_account.write_calls()[writes_before:] == []
    # The roles' policies, trust and tags come with one call for all of them, their descriptions (which it lacks)
    # with one more; the account id from the roles' ARNs (no STS call).
    reads = sorted(c["action"] for c in aws_account.calls()[calls_before:])
    assert reads == ["GetAccountAuthorizationDetails", "GetAccountSettings", "ListRoles"]


def test_large_account_is_read_role_by_role(ansible_module, aws_account):
    # More roles than one GetAccountAuthorizationDetails page holds (100): the module reads its own roles directly
    # instead of paging through all of them, and its decisions stay the same.
    iam = aws_account.client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    for index in range(101):
        iam.create_role(RoleName=f"workload-{index:03}", AssumeRolePolicyDocument=trust)
    first = ansible_module(MODULE, {}, aws_account.env)
    assert first.rc == 0, first.output
    assert first.result["changed"] and first.result["created"]
    assert settings(aws_account)["pipelineServiceRoleArn"] == role_arn(aws_account, PIPELINE)

    iam.delete_role_policy(RoleName=SERVICE, PolicyName="ProtonProvisioning")
    repaired = ansible_module(MODULE, {}, aws_account.env)
    assert repaired.result["changed"] and not repaired.result["created"]
    assert inline_policy(aws_account, SERVICE) == inline_policy(aws_account, PIPELINE)

    writes_before, calls_before = len(aws_account.write_calls()), len(aws_account.calls())
    rerun = ansible_module(MODULE, {}, aws_account.env)
    assert rerun.result["changed"] is False
    assert aws_account.write_calls()[writes_before:] == []
    reads = sorted(c["action"] for c in aws_account.calls()[calls_before:])
    per_role = ["GetRole", "GetRolePolicy", "ListAttachedRolePolicies", "ListRolePolicies"]
    assert reads == sorted(["GetAccountAuthorizationDetails", "GetAccountSettings", "GetCallerIdentity"]
                           + per_role * 2)
    assert without_ids(rerun.result["roles"]) == without_ids(repaired.result["roles"])


@pytest.mark.parametrize("drift", ["fresh", "trust_replaced", "setting_cleared", "policy_detached"])
def test_check_mode_predicts_the_real_run(ansible_module, aws_account, drift):
    args = {"permissions": "administrator", "tags": {"owner": "platform"}}
    if drift != "fresh":
        ansible_module(MODULE, args, aws_account.env)
        iam, proton = aws_account.client("iam"), aws_account.client("proton")
        if drift == "trust_replaced":
            iam.update_assume_role_policy(RoleName=SERVICE, PolicyDocument=(
                '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
                '"Principal":{"Service":"proton.amazonaws.com"}}]}'))
        elif drift == "setting_cleared":
            proton.update_account_settings(pipelineServiceRoleArn="")
        else:
            iam.detach_role_policy(RoleName=PIPELINE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    writes_before = len(aws_account.write_calls())
    check = ansible_module(MODULE, args, aws_account.env, check=True, diff=True)
    assert check.rc == 0, check.output
    assert aws_account.write_calls()[writes_before:] == []
    real = ansible_module(MODULE, args, aws_account.env, diff=True)
    assert check.result["changed"] is True and real.result["changed"] is True
    assert check.result["diff"] == real.result["diff"]
    assert check.result["account_settings"] == real.result["account_settings"]
    # A role check mode would create has no id yet; everything else is predicted exactly.
    if drift == "fresh":
        assert without_ids(check.result["roles"]) == without_ids(real.result["roles"])
    else:
        assert check.result["roles"] == real.result["roles"]
    diff = real.result["diff"]
    if drift == "trust_replaced":
        before = diff["before"]["roles"]["service"]["trust_policy"]["Statement"][0]
        after = diff["after"]["roles"]["service"]["trust_policy"]["Statement"][0]
        assert "Condition" not in before and after["Condition"]["StringEquals"] == {
            "aws:SourceAccount": aws_account.account_id}
    elif drift == "setting_cleared":
        assert diff["before"]["account_settings"] == {"us-east-1": {}}
        assert diff["after"]["account_settings"] == {
            "us-east-1": {"pipelineServiceRoleArn": role_arn(aws_account, PIPELINE)}}
    elif drift == "policy_detached":
        assert diff["before"]["roles"]["pipeline"]["managed_policy_arns"] == []
        assert diff["after"]["roles"]["pipeline"]["managed_policy_arns"] == [
            "arn:aws:iam::aws:policy/AdministratorAccess"]


def test_custom_policies_as_json_text_compared_as_policies(ansible_module, aws_account):
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}
    args = {"permissions": "custom", "managed_policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            "inline_policies": {"Reads": json.dumps(document)}, "configure_account_settings": False}
    first = ansible_module(MODULE, args, aws_account.env)
    assert first.rc == 0, first.output
    iam = aws_account.client("iam")
    assert iam.list_role_policies(RoleName=SERVICE)["PolicyNames"] == ["Reads"]
    assert [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=PIPELINE)["AttachedPolicies"]] == [
        "ReadOnlyAccess"]
    # The same policy with its actions in another order and as a dictionary is no change.
    document["Statement"][0]["Action"].reverse()
    writes_before = len(aws_account.write_calls())
    rerun = ansible_module(MODULE, dict(args, inline_policies={"Reads": document}), aws_account.env)
    assert rerun.result["changed"] is False
    assert aws_account.write_calls()[writes_before:] == []


def test_purge_policies_false_keeps_policies_added_by_hand(ansible_module, aws_account):
    ansible_module(MODULE, {"configure_account_settings": False}, aws_account.env)
    iam = aws_account.client("iam")
    iam.attach_role_policy(RoleName=SERVICE, PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    kept = ansible_module(MODULE, {"configure_account_settings": False, "purge_policies": False}, aws_account.env)
    assert kept.result["changed"] is False
    purged = ansible_module(MODULE, {"configure_account_settings": False}, aws_account.env)
    assert purged.result["changed"] is True
    assert iam.list_attached_role_policies(RoleName=SERVICE)["AttachedPolicies"] == []


def test_propagation_delay_is_retried_and_reported(ansible_module, aws_account, local_aws):
    local_aws.set_propagation_delay(2)
    run = ansible_module(MODULE, {}, aws_account.env)
    assert run.rc == 0, run.output
    assert run.result["settings_retries"] >= 1
    assert settings(aws_account) == {"pipelineServiceRoleArn": role_arn(aws_account, PIPELINE)}


def test_propagation_retry_is_bounded(ansible_module, aws_account, local_aws):
    local_aws.set_propagation_delay(30)
    run = ansible_module(MODULE, {"role_propagation_timeout": 2}, aws_account.env)
    assert run.result["failed"]
    assert "ValidationException" in run.output


@pytest.mark.parametrize("mode", ["unknown-operation", "gone"])
def test_end_of_support_fails_clearly_by_default(ansible_module, aws_account, local_aws, mode):
    local_aws.set_proton_mode(mode)
    run = ansible_module(MODULE, {}, aws_account.env)
    assert run.result["failed"]
    assert "end of support on 2026-10-07" in run.result["msg"]
    assert "proton_roles_configure_account_settings=false (module option configure_account_settings: false)" in \
        run.result["msg"]
    assert "protonkit.accounts.teardown playbook (module option state: absent)" in run.result["msg"]
    assert "Traceback" not in run.output
    assert aws_account.write_calls() == []


def test_end_of_support_warn_finishes_the_iam_work(ansible_module, aws_account, local_aws):
    local_aws.set_proton_mode("unknown-operation")
    run = ansible_module(MODULE, {"proton_unavailable": "warn"}, aws_account.env)
    assert run.rc == 0 and run.result["changed"]
    assert run.result["proton_available"] is False
    assert any("end of support" in warning for warning in run.result["warnings"])
    assert len(aws_account.client("iam").list_roles()["Roles"]) == 2


def test_endpoint_that_does_not_resolve_is_end_of_support(ansible_module, aws_account):
    env = dict(aws_account.env, AWS_ENDPOINT_URL_PROTON="http://proton.invalid", AWS_MAX_ATTEMPTS="1")
    run = ansible_module(MODULE, {}, env)
    assert run.result["failed"] and "end of support" in run.result["msg"]


def test_configure_account_settings_false_never_calls_proton(ansible_module, aws_account, local_aws):
    local_aws.set_proton_mode("gone")
    run = ansible_module(MODULE, {"configure_account_settings": False}, aws_account.env)
    assert run.rc == 0 and run.result["changed"]
    assert aws_account.calls(service="proton") == []


# --- several regions in one run -------------------------------------------------------------------------------------
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def test_regions_in_one_run_read_and_reconcile_the_roles_once_and_the_settings_per_region(ansible_module, aws_account):
    check = ansible_module(MODULE, {"regions": REGIONS}, aws_account.env, check=True, diff=True)
    assert check.rc == 0 and aws_account.write_calls() == [], check.output[-2000:]
    run = ansible_module(MODULE, {"regions": REGIONS}, aws_account.env, diff=True)
    assert run.rc == 0, run.output[-2000:]
    pipeline = {"pipelineServiceRoleArn": role_arn(aws_account, PIPELINE)}
    assert [settings(aws_account, region) for region in REGIONS] == [pipeline] * 3
    assert run.result["regions"] == [{"region": region, "changed": True, "account_settings": pipeline,
                                      "proton_available": True, "settings_retries": 0} for region in REGIONS]
    assert (run.result["region"], run.result["account_settings"], run.result["proton_available"]) == (
        "us-east-1", pipeline, True)
    assert check.result["regions"] == run.result["regions"] and check.result["diff"] == run.result["diff"]
    assert run.result["diff"]["after"]["account_settings"] == dict.fromkeys(REGIONS, pipeline)
    # The roles once: one read of the account, each role created once; the settings once per region.
    iam_calls = [call["action"] for call in aws_account.calls(service="iam")]
    assert iam_calls.count("GetAccountAuthorizationDetails") == 2  # check mode's and the run's
    assert iam_calls.count("CreateRole") == 2
    updates = [call["region"] for call in aws_account.calls(writes_only=True) if call["service"] == "proton"]
    assert updates == REGIONS

    writes = len(aws_account.write_calls())
    rerun = ansible_module(MODULE, {"regions": REGIONS + ["eu-west-1"]}, aws_account.env)  # each region once
    assert rerun.rc == 0 and not rerun.result["changed"], rerun.output[-2000:]
    assert [item["region"] for item in rerun.result["regions"]] == REGIONS
    assert aws_account.write_calls()[writes:] == []

    teardown = ansible_module(MODULE, {"regions": REGIONS, "state": "absent"}, aws_account.env)
    assert teardown.rc == 0 and teardown.result["changed"], teardown.output[-2000:]
    assert [settings(aws_account, region) for region in REGIONS] == [{}] * 3
    assert [item["changed"] for item in teardown.result["regions"]] == [True] * 3
    assert sorted(teardown.result["removed_roles"]) == sorted([SERVICE, PIPELINE])


def test_the_check_on_the_controller_reads_the_roles_and_settings_and_writes_nothing(ansible_module, aws_account):
    fresh = ansible_module(CHECK, {"regions": REGIONS[:2], "codebuild_role": True}, aws_account.env)
    assert fresh.rc == 0 and fresh.result["changed"] is False, fresh.output[-2000:]
    assert fresh.result["roles"] == {"service": None, "pipeline": None, "codebuild": None}
    assert [(item["region"], item["account_settings"]) for item in fresh.result["regions"]] == [
        ("us-east-1", {}), ("eu-west-1", {})]
    assert aws_account.write_calls() == []

    assert ansible_module(MODULE, {"regions": REGIONS[:2]}, aws_account.env).rc == 0
    writes = len(aws_account.write_calls())
    made = ansible_module(CHECK, {"regions": REGIONS[:2]}, aws_account.env, check=True)
    assert made.rc == 0 and made.result["proton_available"] is True, made.output[-2000:]
    assert made.result["roles"]["service"]["tags"] == {"protonkit:managed-by": "protonkit.accounts"}
    assert made.result["roles"]["pipeline"]["arn"] == role_arn(aws_account, PIPELINE)
    assert [item["account_settings"] for item in made.result["regions"]] == [
        {"pipelineServiceRoleArn": role_arn(aws_account, PIPELINE)}] * 2
    assert aws_account.write_calls()[writes:] == []


def test_a_region_where_proton_does_not_answer_fails_the_run_first_or_is_skipped_alone(
        ansible_module, aws_account):
    aws_account.local_aws.add_error_rule(code="UnknownOperationException", service="proton", region="eu-west-1",
                                         account=aws_account.account_id)
    try:
        checked = ansible_module(CHECK, {"regions": REGIONS}, aws_account.env)
        checked_warn = ansible_module(CHECK, {"regions": REGIONS, "proton_unavailable": "warn"}, aws_account.env)
        failed = ansible_module(MODULE, {"regions": REGIONS}, aws_account.env)
        writes_after_failure = aws_account.write_calls()
        run = ansible_module(MODULE, {"regions": REGIONS, "proton_unavailable": "warn"}, aws_account.env)
    finally:
        aws_account.local_aws.clear_error_rules()
    assert failed.result["failed"] and "AWS Proton did not answer in eu-west-1" in failed.result["msg"]
    assert writes_after_failure == []  # every region is asked before the first write
    assert checked.result["failed"] and checked.result["msg"] == failed.result["msg"], checked.output[-2000:]
    assert checked_warn.rc == 0 and checked_warn.result["proton_available"] is False, checked_warn.output[-2000:]
    assert [(item["region"], item["proton_available"]) for item in checked_warn.result["regions"]] == [
        ("us-east-1", True), ("eu-west-1", False), ("ap-southeast-2", True)]
    assert any("AWS Proton did not answer in eu-west-1" in warning for warning in checked_warn.result["warnings"])
    assert run.rc == 0 and run.result["changed"] and run.result["proton_available"] is False, run.output[-2000:]
    assert [(item["region"], item["proton_available"]) for item in run.result["regions"]] == [
        ("us-east-1", True), ("eu-west-1", False), ("ap-southeast-2", True)]
    unanswered = [warning for warning in run.result["warnings"] if "did not answer" in warning]
    assert len(unanswered) == 1 and "AWS Proton did not answer in eu-west-1" in unanswered[0], unanswered
    pipeline = {"pipelineServiceRoleArn": role_arn(aws_account, PIPELINE)}
    assert [settings(aws_account, region) for region in REGIONS] == [pipeline, {}, pipeline]


def test_a_region_that_fails_mid_run_is_named_with_what_was_done_before_it(ansible_module, aws_account):
    aws_account.local_aws.add_error_rule(code="AccessDeniedException", status=403, service="proton",
                                         action="UpdateAccountSettings", region="eu-west-1",
                                         account=aws_account.account_id)
    run = ansible_module(MODULE, {"regions": REGIONS}, aws_account.env)
    assert run.result["failed"] and "could not be updated in eu-west-1" in run.result["msg"], run.result
    assert run.result["error"]["code"] == "AccessDeniedException"
    # The roles and the first region were written, and the result says so.
    assert run.result["changed"] is True
    assert [(item["region"], item["changed"]) for item in run.result["regions"]] == [("us-east-1", True)]
    assert settings(aws_account, "us-east-1") == {"pipelineServiceRoleArn": role_arn(aws_account, PIPELINE)}
    assert settings(aws_account, "ap-southeast-2") == {}


def no_proton_endpoint_env(account):
    """IAM and STS still at the local AWS, Proton left to botocore's endpoint data (which has none in GovCloud)."""
    env = {k: v for k, v in account.env.items() if k != "AWS_ENDPOINT_URL"}
    return dict(env, AWS_ENDPOINT_URL_IAM=account.local_aws.url, AWS_ENDPOINT_URL_STS=account.local_aws.url)


def test_region_without_proton_endpoint_is_proton_unavailable_and_fails_before_any_write(ansible_module, aws_account):
    run = ansible_module(MODULE, {"region": "us-gov-west-1"}, no_proton_endpoint_env(aws_account))
    assert run.result["failed"] and "no AWS Proton endpoint in us-gov-west-1" in run.result["msg"]
    assert "proton_roles_unavailable=warn (module option proton_unavailable: warn)" in run.result["msg"]
    assert run.result["proton_available"] is False
    assert aws_account.write_calls() == [] and aws_account.calls(service="proton") == []


def test_region_without_proton_endpoint_warn_and_absent_manage_the_roles(ansible_module, aws_account):
    env = no_proton_endpoint_env(aws_account)
    gov_iam = aws_account.client("iam", region="us-gov-west-1")  # the local AWS keeps partitions apart, as AWS does
    run = ansible_module(MODULE, {"region": "us-gov-west-1", "proton_unavailable": "warn"}, env)
    assert run.rc == 0 and run.result["changed"] and run.result["proton_available"] is False, run.output[-2000:]
    assert any("no AWS Proton endpoint in us-gov-west-1" in warning for warning in run.result["warnings"])
    assert len(gov_iam.list_roles()["Roles"]) == 2
    # The clean-up needs no option: Proton not answering is a warning there, and the roles go all the same.
    teardown = ansible_module(MODULE, {"region": "us-gov-west-1", "state": "absent"}, env)
    assert teardown.rc == 0 and teardown.result["proton_available"] is False, teardown.output[-2000:]
    assert sorted(teardown.result["removed_roles"]) == sorted([SERVICE, PIPELINE])
    assert gov_iam.list_roles()["Roles"] == []
    assert aws_account.calls(service="proton") == []


def test_absent_clears_our_settings_and_deletes_the_roles(ansible_module, aws_account):
    ansible_module(MODULE, {"codebuild_role": True}, aws_account.env)
    run = ansible_module(MODULE, {"state": "absent"}, aws_account.env)
    assert run.rc == 0 and run.result["changed"]
    assert sorted(run.result["removed_roles"]) == sorted([SERVICE, PIPELINE, CODEBUILD])
    assert aws_account.client("iam").list_roles()["Roles"] == []
    assert settings(aws_account) == {}
    assert ansible_module(MODULE, {"state": "absent"}, aws_account.env).result["changed"] is False


def test_absent_in_check_mode_predicts_and_writes_nothing(ansible_module, aws_account):
    ansible_module(MODULE, {"codebuild_role": True}, aws_account.env)
    writes_before = len(aws_account.write_calls())
    check = ansible_module(MODULE, {"state": "absent"}, aws_account.env, check=True, diff=True)
    assert check.rc == 0 and check.result["changed"], check.output
    assert aws_account.write_calls()[writes_before:] == []
    assert len(aws_account.client("iam").list_roles()["Roles"]) == 3
    real = ansible_module(MODULE, {"state": "absent"}, aws_account.env, diff=True)
    for key in ("diff", "removed_roles", "account_settings", "roles"):
        assert check.result[key] == real.result[key], key


def test_absent_leaves_someone_elses_role_in_settings_unless_forced(ansible_module, aws_account):
    ansible_module(MODULE, {}, aws_account.env)
    iam = aws_account.client("iam")
    other = iam.create_role(RoleName="TheirPipelineRole", AssumeRolePolicyDocument=(
        '{"Version":"2012-10-17","Statement":[]}'))["Role"]["Arn"]
    aws_account.client("proton").update_account_settings(pipelineServiceRoleArn=other)
    ansible_module(MODULE, {"state": "absent"}, aws_account.env)
    assert settings(aws_account) == {"pipelineServiceRoleArn": other}
    ansible_module(MODULE, {"state": "absent", "force": True}, aws_account.env)
    assert settings(aws_account) == {}


def test_absent_works_when_proton_is_gone(ansible_module, aws_account, local_aws):
    ansible_module(MODULE, {}, aws_account.env)
    local_aws.set_proton_mode("gone")
    run = ansible_module(MODULE, {"state": "absent"}, aws_account.env)
    assert run.rc == 0 and run.result["changed"]
    assert run.result["proton_available"] is False
    assert any("could not be read" in warning for warning in run.result["warnings"])
    assert aws_account.client("iam").list_roles()["Roles"] == []


BAD_INPUTS = [
    ({"service_role_name": "bad name"}, "service_role_name"),
    ({"role_path": "service-role"}, "role_path"),
    ({"service_role_name": "AWSProtonServiceRolé"}, "service_role_name: IAM role names allow only ASCII"),
    ({"role_path": "/service-rôle/"}, "role_path: role path allows only ASCII"),
    ({"tags": {"aws:owner": "me"}}, "tags: tag 'aws:owner'"),
    ({"tags": {f"key{index}": "v" for index in range(50)}}, "tags: 51 tags with the protonkit:managed-by tag"),
    ({"tags": {"owner": "a|b"}}, "tags: tag 'owner': IAM tags allow only"),
    ({"permissions": "everything"}, "permissions"),
    ({"permissions": "scoped"}, "allowed_services"),
    ({"permissions": "scoped", "allowed_services": ["S3!"]}, "allowed_services"),
    ({"pipeline_provisioning_repository": {"provider": "GITHUB", "name": "no-owner", "branch": "main"}},
     "pipeline_provisioning_repository.name"),
    ({"pipeline_provisioning_repository": {"provider": "GITLAB", "name": "a/b", "branch": "main"}}, "provider"),
    ({"pipeline_provisioning_repository": {"provider": "GITHUB", "name": "a/b"}}, "branch missing"),
    ({"managed_policy_arns": ["arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"]}, "no such managed policy"),
    ({"managed_policy_arns": ["ReadOnlyAccess"]}, "managed_policy_arns"),
    ({"managed_policy_arns": ["arn:aws-cn:iam::aws:policy/ReadOnlyAccess"]}, "managed_policy_arns"),
    ({"allowed_services": ["s3"]}, "allowed_services: only used with permissions: scoped"),
    ({"inline_policies": {"ProtonProvisioning": {"Statement": []}}}, "inline_policies"),
    ({"permissions": "custom", "inline_policies": {"Broken": "{not json"}}, "not valid JSON"),
    ({"codebuild_role": True, "codebuild_role_name": "AWSProtonServiceRole"}, "codebuild_role_name"),
    ({"role_propagation_timeout": -1}, "role_propagation_timeout"),
    ({"regions": []}, "regions: give at least one region"),
    ({"regions": ["us-east-1", "us east 1"]}, "regions: 'us east 1' is not a region name"),
]


@pytest.mark.parametrize("module", [MODULE, CHECK])
def test_bad_input_fails_clearly_before_any_write(ansible_module_tasks, aws_account, module):
    # One task per bad input, all in one ansible-playbook run.
    run = ansible_module_tasks(module, [args for args, _fragment in BAD_INPUTS], aws_account.env)
    assert len(run.tasks) == len(BAD_INPUTS), run.output[-3000:]
    for (args, fragment), result in zip(BAD_INPUTS, run.tasks):
        assert result.get("failed"), (args, result)
        assert fragment in result["msg"], (args, result["msg"])
    assert "Traceback" not in run.output
    assert aws_account.write_calls() == []


def test_a_region_without_proton_fails_clearly_before_any_write(ansible_module, aws_account):
    # botocore's own endpoint for a region that does not exist: no answer at all.
    env = {key: value for key, value in aws_account.env.items() if key != "AWS_ENDPOINT_URL"}
    run = ansible_module(MODULE, {"region": "us-nowhere-1", "endpoint_url": None}, env)
    assert run.result.get("failed"), run.output
    assert "AWS Proton did not answer in us-nowhere-1" in run.result["msg"]
    assert "Traceback" not in run.output
    assert aws_account.write_calls() == []
