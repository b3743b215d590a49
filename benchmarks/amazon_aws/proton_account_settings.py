"""Point the Proton account settings at a pipeline service role; print "changed" or "unchanged".

What a user writes when no Ansible module exists: read, compare, write only when different.
Credentials, region and endpoint come from the environment (AWS_*), as for the AWS CLI.
"""

import sys

import boto3


def main(pipeline_role_arn):
    proton = boto3.client("proton")
    current = proton.get_account_settings()["accountSettings"].get("pipelineServiceRoleArn")
    if current == pipeline_role_arn:
        print("unchanged")
        return
    proton.update_account_settings(pipelineServiceRoleArn=pipeline_role_arn)
    print("changed")


if __name__ == "__main__":
    main(sys.argv[1])
