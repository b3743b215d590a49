"""Point the Proton account settings of each region at a pipeline service role; print "changed" or "unchanged".

    proton_account_settings.py PIPELINE_ROLE_ARN REGION...

What a user writes when no Ansible module exists: read, compare, write only when different, region by region, in
one process (one process per region would cost (b) more than a skilled user would spend).
Credentials and endpoint come from the environment (AWS_*), as for the AWS CLI.
"""

import sys

import boto3


def main(pipeline_role_arn, regions):
    changed = False
    for region in regions:
        proton = boto3.client("proton", region_name=region)
        current = proton.get_account_settings()["accountSettings"].get("pipelineServiceRoleArn")
        if current != pipeline_role_arn:
            proton.update_account_settings(pipelineServiceRoleArn=pipeline_role_arn)
            changed = True
    print("changed" if changed else "unchanged")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
