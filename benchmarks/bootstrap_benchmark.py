"""Side-by-side benchmark: protonkit.accounts' bootstrap.yml against the amazon.aws way, on the local AWS.

    make benchmark                                    # N = 1, 10, 50 and the forks scaling (several minutes)
    .venv/bin/python benchmarks/bootstrap_benchmark.py --accounts 1,10 --forks 5,20 --scaling-accounts 20
    .venv/bin/python benchmarks/bootstrap_benchmark.py --markdown docs/performance.md   # also write the results

Both variants reach the same end state (checked account by account before any figure is printed) in fresh
accounts of one local AWS: (a) ``playbooks/bootstrap.yml``; (b) ``benchmarks/amazon_aws/bootstrap.yml``, the
amazon.aws modules plus a boto3 script for the Proton account settings. Each runs fresh, then again with nothing
to change. Figures per run: API calls per account (read/write, from the local AWS call log), wall time,
controller CPU seconds (ansible-playbook and every process it started), peak RSS of that process tree, and the
time the local AWS spent answering. Nothing here asserts a target: it prints what it measured.
"""

import argparse
import collections
import difflib
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))

from localaws.client import LocalAWSClient  # noqa: E402

WORK = REPO / ".build" / "benchmarks"
REGION = "us-east-1"
MANAGEMENT_CREDENTIALS = {"aws_access_key_id": "AKIAPROTONKITBENCH00", "aws_secret_access_key": "benchmark"}
# Given to both variants (a vault in real life): the benchmark compares work, not password delivery.
BENCHMARK_VARS = {
    "iam_admin_password": "Benchmark-Passw0rd!-7d41",
    "iam_admin_tags": {"team": "platform", "purpose": "break-glass"},
    "iam_admin_password_secret": "",  # ours would also keep the given password in Secrets Manager; (b) can't
    "proton_regions": [REGION],
    "account_bootstrap_proton_roles": True,  # opt-in since Proton's end of support; (b) builds them too
}
VARIANTS = {
    "protonkit": REPO / "playbooks" / "bootstrap.yml",
    "amazon.aws": REPO / "benchmarks" / "amazon_aws" / "bootstrap.yml",
}
RECAP_LINE = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)")
PROFILE_LINE = re.compile(r"^(.+?) -{2,} (\d+\.\d+)s$")


@dataclass
class Run:
    variant: str
    accounts: int
    forks: int
    phase: str  # fresh | rerun
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss_mb: float = 0.0
    reads: int = 0
    writes: int = 0
    aws_seconds: float = 0.0
    changed_tasks: int = 0
    tasks_per_account: float = 0.0
    task_profile: list = field(default_factory=list)

    @property
    def calls(self):
        return self.reads + self.writes

    def per_account(self, value):
        return value / self.accounts


# --- measuring -------------------------------------------------------------------------------------------------------
class TreeMemorySampler(threading.Thread):
    """Peak resident memory of a process and all its descendants, sampled every 50 ms from /proc."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self._done = pid, 0, threading.Event()

    def run(self):
        while not self._done.wait(0.05):
            self.peak_kib = max(self.peak_kib, tree_rss_kib(self.pid))

    def stop(self):
        self._done.set()
        self.join()


def tree_rss_kib(root):
    parents, rss = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields.get("PPid", "0"))
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0])
    tree, grew = {root}, True
    while grew:
        before = len(tree)
        tree |= {pid for pid, parent in parents.items() if parent in tree}
        grew = len(tree) != before
    return sum(rss.get(pid, 0) for pid in tree)


def run_playbook(local_aws, variant, inventory, forks, phase, workdir):
    env = dict(os.environ,
               ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
               ANSIBLE_FORKS=str(forks),
               ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
               PROFILE_TASKS_TASK_OUTPUT_LIMIT="all",
               ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_HOST_KEY_CHECKING="0",
               AWS_ACCESS_KEY_ID=MANAGEMENT_CREDENTIALS["aws_access_key_id"],
               AWS_SECRET_ACCESS_KEY=MANAGEMENT_CREDENTIALS["aws_secret_access_key"],
               AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION, AWS_ENDPOINT_URL=local_aws.url, PWD=str(workdir))
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory),
               "-e", f"@{workdir / 'vars.yml'}", str(VARIANTS[variant])]
    local_aws.clear_calls()
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=workdir,
                               text=True)
    sampler = TreeMemorySampler(process.pid)
    sampler.start()
    output = process.communicate()[0]
    wall = time.perf_counter() - started
    sampler.stop()
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"{variant} {phase} run failed (rc {process.returncode}):\n{output[-4000:]}")
    calls = local_aws.calls()
    if os.environ.get("BENCHMARK_SHOW_CALLS"):
        print(json.dumps(collections.Counter(f"{call['service']}:{call['action']}" for call in calls), indent=1))
    accounts = inventory_accounts(inventory)
    recap = [RECAP_LINE.match(line) for line in output.splitlines()]
    recap = [match for match in recap if match]
    run = Run(variant, len(accounts), forks, phase, wall=wall,
              cpu=(usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime),
              peak_rss_mb=sampler.peak_kib / 1024,
              reads=sum(not call["write"] for call in calls), writes=sum(call["write"] for call in calls),
              aws_seconds=sum(call["seconds"] for call in calls),
              changed_tasks=sum(int(match.group(3)) for match in recap),
              tasks_per_account=sum(int(match.group(2)) for match in recap) / max(len(recap), 1))
    run.task_profile = [(match.group(1).strip(), float(match.group(2)))
                        for match in map(PROFILE_LINE.match, output.splitlines()) if match]
    return run


# --- accounts and end state -------------------------------------------------------------------------------------------
def new_accounts(local_aws, count):
    """``count`` new member accounts as AWS Organizations creates them: each holds only the role the management
    account enters it with (which both variants' reads then see, as they would in AWS)."""
    accounts = [str(random.randint(100000000000, 999999999999)) for _index in range(count)]
    management = boto3.client("sts", region_name=REGION, endpoint_url=local_aws.url, **MANAGEMENT_CREDENTIALS)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{management.get_caller_identity()['Account']}:root"}}]})
    for account in accounts:
        iam = account_clients(local_aws, account, services=("iam",))["iam"]
        iam.create_role(RoleName="OrganizationAccountAccessRole", AssumeRolePolicyDocument=trust)
        iam.attach_role_policy(RoleName="OrganizationAccountAccessRole",
                               PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    return accounts


def write_workdir(workdir, accounts):
    workdir.mkdir(parents=True, exist_ok=True)
    hosts = {f"account-{account}": {"aws_account_id": account,
                                    "aws_assume_role_arn": f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"}
             for account in accounts}
    inventory = workdir / "accounts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    (workdir / "vars.yml").write_text(yaml.safe_dump(BENCHMARK_VARS))
    return inventory


def inventory_accounts(inventory):
    return [host["aws_account_id"] for host in yaml.safe_load(inventory.read_text())["all"]["hosts"].values()]


def account_clients(local_aws, account, services=("iam", "proton", "secretsmanager")):
    sts = boto3.client("sts", region_name=REGION, endpoint_url=local_aws.url, **MANAGEMENT_CREDENTIALS)
    credentials = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                                  RoleSessionName="benchmark-check")["Credentials"]
    keys = {"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"]}
    return {service: boto3.client(service, region_name=REGION, endpoint_url=local_aws.url, **keys)
            for service in services}


def end_state(local_aws, account):
    """What an account looks like after a bootstrap, with the account id and generated ids taken out."""
    clients = account_clients(local_aws, account)
    iam = clients["iam"]
    group = iam.get_group(GroupName="Administrators")
    user = iam.get_user(UserName="Administrator")["User"]
    state = {
        "group": {"path": group["Group"]["Path"], "members": sorted(u["UserName"] for u in group["Users"]),
                  "attached": sorted(p["PolicyArn"] for p in
                                     iam.list_attached_group_policies(GroupName="Administrators")["AttachedPolicies"]),
                  "inline": iam.list_group_policies(GroupName="Administrators")["PolicyNames"]},
        "user": {"path": user["Path"], "tags": sorted((t["Key"], t["Value"]) for t in user.get("Tags", [])),
                 "console": bool(iam.get_login_profile(UserName="Administrator")["LoginProfile"]),
                 "access_keys": iam.list_access_keys(UserName="Administrator")["AccessKeyMetadata"]},
        "roles": {},
        "instance_profiles": [p["InstanceProfileName"] for p in iam.list_instance_profiles()["InstanceProfiles"]],
        "proton": clients["proton"].get_account_settings()["accountSettings"],
        "secrets": [s["Name"] for s in clients["secretsmanager"].list_secrets()["SecretList"]],
    }
    for role in iam.list_roles(PathPrefix="/service-role/")["Roles"]:
        name = role["RoleName"]
        state["roles"][name] = {
            "path": role["Path"], "description": role.get("Description", ""),
            "trust": role["AssumeRolePolicyDocument"],
            "attached": iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"],
            "inline": {policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
                       for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]},
            "tags": iam.list_role_tags(RoleName=name)["Tags"],
        }
    return json.loads(canonical(state).replace(account, "<account>"))


def canonical(value):
    """JSON with sorted keys and policy statements' action lists sorted, so equal policies compare equal."""
    def normalise(item):
        if isinstance(item, dict):
            return {key: normalise(sorted(val) if key in ("Action", "NotAction") and isinstance(val, list) else val)
                    for key, val in item.items()}
        if isinstance(item, list):
            return [normalise(element) for element in item]
        return item
    return json.dumps(normalise(value), sort_keys=True)


def check_same_end_state(local_aws, accounts_by_variant):
    states = {}
    for variant, accounts in accounts_by_variant.items():
        for account in accounts:
            states.setdefault(variant, set()).add(canonical(end_state(local_aws, account)))
    for variant, seen in states.items():
        if len(seen) != 1:
            raise SystemExit(f"{variant}: the accounts ended in {len(seen)} different states")
    first, second = (next(iter(seen)) for seen in states.values())
    if first != second:
        diff = difflib.unified_diff(*(json.dumps(json.loads(state), indent=1).splitlines() for state in (first, second)),
                                    *states, lineterm="")
        raise SystemExit("the variants ended in different states:\n" + "\n".join(diff))


# --- the runs ------------------------------------------------------------------------------------------------------------
def compare(local_aws, count, forks, work=WORK):
    """Both variants over ``count`` fresh accounts each, fresh then rerun; fails unless they end in the same state."""
    runs, accounts_by_variant = [], {}
    for variant in VARIANTS:
        accounts = new_accounts(local_aws, count)
        accounts_by_variant[variant] = accounts
        workdir = work / f"{variant}-{count}"
        inventory = write_workdir(workdir, accounts)
        for phase in ("fresh", "rerun"):
            run = run_playbook(local_aws, variant, inventory, forks, phase, workdir)
            runs.append(run)
            print(f"  {variant:11} N={count:<4} {phase:5}  {run.wall:7.1f} s  {run.per_account(run.calls):5.1f} calls/account",
                  flush=True)
    check_same_end_state(local_aws, accounts_by_variant)
    return runs


def scaling(local_aws, count, forks_list, work=WORK):
    runs = []
    for forks in forks_list:
        workdir = work / f"scaling-{count}-{forks}"
        inventory = write_workdir(workdir, new_accounts(local_aws, count))
        run = run_playbook(local_aws, "protonkit", inventory, forks, "fresh", workdir)
        runs.append(run)
        print(f"  protonkit   N={count:<4} forks={forks:<3} {run.wall:7.1f} s", flush=True)
    return runs


# --- reporting --------------------------------------------------------------------------------------------------------------
def comparison_table(runs):
    rows = ["| N | run | variant | calls/account (read + write) | wall s | controller CPU s | peak RSS MiB | AWS busy s | tasks/account |",
            "|---:|---|---|---|---:|---:|---:|---:|---:|"]
    for run in runs:
        rows.append(f"| {run.accounts} | {run.phase} | {run.variant} | {run.per_account(run.calls):.1f} "
                    f"({run.per_account(run.reads):.1f} + {run.per_account(run.writes):.1f}) | {run.wall:.1f} | "
                    f"{run.cpu:.1f} | {run.peak_rss_mb:.0f} | {run.aws_seconds:.1f} | {run.tasks_per_account:.0f} |")
    return "\n".join(rows)


def ratio_table(runs):
    rows = ["| N | run | API calls (b)/(a) | wall (b)/(a) | CPU (b)/(a) |", "|---:|---|---:|---:|---:|"]
    index = {(run.accounts, run.phase, run.variant): run for run in runs}
    for (count, phase, variant), ours in index.items():
        if variant != "protonkit":
            continue
        theirs = index[(count, phase, "amazon.aws")]
        rows.append(f"| {count} | {phase} | {theirs.calls / max(ours.calls, 1):.1f}× | {theirs.wall / ours.wall:.1f}× | "
                    f"{theirs.cpu / ours.cpu:.1f}× |")
    return "\n".join(rows)


def scaling_table(runs):
    rows = ["| N | forks | wall s | accounts/minute | controller CPU s | peak RSS MiB | AWS busy s |",
            "|---:|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        rows.append(f"| {run.accounts} | {run.forks} | {run.wall:.1f} | {run.accounts * 60 / run.wall:.0f} | "
                    f"{run.cpu:.1f} | {run.peak_rss_mb:.0f} | {run.aws_seconds:.1f} |")
    return "\n".join(rows)


def profile_table(run):
    rows = [f"| task ({run.variant}, N={run.accounts}, {run.phase}) | seconds |", "|---|---:|"]
    rows += [f"| {name} | {seconds:.2f} |" for name, seconds in run.task_profile]
    return "\n".join(rows)


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.machine())
    memory_kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal")))
    ansible_core = subprocess.run([str(Path(sys.executable).with_name("ansible")), "--version"], capture_output=True,
                                  text=True, check=True).stdout.splitlines()[0]
    return (f"{os.cpu_count()} CPUs ({cpu}), {memory_kib / 1024 / 1024:.0f} GiB, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, {ansible_core}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="1,10,50", help="account counts for the side-by-side runs")
    parser.add_argument("--compare-forks", type=int, default=20, help="forks for the side-by-side runs")
    parser.add_argument("--forks", default="5,20,50", help="forks for the scaling runs of protonkit (empty: none)")
    parser.add_argument("--scaling-accounts", type=int, default=50, help="accounts for the scaling runs")
    parser.add_argument("--markdown", type=Path, help="also write the results (with the command) to this file")
    args = parser.parse_args()
    counts = [int(value) for value in args.accounts.split(",") if value]
    forks_list = [int(value) for value in args.forks.split(",") if value]

    local_aws = LocalAWSClient.start(log_path=WORK / "localaws.log")
    try:
        print(f"local AWS at {local_aws.url}; side by side with forks={args.compare_forks}", flush=True)
        runs = [run for count in counts for run in compare(local_aws, count, args.compare_forks)]
        scaled = scaling(local_aws, args.scaling_accounts, forks_list) if forks_list else []
    finally:
        local_aws.stop()

    profiled = [run for run in runs if run.phase == "fresh" and run.accounts == min(counts)]
    sections = [
        "### Same end state, side by side (a) protonkit.accounts vs (b) amazon.aws\n\n" + comparison_table(runs),
        "### Ratios (b) / (a)\n\n" + ratio_table(runs),
    ]
    if scaled:
        sections.append("### protonkit.accounts scaling with forks\n\n" + scaling_table(scaled))
    sections += ["### Where the time goes\n\n" + profile_table(run) for run in profiled]
    command = "python benchmarks/bootstrap_benchmark.py " + " ".join(sys.argv[1:])
    report = (f"Measured {time.strftime('%Y-%m-%d')} on {machine()}.\n\nCommand: `{command.strip()}`\n\n"
              + "\n\n".join(sections) + "\n")
    print("\n" + report)
    if args.markdown:
        write_results(args.markdown, report)


def write_results(path, report):
    """Replace the generated part of ``path`` (after its results marker), keeping the prose above it."""
    marker = "<!-- benchmark results: generated by benchmarks/bootstrap_benchmark.py --markdown -->"
    text = path.read_text() if path.exists() else marker + "\n"
    head = text.split(marker, 1)[0]
    path.write_text(f"{head}{marker}\n\n{report}")


if __name__ == "__main__":
    main()
