#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the protonkit.accounts collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: iam_admin_bootstrap
short_description: Administrators group and break-glass Administrator user of an AWS account
version_added: 0.1.0
description:
  - Does the IAM part of the AWS Proton "Setting up with IAM" procedure for the account whose credentials the
    module runs with, idempotently.
  - Creates an IAM group (default V(Administrators)) with managed policies attached (default the partition's
    C(AdministratorAccess)), and an IAM user (default V(Administrator)) with tags, in that group.
  - Gives the user console access (a login profile) with a password that must be changed at the first sign-in.
    When no O(password) is given and the user has no console password yet, the module generates one that satisfies
    the account's password policy and delivers it only where you ask (O(password_secret) and/or O(password_file)).
  - A rerun with the same parameters changes nothing and makes no IAM write call.
  - The AWS guide also asks to activate IAM access to the Billing console. AWS offers no API for that switch
    (only the root user's console setting, or C(IamUserAccessToBilling) when AWS Organizations creates the
    account), so this module does not pretend to do it.
author:
  - protonkit maintainers (@protonkit)
options:
  state:
    description:
      - V(present) creates or updates the group, the user and console access.
      - V(absent) removes the user (with its console password, access keys, certificates, SSH keys,
        service-specific credentials, MFA devices - virtual ones deleted, others deactivated -, policies and group
        memberships) and the group, unless other users are still in the group
        (see O(force)). The secret named by O(password_secret) is scheduled for deletion when it is the
        collection's (see O(adopt)); any other secret is kept and listed in RV(kept).
      - Either state touches only what is this collection's (see O(adopt)). With V(absent), a user or group of that
        name that is not is left as it is and returned in RV(kept).
    type: str
    choices: [present, absent]
    default: present
  group_name:
    description: Name of the IAM group.
    type: str
    default: Administrators
  group_path:
    description: Path of the IAM group.
    type: str
    default: /
  group_policy_arns:
    description:
      - ARNs of the managed policies attached to the group.
      - Defaults to C(arn:<partition>:iam::aws:policy/AdministratorAccess), the partition being the caller's.
    type: list
    elements: str
  purge_policies:
    description: Detach managed policies of the group that are not in O(group_policy_arns).
    type: bool
    default: false
  user_name:
    description: Name of the IAM user.
    type: str
    default: Administrator
  user_path:
    description: Path of the IAM user.
    type: str
    default: /
  console_access:
    description:
      - Whether the user can sign in to the AWS Management Console (has a login profile).
      - V(false) removes the login profile.
    type: bool
    default: true
  password:
    description:
      - Console password of the user. Never logged.
      - Checked against the account's password policy (or, when the account has none, IAM's default rule of
        8 characters from three of the four character classes) before anything is written.
      - When omitted and the user has no console password yet, one is generated; then O(password_secret) or
        O(password_file) is required. A generated password has at least 32 characters (more when the account's
        password policy asks for more) with lowercase and uppercase letters, numbers and symbols.
    type: str
  update_password:
    description:
      - V(on_create) sets the password only when the login profile is created; a rerun never touches it.
      - V(always) sets a password on every run (which then always reports a change). That is O(password) when
        given, otherwise a newly generated one, delivered to O(password_secret) (a new version of the secret) and/or
        O(password_file) before it is set. That is a rotation in one run; with O(password_reset_required) the
        user must choose their own password at the next sign-in.
    type: str
    choices: [on_create, always]
    default: on_create
  password_reset_required:
    description:
      - The user must choose a new password at the next sign-in after this module set one.
      - Applied whenever the module sets a password. Without a new password it is only lifted (V(false) clears a
        pending reset) and never raised again, because AWS clears the flag once the user has chosen their own
        password and a rerun must not force another reset.
    type: bool
    default: true
  password_secret:
    description:
      - Name of an AWS Secrets Manager secret, in the same account and the module's region, that receives a new
        password as JSON with C(account_id), C(user_name), C(password) and C(signin_url).
      - Written before the login profile is created, so a password is never lost.
      - A secret the module creates carries the tag C(protonkit:managed-by=protonkit.accounts). The module writes
        only into such a secret, or into one an earlier version of this collection created (untagged, with the
        description the module gives its secrets and no resource policy; it gets the tag at the next write). Any
        other secret of that name makes the module fail before anything is written, unless O(adopt) is set.
      - A secret ARN of another account is refused.
      - With the defaults, anyone in the account allowed C(secretsmanager:GetSecretValue) on the secret can read the
        password (any administrator of the account); O(password_secret_readers) restricts that.
    type: str
  password_secret_kms_key_id:
    description:
      - KMS key (id, ARN or alias; a customer managed key) that encrypts the secret of O(password_secret).
      - A secret the module creates is encrypted with it; a secret of the collection that uses another key is
        switched to it (C(UpdateSecret)). Without it the secret uses the account's AWS managed key
        C(aws/secretsmanager), and the key of an existing secret is left alone.
    type: str
  password_secret_readers:
    description:
      - ARNs of the IAM roles and users that alone may read the password from O(password_secret).
      - The module then keeps a resource policy on the secret (C(PutResourcePolicy) with C(BlockPublicPolicy)) that
        allows them C(secretsmanager:GetSecretValue) and denies it to every other principal, administrators of
        the account included (the condition is on C(aws:PrincipalArn), so every session of a named role may read).
        The policy is put on before a new password is written into a secret that already exists.
      - It does not stop a principal allowed C(secretsmanager:PutResourcePolicy) from changing the policy; such a
        change shows in CloudTrail.
      - When omitted (or empty), the secret's resource policy is left alone (a secret the module creates has none).
    type: list
    elements: str
  password_file:
    description:
      - Path of a file on the host that runs the module which receives a new password (the same JSON as
        O(password_secret)), written with mode C(0600).
      - Its directory must exist; this is checked before anything is written.
      - A file that already exists is replaced only when it holds the password document of the same account and
        user; one of another account (for example one path shared by every account of an inventory) or any other
        file makes the module fail before anything is written. Give each account its own file, for example with
        its id in the path.
      - Written to a temporary file in the same directory, then renamed; the temporary file is removed whenever
        that fails.
    type: path
  tags:
    description:
      - Tags of the user.
      - When omitted, the tags of an existing user are left alone.
      - The ownership tag C(protonkit:managed-by=protonkit.accounts) is always added (and never purged); it is how
        the module recognises the user as its own (see O(adopt)).
      - Checked against IAM's rules before anything is written (at most 50 tags, keys of 1 to 128 and values of up
        to 256 letters, numbers, spaces and C(_.:/=+-@), no key starting with C(aws:), which AWS reserves).
    type: dict
    aliases: [resource_tags]
  purge_tags:
    description: Remove tags of the user that are not in O(tags).
    type: bool
    default: true
  force:
    description:
      - With O(state=absent), delete the group even when other users are still in it (they are removed from it).
      - Only a group that is the collection's (see O(adopt)). Once a teardown has removed the user from a group other
        users are in, the group is no longer recognisably the collection's, so deleting it later takes O(adopt) too.
    type: bool
    default: false
  adopt:
    description:
      - Take over a user or group of the given name that this collection did not create.
      - Likewise the secret of O(password_secret) (see there). With O(state=present) it is tagged and the password
        written into it (a resource policy it has is kept unless O(password_secret_readers) replaces it, and the
        module warns); with O(state=absent) it is scheduled for deletion. Without it, such a secret makes
        O(state=present) fail before its first write when a password is to be written into it, and O(state=absent)
        keeps it (RV(kept)).
      - The user is the collection's when it carries the tag C(protonkit:managed-by=protonkit.accounts). A user
        without it is still recognised as one an earlier (untagging) version made when it is at O(user_path), in
        the group, and the group has every policy of O(group_policy_arns); it is then tagged.
      - IAM groups can't be tagged. The group is the collection's when the collection's user is in it (only the
        module or an administrator puts it there), or when it is empty and has no inline policy and no managed
        policy beyond O(group_policy_arns), so that taking it over gives no one any permission.
      - With V(false) (the default), when the user or the group of that name exists and is not the collection's,
        or when attaching O(group_policy_arns) to the group would give its other members (anyone but the user)
        those permissions, O(state=present) fails before its first write, naming each of them and why; check mode
        predicts the same failure. O(state=absent) leaves them as they are and returns them in RV(kept).
      - With V(true) they are managed as if the module had created them - the user is tagged, moved to
        O(user_path) and added to the group, O(group_policy_arns) are attached to the group whoever else is in
        it - and O(state=absent) removes them.
    type: bool
    default: false
    version_added: 0.2.0
notes:
  - The password is never returned, logged or shown in C(--diff). RV(password_changed) says whether it was set.
  - Run this with credentials of an IAM principal in the account (for example a role assumed from the management
    account). The module warns when it runs as the account's root user, which should be locked away.
  - The Administrator user is a break-glass identity. For daily human access AWS recommends IAM Identity Center.
  - Supports check mode, returning the state the real run would leave, and C(--diff), showing group, policies,
    user, tags, membership and console access before and after (never the password). The states before and after
    are returned (as C(diff)) only in diff mode.
  - Throttling and C(EntityTemporarilyUnmodifiable) answers from IAM are retried with jittered backoff.
  - "IAM permissions used: C(iam:GetAccountAuthorizationDetails) (the account's users and groups with their policies
    and memberships in one call; in an account with more than 100 users and groups, or when it is not granted,
    C(iam:GetGroup), C(iam:ListAttachedGroupPolicies) and C(iam:GetUser) instead, and C(iam:ListGroupPolicies) to tell
    whether a group without the user is the collection's), C(iam:GetLoginProfile),
    C(iam:GetPolicy), C(iam:GetAccountPasswordPolicy), and for changes C(iam:CreateGroup),
    C(iam:UpdateGroup), C(iam:AttachGroupPolicy), C(iam:DetachGroupPolicy), C(iam:CreateUser), C(iam:UpdateUser),
    C(iam:TagUser), C(iam:UntagUser), C(iam:AddUserToGroup), C(iam:CreateLoginProfile), C(iam:UpdateLoginProfile),
    C(iam:DeleteLoginProfile); with O(state=absent) also the list and delete actions of users and groups,
    C(iam:ListServiceSpecificCredentials), C(iam:DeleteServiceSpecificCredential), C(iam:DeactivateMFADevice) and
    C(iam:DeleteVirtualMFADevice).
    O(password_secret) needs C(secretsmanager:DescribeSecret), C(secretsmanager:GetResourcePolicy),
    C(secretsmanager:CreateSecret), C(secretsmanager:TagResource), C(secretsmanager:PutSecretValue),
    C(secretsmanager:RestoreSecret) and C(secretsmanager:DeleteSecret); O(password_secret_readers) also
    C(secretsmanager:PutResourcePolicy); O(password_secret_kms_key_id) C(secretsmanager:UpdateSecret),
    C(kms:DescribeKey), C(kms:GenerateDataKey) and C(kms:Decrypt)."
# Our own floor, not amazon.aws.boto3's (which says python >= 3.6): see the README's support matrix.
requirements:
  - python >= 3.11
  - boto3 >= 1.35.0
  - botocore >= 1.35.0
extends_documentation_fragment:
  - protonkit.accounts.module_in_worker
  - amazon.aws.common.modules
  - amazon.aws.region.modules
"""

EXAMPLES = r"""
- name: Administrators group and Administrator user; a generated password goes to Secrets Manager
  protonkit.accounts.iam_admin_bootstrap:
    password_secret: protonkit/Administrator/console-password
    tags:
      owner: platform-team

- name: Choose the password yourself (kept in a vault), set only when the login profile is created
  protonkit.accounts.iam_admin_bootstrap:
    password: "{{ vault_admin_password }}"
  no_log: true

- name: Restrict the group to a customer managed policy, detaching anything else
  protonkit.accounts.iam_admin_bootstrap:
    group_policy_arns:
      - arn:aws:iam::123456789012:policy/BreakGlassAdmin
    purge_policies: true
    password_file: /secure/admin-password.json

- name: Take console access away, keep the user
  protonkit.accounts.iam_admin_bootstrap:
    console_access: false

- name: Remove the user and the group
  protonkit.accounts.iam_admin_bootstrap:
    state: absent
"""

RETURN = r"""
account_id:
  description: The account the module worked on.
  returned: always
  type: str
  sample: "123456789012"
partition:
  description: The AWS partition of the account, read from the caller's identity.
  returned: always
  type: str
  sample: aws
signin_url:
  description:
    - Console sign-in URL of the account, for the partition of the account
      (C(signin.aws.amazon.com), C(signin.amazonaws.cn) or C(signin.amazonaws-us-gov.com)).
    - V(null) in partitions without a public console.
  returned: always
  type: str
  sample: https://123456789012.signin.aws.amazon.com/console
created:
  description: Whether this run created the user or the group.
  returned: always
  type: bool
group:
  description: The group after the run (predicted in check mode); empty when it does not exist.
  returned: always
  type: dict
  contains:
    name:
      description: Group name.
      type: str
      returned: success
      sample: Administrators
    arn:
      description: Group ARN.
      type: str
      returned: success
      sample: arn:aws:iam::123456789012:group/Administrators
    id:
      description: Group id; V(null) when the group is only predicted (check mode).
      type: str
      returned: success
    path:
      description: Group path.
      type: str
      returned: success
      sample: /
    attached_policies:
      description: ARNs of the managed policies attached to the group.
      type: list
      elements: str
      returned: success
      sample: [arn:aws:iam::aws:policy/AdministratorAccess]
    kept_reason:
      description: With O(state=absent), why the group was not deleted.
      type: str
      returned: when the group was kept
user:
  description: The user after the run (predicted in check mode); empty when it does not exist.
  returned: always
  type: dict
  contains:
    name:
      description: User name.
      type: str
      returned: success
      sample: Administrator
    arn:
      description: User ARN.
      type: str
      returned: success
      sample: arn:aws:iam::123456789012:user/Administrator
    id:
      description: User id; V(null) when the user is only predicted (check mode).
      type: str
      returned: success
    path:
      description: User path.
      type: str
      returned: success
      sample: /
    tags:
      description: Tags of the user, the ownership tag included.
      type: dict
      returned: success
      sample: {owner: platform-team, "protonkit:managed-by": protonkit.accounts}
    groups:
      description: The group this module manages, when the user is in it.
      type: list
      elements: str
      returned: success
      sample: [Administrators]
login_profile:
  description: Console access of the user after the run.
  returned: always
  type: dict
  contains:
    exists:
      description: Whether the user has a console password (a login profile).
      type: bool
      returned: always
    password_reset_required:
      description: Whether a new password must be chosen at the next sign-in.
      type: bool
      returned: always
kept:
  description:
    - With O(state=absent), what was kept, and why - the user or the group of the given names when they are not the
      collection's (see O(adopt)), and the group when other users are still in it (it then loses the policies of
      O(group_policy_arns), keeps its other policies and members).
    - Empty with O(state=present).
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description: V(user), V(group) or V(secret) (the secret of O(password_secret)).
      type: str
      returned: always
    name:
      description: Name of the user or group.
      type: str
      returned: always
    reason:
      description: Why it was kept.
      type: str
      returned: always
  sample:
    - kind: user
      name: Administrator
      reason: "not tagged protonkit:managed-by=protonkit.accounts, and not what an earlier version made: it is at
        path '/people/', not user_path '/'"
  version_added: 0.2.0
removed:
  description:
    - With O(state=absent), what this run removed (would remove, in check mode), each as C(kind) (V(user),
      V(group) or V(secret)) and C(name). Empty with O(state=present).
  returned: always
  type: list
  elements: dict
  sample: [{kind: user, name: Administrator}, {kind: group, name: Administrators}]
  version_added: 0.2.0
password_changed:
  description: Whether this run set the console password. The password itself is never returned.
  returned: always
  type: bool
password_generated:
  description: Whether the password set in this run was generated by the module.
  returned: always
  type: bool
password_secret_arn:
  description: ARN of the Secrets Manager secret that received the new password in this run.
  returned: when a new password was delivered to O(password_secret)
  type: str
  sample: arn:aws:secretsmanager:us-east-1:123456789012:secret:protonkit/Administrator/console-password-AbCdEf
password_file:
  description: Path of the file that received the new password in this run.
  returned: when a new password was delivered to O(password_file)
  type: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.protonkit.accounts.plugins.module_utils.iam_admin import REQUIRED_BY
from ansible_collections.protonkit.accounts.plugins.module_utils.iam_admin import argument_spec
from ansible_collections.protonkit.accounts.plugins.module_utils.iam_admin import run


def main():
    # On the controller, plugins/action/iam_admin_bootstrap.py usually runs the same code without this process.
    module = AnsibleAWSModule(argument_spec=argument_spec(), supports_check_mode=True, required_by=REQUIRED_BY)
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
