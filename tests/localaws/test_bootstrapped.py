"""localaws.bootstrapped: the one definition of a bootstrapped account finds each way an account falls short."""

import json

from localaws.bootstrapped import (OWNERSHIP_TAG, PASSWORD_SECRET, PIPELINE_ROLE, SERVICE_ROLE, account_state,
                                   bootstrap_problems, without_account)

ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def trust(account_id):
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "proton.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id},
                      "ArnLike": {"aws:SourceArn": f"arn:aws:proton:*:{account_id}:*"}}}]}


def bootstrap_by_hand(account):
    """What the collection documents, made with boto3 alone."""
    iam = account.client("iam")
    tags = [{"Key": key, "Value": value} for key, value in OWNERSHIP_TAG.items()]
    iam.create_group(GroupName="Administrators")
    iam.attach_group_policy(GroupName="Administrators", PolicyArn=ADMIN_ACCESS)
    iam.create_user(UserName="Administrator", Tags=tags + [{"Key": "owner", "Value": "platform-team"}])
    iam.create_login_profile(UserName="Administrator", Password="Hand-Made-Passw0rd!-5f0e", PasswordResetRequired=True)
    iam.add_user_to_group(GroupName="Administrators", UserName="Administrator")
    account.client("secretsmanager").create_secret(Name=PASSWORD_SECRET, SecretString="{}")
    for name in (SERVICE_ROLE, PIPELINE_ROLE):
        iam.create_role(RoleName=name, Path="/service-role/", Tags=tags,
                        AssumeRolePolicyDocument=json.dumps(trust(account.account_id)))
    account.client("proton").update_account_settings(
        pipelineServiceRoleArn=f"arn:aws:iam::{account.account_id}:role/service-role/{PIPELINE_ROLE}")


def test_an_empty_account_is_not_bootstrapped(aws_account):
    problems = bootstrap_problems(account_state(aws_account.client), aws_account.account_id)
    assert "no group Administrators" in problems and "no user Administrator" in problems
    assert any(problem.startswith("the roles at /service-role/") for problem in problems)


def test_an_account_made_as_documented_has_no_problem_and_each_flaw_is_named(aws_account):
    bootstrap_by_hand(aws_account)
    state = account_state(aws_account.client)
    assert bootstrap_problems(state, aws_account.account_id, user_tags={"owner": "platform-team"}) == []

    iam = aws_account.client("iam")
    iam.detach_group_policy(GroupName="Administrators", PolicyArn=ADMIN_ACCESS)
    iam.update_login_profile(UserName="Administrator", PasswordResetRequired=False)
    aws_account.client("proton").update_account_settings(pipelineServiceRoleArn="")
    problems = bootstrap_problems(account_state(aws_account.client), aws_account.account_id)
    assert [problem.split(":")[0] for problem in problems] == [
        "the group's managed policies", "the user's console access", "the Proton account settings in us-east-1"]
    # The IAM half alone, asked for as such: the Proton roles are then one too many.
    assert bootstrap_problems(state, aws_account.account_id, proton=False)[0].startswith("the roles at /service-role/")


def test_two_accounts_made_alike_compare_equal_without_their_ids(aws_account_factory):
    first, second = aws_account_factory(2)
    for account in (first, second):
        bootstrap_by_hand(account)
    assert without_account(account_state(first.client), first.account_id) == without_account(
        account_state(second.client), second.account_id)
