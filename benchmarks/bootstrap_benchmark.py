"""Side-by-side benchmark: protonkit.accounts' bootstrap.yml against the amazon.aws way and the boto3 floor.

    make benchmark                                    # what docs/performance.md shows (see the Makefile)
    .venv/bin/python benchmarks/bootstrap_benchmark.py --accounts 1,10 --forks 5,20 --scaling-accounts 20
    .venv/bin/python benchmarks/bootstrap_benchmark.py --accounts 2 --forks '' --regions us-east-1,eu-west-1
    .venv/bin/python benchmarks/bootstrap_benchmark.py --accounts 1 --forks '' --scale-accounts 50,200
    .venv/bin/python benchmarks/bootstrap_benchmark.py --markdown docs/performance.md   # also write the results

The three variants reach the same end state (checked account by account before any figure is printed) in fresh
accounts of one local AWS: (a) ``playbooks/bootstrap.yml``; (b) ``benchmarks/amazon_aws/bootstrap.yml``, the
amazon.aws modules plus a boto3 script for the Proton account settings; (c) ``benchmarks/floor_boto3.py``, boto3
alone in one process with a thread pool, the floor. Each runs fresh, then again with nothing to change. Figures
per run: API calls per account (read/write, from the local AWS call log), wall time, controller CPU seconds (the
variant's process and every process it started), peak RSS of that process tree, the time the local AWS spent
answering and the CPU it used. Nothing here asserts a target: it prints what it measured, and the targets of
issue 17 are computed from those figures.
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

from localaws.accounts import enter_account
from localaws.bootstrapped import account_state, bootstrap_problems, without_account
from localaws.client import LocalAWSClient

WORK = REPO / ".build" / "benchmarks"
REGION = "us-east-1"  # the controller's region (STS), and the default of --regions
MANAGEMENT_CREDENTIALS = {"aws_access_key_id": "AKIAPROTONKITBENCH00", "aws_secret_access_key": "benchmark"}
# Given to every variant (a vault in real life): the benchmark compares work, not password delivery.
# proton_regions is set per run from --regions.
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
    "boto3 floor": REPO / "benchmarks" / "floor_boto3.py",
}
FLOOR = "boto3 floor"
LABELS = {"protonkit": "(a)", "amazon.aws": "(b)", FLOOR: "(c)"}
# The targets of issue 17, checked against the figures (never in a test).
TARGET_ACCOUNTS = 50
TARGET_AMAZON_AWS_RATIO = 3.0  # (b)/(a) wall, fresh and rerun, at least
TARGET_REGIONS_RATIO = 1.3  # wall of three regions over one region's, at most
TARGET_FLOOR_RATIO = 4.0  # (a)/(c) wall, at most
# ansible-playbook's peak RSS per account beyond what loading the inventory alone grows by, at most: the account's
# record for the report is all a run has to keep of it (a few KiB); more means results are kept that need not be.
TARGET_MEMORY_EXTRA_KIB = 16
# A module process is a Python interpreter running an AnsiballZ_<module>.py file.
MODULE_FILE = re.compile(r"(^|/)AnsiballZ_\w+\.py$")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
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
    tasks_per_account: float = 0.0  # ok tasks per host in the recap; None for (c), which has no tasks
    task_runs: int = 0  # ok + skipped + failed over all hosts: the task workers Ansible started
    task_profile: list = field(default_factory=list)
    regions: int = 1
    root_peak_rss_mb: float = 0.0  # the variant's own process (ansible-playbook, or (c)), without its children
    module_processes: int = 0
    module_cpu: float = 0.0
    local_aws_cpu: float = float("nan")
    calls_by_action: collections.Counter = field(default_factory=collections.Counter)  # "service:action" -> count

    @property
    def label(self):
        return f"{LABELS[self.variant]} {self.variant}"

    def service_calls(self, service, invert=False):
        return sum(count for action, count in self.calls_by_action.items()
                   if (action.split(":", 1)[0] == service) != invert)

    @property
    def calls(self):
        return self.reads + self.writes

    def per_account(self, value):
        return value / self.accounts


# --- measuring -------------------------------------------------------------------------------------------------------
class TreeSampler(threading.Thread):
    """A process tree sampled every 50 ms from /proc: peak resident memory of the tree and of its root, and the
    module processes seen (pid -> last CPU seconds seen; a lower bound: up to 50 ms of each one's CPU, and a module
    process shorter than 50 ms, go unseen). Summed RSS counts a forked worker's pages shared with its parent again."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.root_peak_kib, self._done = pid, 0, 0, threading.Event()
        self.modules = {}  # (pid, start time) -> CPU seconds

    def run(self):
        while not self._done.wait(0.05):
            self.sample()

    def stop(self):
        self._done.set()
        self.join()

    def sample(self):
        processes = read_processes()
        root = processes.get(self.pid)
        if root is None:
            return
        children = collections.defaultdict(list)
        for pid, process in processes.items():
            children[process["ppid"]].append(pid)
        tree, pending = [], [self.pid]
        while pending:
            pid = pending.pop()
            tree.append(pid)
            pending += children.get(pid, [])
        self.peak_kib = max(self.peak_kib, sum(processes[pid]["rss_kib"] for pid in tree))
        self.root_peak_kib = max(self.root_peak_kib, root["rss_kib"])
        for pid in tree:
            process = processes[pid]
            key = (pid, process["start"])
            # Forked workers carry the root's name and never exec: only other processes can be modules.
            if key in self.modules or (process["comm"] != root["comm"] and is_module_process(pid)):
                self.modules[key] = process["cpu"]


def read_processes():
    """pid -> {ppid, comm, cpu (seconds), rss_kib, start} for every process, from /proc/<pid>/stat."""
    processes = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as stat:
                text = stat.read()
        except OSError:
            continue  # ended meanwhile
        comm = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()  # fields from the 3rd (state) on
        processes[int(entry.name)] = {
            "ppid": int(fields[1]), "comm": comm, "cpu": (int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
            "rss_kib": int(fields[21]) * PAGE_KIB, "start": int(fields[19])}
    return processes


def is_module_process(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            arguments = cmdline.read().decode(errors="replace").split("\0")
    except OSError:
        return False
    # python AnsiballZ_<module>.py; not the chmod or the shell around it, which name the file too.
    return (len(arguments) > 1 and Path(arguments[0]).name.startswith("python")
            and bool(MODULE_FILE.search(arguments[1])))


def process_tree_cpu(pid):
    """CPU seconds of a running process and its reaped children (None when it is not ours to read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return None
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def local_aws_pid(local_aws):
    # The client keeps the server it started (the tests' fixture may not own one): its CPU is the AWS side's cost.
    process = getattr(local_aws, "_process", None)
    return process.pid if process else None


def ansible_environment(**settings):
    """The environment of the commands the benchmark starts, ``settings`` on top: Ansible's home under .build, so that
    nothing is written in the user's ~/.ansible."""
    return dict(os.environ, ANSIBLE_HOME=str(WORK / "ansible-home"), **settings)


def variant_command(variant, inventory, workdir, forks):
    if variant == FLOOR:
        return [sys.executable, str(VARIANTS[variant]), str(inventory), str(workdir / "vars.yml"), "--workers",
                str(forks)]
    return [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory),
            "-e", f"@{workdir / 'vars.yml'}", str(VARIANTS[variant])]


def variant_environment(local_aws, forks, workdir):
    """The environment every variant runs in: the management account's credentials for the local AWS, the forks."""
    return ansible_environment(
        ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"),
        ANSIBLE_FORKS=str(forks),
        ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks",
        PROFILE_TASKS_TASK_OUTPUT_LIMIT="all",
        ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_HOST_KEY_CHECKING="0",
        AWS_ACCESS_KEY_ID=MANAGEMENT_CREDENTIALS["aws_access_key_id"],
        AWS_SECRET_ACCESS_KEY=MANAGEMENT_CREDENTIALS["aws_secret_access_key"],
        AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION, AWS_ENDPOINT_URL=local_aws.url, PWD=str(workdir))


def run_variant(local_aws, variant, inventory, forks, phase, workdir):
    """One run of a variant over the inventory's accounts, measured; exits when it fails."""
    env = variant_environment(local_aws, forks, workdir)
    command = variant_command(variant, inventory, workdir, forks)
    local_aws.clear_calls()
    server_pid = local_aws_pid(local_aws)
    server_cpu_before = process_tree_cpu(server_pid)
    usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=workdir,
                               text=True)
    sampler = TreeSampler(process.pid)
    sampler.start()
    output = process.communicate()[0]
    wall = time.perf_counter() - started
    sampler.stop()
    usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu_after = process_tree_cpu(server_pid)
    if process.returncode != 0:
        raise SystemExit(f"{variant} {phase} run failed (rc {process.returncode}):\n{output[-4000:]}")
    calls = local_aws.calls()
    calls_by_action = collections.Counter(f"{call['service']}:{call['action']}" for call in calls)
    if os.environ.get("BENCHMARK_SHOW_CALLS"):
        print(json.dumps(calls_by_action, indent=1))
    accounts = inventory_accounts(inventory)
    settings = yaml.safe_load((workdir / "vars.yml").read_text())
    run = Run(variant, len(accounts), forks, phase, wall=wall,
              cpu=(usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime),
              peak_rss_mb=sampler.peak_kib / 1024, root_peak_rss_mb=sampler.root_peak_kib / 1024,
              reads=sum(not call["write"] for call in calls), writes=sum(call["write"] for call in calls),
              aws_seconds=sum(call["seconds"] for call in calls), regions=len(settings["proton_regions"]),
              module_processes=len(sampler.modules), module_cpu=sum(sampler.modules.values()),
              calls_by_action=calls_by_action)
    if server_cpu_before is not None and server_cpu_after is not None:
        run.local_aws_cpu = server_cpu_after - server_cpu_before
    if variant == FLOOR:
        summary = json.loads(output.strip().splitlines()[-1])
        run.changed_tasks, run.tasks_per_account = summary["changed_accounts"], None
        return run
    recap = [RECAP_LINE.match(line) for line in output.splitlines()]
    recap = [match for match in recap if match]
    run.changed_tasks = sum(int(match.group(3)) for match in recap)
    run.tasks_per_account = sum(int(match.group(2)) for match in recap) / max(len(recap), 1)
    run.task_runs = sum(int(match.group(2)) + int(match.group(5)) + int(match.group(6)) for match in recap)
    run.task_profile = [(match.group(1).strip(), float(match.group(2)))
                        for match in map(PROFILE_LINE.match, output.splitlines()) if match]
    return run


# --- accounts and end state -------------------------------------------------------------------------------------------
def new_accounts(local_aws, count):
    """``count`` new member accounts as AWS Organizations creates them: each holds only the role the management
    account enters it with (which every variant's reads then see, as they would in AWS). Timed and printed apart:
    creating accounts is no part of any variant's figures."""
    started = time.perf_counter()
    accounts = [str(random.randint(100000000000, 999999999999)) for _index in range(count)]
    management = boto3.client("sts", region_name=REGION, endpoint_url=local_aws.url, **MANAGEMENT_CREDENTIALS)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": f"arn:aws:iam::{management.get_caller_identity()['Account']}:root"}}]})
    for account in accounts:
        iam = account_client(local_aws, account)("iam")
        iam.create_role(RoleName="OrganizationAccountAccessRole", AssumeRolePolicyDocument=trust)
        iam.attach_role_policy(RoleName="OrganizationAccountAccessRole",
                               PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    print(f"  (created {count} accounts in {time.perf_counter() - started:.1f} s, not in the figures)", flush=True)
    return accounts


def write_workdir(workdir, accounts, regions=(REGION,)):
    workdir.mkdir(parents=True, exist_ok=True)
    hosts = {f"account-{account}": {"aws_account_id": account,
                                    "aws_assume_role_arn": f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"}
             for account in accounts}
    inventory = workdir / "accounts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": hosts}}))
    (workdir / "vars.yml").write_text(yaml.safe_dump(dict(BENCHMARK_VARS, proton_regions=list(regions))))
    return inventory


def workdir_name(variant, *parts):
    return "-".join([re.sub(r"\W+", "_", variant), *map(str, parts)])


def inventory_accounts(inventory):
    return [host["aws_account_id"] for host in yaml.safe_load(inventory.read_text())["all"]["hosts"].values()]


def account_client(local_aws, account):
    """``client(service, region=None)``: boto3 clients acting in the account (the controller's region by default)."""
    keys = enter_account(local_aws.url, account, region=REGION, session_name="benchmark-check",
                         caller=MANAGEMENT_CREDENTIALS)

    def client(service, region=None):
        return boto3.client(service, region_name=region or REGION, endpoint_url=local_aws.url, **keys)
    return client


def end_state(local_aws, account, regions=(REGION,)):
    """What an account looks like after a bootstrap (localaws.bootstrapped), the account id taken out; exits unless
    it is what the collection documents."""
    state = account_state(account_client(local_aws, account), regions)
    problems = bootstrap_problems(state, account, user_tags=BENCHMARK_VARS["iam_admin_tags"], secret=None)
    if problems:
        raise SystemExit(f"account {account} is not bootstrapped as documented: " + "; ".join(problems))
    return without_account(state, account)


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


def check_same_end_state(local_aws, accounts_by_variant, regions=(REGION,)):
    """Exits unless every account of every variant ended in one and the same state (the first variant's)."""
    states = {}
    for variant, accounts in accounts_by_variant.items():
        for account in accounts:
            states.setdefault(variant, set()).add(canonical(end_state(local_aws, account, regions)))
    for variant, seen in states.items():
        if len(seen) != 1:
            raise SystemExit(f"{variant}: the accounts ended in {len(seen)} different states")
    (reference, (expected,)), *others = ((variant, tuple(seen)) for variant, seen in states.items())
    for variant, (state,) in others:
        if state != expected:
            diff = difflib.unified_diff(*(json.dumps(json.loads(text), indent=1).splitlines()
                                          for text in (expected, state)), reference, variant, lineterm="")
            raise SystemExit(f"{reference} and {variant} ended in different states:\n" + "\n".join(diff))


# --- the runs ------------------------------------------------------------------------------------------------------------
def print_run(run, extra=""):
    print(f"  {run.label:16} N={run.accounts:<4} regions={run.regions} {run.phase:5} {extra}{run.wall:7.1f} s  "
          f"{run.cpu:7.1f} CPU s  {run.per_account(run.calls):5.1f} calls/account  "
          f"{run.per_account(run.module_processes):4.1f} module processes/account", flush=True)


def compare(local_aws, count, forks, work=WORK, regions=(REGION,), variants=tuple(VARIANTS)):
    """The variants over ``count`` fresh accounts each, fresh then rerun; exits unless they end in the same state."""
    runs, accounts_by_variant = [], {}
    for variant in variants:
        accounts = new_accounts(local_aws, count)
        accounts_by_variant[variant] = accounts
        workdir = work / workdir_name(variant, count, len(regions))
        inventory = write_workdir(workdir, accounts, regions)
        for phase in ("fresh", "rerun"):
            run = run_variant(local_aws, variant, inventory, forks, phase, workdir)
            runs.append(run)
            print_run(run)
    check_same_end_state(local_aws, accounts_by_variant, regions)
    return runs


def scaling(local_aws, count, forks_list, work=WORK, regions=(REGION,)):
    runs = []
    for forks in forks_list:
        workdir = work / f"scaling-{count}-{forks}"
        inventory = write_workdir(workdir, new_accounts(local_aws, count), regions)
        run = run_variant(local_aws, "protonkit", inventory, forks, "fresh", workdir)
        runs.append(run)
        print_run(run, f"forks={forks:<3} ")
    return runs


def scale(local_aws, counts, forks, work=WORK, regions=(REGION,), compared=()):
    """(a) alone over many accounts, fresh then rerun (the end state is checked on a sample of them; a count the
    comparison ran is taken from there), and the inventory alone loaded by ansible-inventory at each count: what
    memory a run needs beyond the inventory; and Ansible alone running as many tasks over the same inventory.
    Returns ``(runs, inventory peaks, Ansible-alone peaks)``, peaks in MiB by count."""
    runs, inventory_peaks, ansible_peaks = [], {}, {}
    for count in counts:
        already = [run for run in compared if run.variant == "protonkit" and run.accounts == count
                   and run.regions == len(regions)]
        if already:
            runs += already
            inventory = work / workdir_name("protonkit", count, len(regions)) / "accounts.yml"
        else:
            accounts = new_accounts(local_aws, count)
            workdir = work / workdir_name("scale", count, len(regions))
            inventory = write_workdir(workdir, accounts, regions)
            for phase in ("fresh", "rerun"):
                run = run_variant(local_aws, "protonkit", inventory, forks, phase, workdir)
                runs.append(run)
                print_run(run)
            sample = accounts[:1] + accounts[-1:]
            states = {canonical(end_state(local_aws, account, regions)) for account in sample}
            if len(states) != 1:
                raise SystemExit(f"scale N={count}: the first and the last account ended in different states")
        inventory_peaks[count] = inventory_peak_rss_mb(inventory)
        ansible_peaks[count] = ansible_alone_peak_rss_mb(inventory, fresh_run(runs, count), forks)
    return runs, inventory_peaks, ansible_peaks


def root_peak_rss_mb(command, what, env=None):
    """Peak RSS of ``command``'s own process (MiB); exits, naming ``what``, when it fails."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=env or ansible_environment())
    sampler = TreeSampler(process.pid)
    sampler.start()
    errors = process.communicate()[1]
    sampler.stop()
    if process.returncode != 0:
        raise SystemExit(f"{what} failed:\n{errors[-2000:]}")
    return sampler.root_peak_kib / 1024


def inventory_peak_rss_mb(inventory):
    """Peak RSS of ansible-inventory loading the inventory alone (its own process)."""
    command = [str(Path(sys.executable).with_name("ansible-inventory")), "-i", str(inventory), "--list",
               "--output", os.devnull]
    return root_peak_rss_mb(command, "ansible-inventory")


def fresh_run(runs, count):
    return next(run for run in runs if run.accounts == count and run.phase == "fresh")


def ansible_alone_peak_rss_mb(inventory, run, forks):
    """Peak RSS of ansible-playbook running, over the same inventory with the same forks, as many task runs per
    account as ``run`` (a fresh run of (a)) had, each an ansible.builtin.debug that templates a host variable: roughly
    what Ansible itself needs for that many accounts and tasks, without the collection (one play, no variables file,
    no profiling callback)."""
    tasks_per_account = max(1, round(run.task_runs / run.accounts))
    playbook = inventory.with_name("ansible_alone.yml")
    playbook.write_text(yaml.safe_dump([{
        "name": "Ansible alone", "hosts": "all", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": [{"name": f"Task {index}", "ansible.builtin.debug": {"msg": "{{ aws_account_id }}"}}
                  for index in range(tasks_per_account)]}], sort_keys=False))
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(inventory), str(playbook)]
    env = ansible_environment(ANSIBLE_FORKS=str(forks), ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0")
    return root_peak_rss_mb(command, "ansible-playbook (Ansible alone)", env)


def regions_runs(local_aws, count, forks, regions, compared, work=WORK):
    """(a) over ``count`` accounts with the first region alone and with all of ``regions`` (the comparison's runs
    when it ran that count), fresh then rerun."""
    one = compare(local_aws, count, forks, work, regions[:1], variants=("protonkit",))
    many = [run for run in compared if run.variant == "protonkit" and run.accounts == count]
    if not many:
        many = compare(local_aws, count, forks, work, regions, variants=("protonkit",))
    return one + many


# --- reporting --------------------------------------------------------------------------------------------------------------
def ratio(numerator, denominator):
    return numerator / denominator if denominator else float("nan")


def by_key(runs):
    return {(run.variant, run.accounts, run.phase, run.regions): run for run in runs}


def comparison_table(runs):
    rows = ["| N | regions | run | variant | calls/account (read + write) | wall s | controller CPU s | peak RSS MiB | "
            "AWS busy s | local AWS CPU s | tasks/account |",
            "|---:|---:|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        tasks = "—" if run.tasks_per_account is None else f"{run.tasks_per_account:.0f}"
        rows.append(f"| {run.accounts} | {run.regions} | {run.phase} | {run.label} | {run.per_account(run.calls):.1f} "
                    f"({run.per_account(run.reads):.1f} + {run.per_account(run.writes):.1f}) | {run.wall:.1f} | "
                    f"{run.cpu:.1f} | {run.peak_rss_mb:.0f} | {run.aws_seconds:.1f} | {run.local_aws_cpu:.1f} | "
                    f"{tasks} |")
    return "\n".join(rows)


def ratio_table(runs):
    """(b)/(a), how far the amazon.aws way is from ours, beside (a)/(c), how far ours is from the floor."""
    rows = ["| N | regions | run | wall (b)/(a) | CPU (b)/(a) | API calls (b)/(a) | wall (a)/(c) | CPU (a)/(c) | "
            "API calls (a)/(c) |", "|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    index = by_key(runs)
    for (variant, count, phase, regions), ours in index.items():
        if variant != "protonkit":
            continue
        theirs, floor = index.get(("amazon.aws", count, phase, regions)), index.get((FLOOR, count, phase, regions))
        if theirs is None and floor is None:
            continue
        cells = []
        for numerator, denominator in ((theirs, ours), (ours, floor)):
            if numerator is None or denominator is None:
                cells += ["—"] * 3
            else:
                cells += [f"{ratio(numerator.wall, denominator.wall):.1f}×",
                          f"{ratio(numerator.cpu, denominator.cpu):.1f}×",
                          f"{ratio(numerator.calls, denominator.calls):.1f}×"]
        rows.append(f"| {count} | {regions} | {phase} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


BREAKDOWN_NOTES = """\
How the parts are measured (per account, from the same runs as above):
- *module processes*: every Python process of (a)'s tree running an `AnsiballZ_<module>.py` file, seen by
  sampling the tree every 50 ms in /proc; their CPU is the last user + system time seen of each. Both are lower
  bounds (up to 50 ms of each process's CPU, and any process shorter than 50 ms, go unseen).
- *rest of (a)'s CPU*: (a)'s controller CPU (ansible-playbook and everything it started, from the kernel's
  accounting of reaped children) minus its module processes' CPU: ansible-playbook itself and its forked task workers
  (task dispatch, templating, conditionals, callbacks) with the shell, chmod and rm around each module run:
  Ansible's per-task overhead. *per task run* divides it by the
  task runs of the whole run (ok + skipped + failed over every host of the recap, localhost's included).
- *AWS*: "busy" is the sum of the local AWS's answer times; its CPU is the CPU the local AWS server used during the
  run, on the same cores as the controller.
- (c) is one Python process: its controller CPU is all of it (boto3, threads, JSON)."""


def breakdown_table(runs):
    rows = ["| N | regions | run | wall (a) s | wall (c) s | wall (a)/(c) | CPU/account (a) s | CPU/account (c) s | "
            "module processes/account (a) | their CPU/account s | rest of (a)'s CPU/account s | rest per task run ms | "
            "AWS busy/account (a) s | (c) s | local AWS CPU/account (a) s | (c) s |",
            "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    index = by_key(runs)
    for (variant, count, phase, regions), ours in index.items():
        floor = index.get((FLOOR, count, phase, regions))
        if variant != "protonkit" or floor is None:
            continue
        rest = ours.cpu - ours.module_cpu
        rows.append(
            f"| {count} | {regions} | {phase} | {ours.wall:.1f} | {floor.wall:.1f} | "
            f"{ratio(ours.wall, floor.wall):.1f}× | "
            f"{ours.per_account(ours.cpu):.2f} | {floor.per_account(floor.cpu):.2f} | "
            f"{ours.per_account(ours.module_processes):.1f} | {ours.per_account(ours.module_cpu):.2f} | "
            f"{ours.per_account(rest):.2f} | {1000 * ratio(rest, ours.task_runs):.0f} | "
            f"{ours.per_account(ours.aws_seconds):.3f} | {floor.per_account(floor.aws_seconds):.3f} | "
            f"{ours.per_account(ours.local_aws_cpu):.3f} | {floor.per_account(floor.local_aws_cpu):.3f} |")
    return "\n".join(rows)


def region_cost(one, many):
    """Per extra region and account: (Proton calls, other calls, wall ratio) of ``many`` regions over ``one``."""
    extra = (many.regions - one.regions) * one.accounts
    proton = ratio(many.service_calls("proton") - one.service_calls("proton"), extra)
    other = ratio(many.service_calls("proton", invert=True) - one.service_calls("proton", invert=True), extra)
    return proton, other, ratio(many.wall, one.wall)


def region_pairs(region_runs):
    index = by_key(region_runs)
    for (variant, count, phase, regions), one in index.items():
        if regions != 1:
            continue
        for (other_variant, other_count, other_phase, other_regions), many in index.items():
            if (other_variant, other_count, other_phase) == (variant, count, phase) and other_regions > 1:
                yield one, many


def regions_table(region_runs):
    rows = ["| N | run | regions | wall s, 1 region | wall s, all | wall ratio | calls/account, 1 region | "
            "calls/account, all | per extra region and account: Proton calls | other calls |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for one, many in region_pairs(region_runs):
        proton, other, wall_ratio = region_cost(one, many)
        rows.append(f"| {one.accounts} | {one.phase} | {many.regions} | {one.wall:.1f} | {many.wall:.1f} | "
                    f"{wall_ratio:.2f}× | {one.per_account(one.calls):.1f} | {many.per_account(many.calls):.1f} | "
                    f"{proton:+.1f} | {other:+.1f} |")
    return "\n".join(rows)


def scale_table(runs):
    rows = ["| N | regions | run | wall s | accounts/minute | controller CPU s | CPU/account s | calls/account "
            "(read + write) | peak RSS MiB, ansible-playbook | peak RSS MiB, process tree |",
            "|---:|---:|---|---:|---:|---:|---:|---|---:|---:|"]
    for run in runs:
        rows.append(f"| {run.accounts} | {run.regions} | {run.phase} | {run.wall:.1f} | "
                    f"{run.accounts * 60 / run.wall:.0f} | "
                    f"{run.cpu:.1f} | {run.per_account(run.cpu):.2f} | {run.per_account(run.calls):.1f} "
                    f"({run.per_account(run.reads):.1f} + {run.per_account(run.writes):.1f}) | "
                    f"{run.root_peak_rss_mb:.0f} | {run.peak_rss_mb:.0f} |")
    return "\n".join(rows)


def memory_growth(scale_runs, inventory_peaks):
    """``(small, large, inventory KiB per account, {phase: (first run, last run, KiB per account)})``: how
    ansible-playbook's peak RSS grows per account between the smallest and the largest scale run, and how loading
    the same inventories alone grows; None with fewer than two counts."""
    counts = sorted(inventory_peaks)
    if len(counts) < 2:
        return None
    small, large = counts[0], counts[-1]
    inventory_slope = (inventory_peaks[large] - inventory_peaks[small]) * 1024 / (large - small)
    index = by_key(scale_runs)
    phases = {}
    for phase in ("fresh", "rerun"):
        first = next(run for key, run in index.items() if key[1] == small and key[2] == phase)
        last = next(run for key, run in index.items() if key[1] == large and key[2] == phase)
        phases[phase] = (first, last, (last.root_peak_rss_mb - first.root_peak_rss_mb) * 1024 / (large - small))
    return small, large, inventory_slope, phases


def memory_statement(scale_runs, inventory_peaks, ansible_peaks):
    growth = memory_growth(scale_runs, inventory_peaks)
    if growth is None:
        return "One account count only: no slope (give --scale-accounts two counts, such as 50,200)."
    small, large, inventory_slope, phases = growth
    ansible_slope = (ansible_peaks[large] - ansible_peaks[small]) * 1024 / (large - small)
    lines = [f"Loading the inventory alone (ansible-inventory --list): {inventory_peaks[small]:.0f} MiB at "
             f"N = {small}, {inventory_peaks[large]:.0f} MiB at N = {large}, {inventory_slope:.0f} KiB per account.",
             f"Ansible alone, roughly: as many tasks per account as (a) runs, each an ansible.builtin.debug, in one play "
             f"(same inventory and forks): "
             f"ansible-playbook's peak RSS {ansible_peaks[small]:.0f} MiB at N = {small}, {ansible_peaks[large]:.0f} "
             f"MiB at N = {large}, {ansible_slope:.0f} KiB per account."]
    for phase, (first, last, slope) in phases.items():
        lines.append(f"{phase.capitalize()}: ansible-playbook's peak RSS {first.root_peak_rss_mb:.0f} MiB at "
                     f"N = {small}, {last.root_peak_rss_mb:.0f} MiB at N = {large}: {slope:.0f} KiB per account, "
                     f"{slope - inventory_slope:.0f} KiB per account more than loading the inventory alone.")
    return "\n".join(f"- {line}" for line in lines)


def targets_table(runs, region_runs, scale_runs=(), inventory_peaks=None):
    """The targets of issue 17, each with what was measured and whether it is met; never a hand-written verdict."""
    rows = ["| target | measured | met |", "|---|---|---|"]
    index = by_key(runs)
    counts = sorted({run.accounts for run in runs if run.variant == "protonkit"})

    def at_target(variant, phase):
        matches = [run for key, run in index.items() if key[0] == variant and key[1] == TARGET_ACCOUNTS
                   and key[2] == phase]
        return matches[0] if matches else None

    def verdict(value, ok):
        return "met" if ok(value) else "not met"

    for name, numerator, denominator, ok in (
            (f"(b)/(a) wall at least {TARGET_AMAZON_AWS_RATIO:g}×", "amazon.aws", "protonkit",
             lambda value: value >= TARGET_AMAZON_AWS_RATIO),
            (f"(a) within {TARGET_FLOOR_RATIO:g}× of the floor (c), wall", "protonkit", FLOOR,
             lambda value: value <= TARGET_FLOOR_RATIO)):
        for phase in ("fresh", "rerun"):
            top, bottom = at_target(numerator, phase), at_target(denominator, phase)
            label = f"N = {TARGET_ACCOUNTS}, {phase}: {name}"
            if top is None or bottom is None:
                rows.append(f"| {label} | not measured (N = {TARGET_ACCOUNTS} not among {counts}) | not measured |")
                continue
            value = ratio(top.wall, bottom.wall)
            met = verdict(value, ok)
            if numerator == "protonkit" and met == "not met":
                met += " (see where the distance goes)"
            rows.append(f"| {label} | {value:.2f}× ({top.wall:.1f} s / {bottom.wall:.1f} s, {top.regions} "
                        f"region{'s' if top.regions > 1 else ''}) | {met} |")

    pairs = list(region_pairs(region_runs))
    if not pairs:
        rows.append(f"| more regions cost at most {TARGET_REGIONS_RATIO:g}× one region's wall | not measured (one "
                    "region given; --regions with three) | not measured |")
    for one, many in pairs:
        proton, other, wall_ratio = region_cost(one, many)
        rows.append(f"| N = {one.accounts}, {one.phase}: {many.regions} regions cost at most {TARGET_REGIONS_RATIO:g}× "
                    f"one region's wall | {wall_ratio:.2f}× ({many.wall:.1f} s / {one.wall:.1f} s) | "
                    f"{verdict(wall_ratio, lambda value: value <= TARGET_REGIONS_RATIO)} |")
        rows.append(f"| N = {one.accounts}, {one.phase}: each extra region adds only its Proton calls | per extra "
                    f"region and account: {proton:+.1f} Proton calls, {other:+.1f} other calls | "
                    f"{verdict(other, lambda value: value <= 0)} |")

    growth = memory_growth(scale_runs, inventory_peaks or {})
    if growth is None:
        rows.append("| memory grows per account no more than the inventory does | not measured (--scale-accounts with "
                    "two counts) | not measured |")
    else:
        small, large, inventory_slope, phases = growth
        for phase, (_first, _last, slope) in phases.items():
            extra = slope - inventory_slope
            rows.append(f"| N = {small} to {large}, {phase}: ansible-playbook's peak RSS grows per account at most "
                        f"{TARGET_MEMORY_EXTRA_KIB} KiB more than loading the inventory alone | {extra:.0f} KiB "
                        f"({slope:.0f} KiB against {inventory_slope:.0f}) | "
                        f"{verdict(extra, lambda value: value <= TARGET_MEMORY_EXTRA_KIB)} |")

    reruns = [run for run in runs + region_runs if run.phase == "rerun"]
    writing = [f"{run.label} N={run.accounts}: {run.writes}" for run in reruns if run.writes]
    measured = "; ".join(writing) if writing else f"0 writes in all {len(reruns)} reruns"
    rows.append(f"| a rerun writes nothing | {measured} | {'not met' if writing else 'met'} |")
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
    parser.add_argument("--compare-forks", type=int, default=20,
                        help="forks for the side-by-side runs ((c)'s threads), the regions and the scale runs")
    parser.add_argument("--forks", default="5,20,50", help="forks for the scaling runs of protonkit (empty: none)")
    parser.add_argument("--scaling-accounts", type=int, default=50, help="accounts for the scaling runs")
    parser.add_argument("--regions", default=REGION,
                        help="Proton regions of every run, comma-separated; with more than one, (a) also runs with "
                             "the first alone, for the cost of a region")
    parser.add_argument("--regions-accounts", type=int,
                        help="accounts for the one-region runs of (a) (default: the largest of --accounts)")
    parser.add_argument("--scale-accounts", default="",
                        help="account counts for (a) alone, fresh and rerun, with memory per account (e.g. 50,200; "
                             "default: none)")
    parser.add_argument("--markdown", type=Path, help="also write the results (with the command) to this file")
    args = parser.parse_args()
    counts = [int(value) for value in args.accounts.split(",") if value]
    forks_list = [int(value) for value in args.forks.split(",") if value]
    regions = [value.strip() for value in args.regions.split(",") if value.strip()]
    scale_counts = sorted(int(value) for value in args.scale_accounts.split(",") if value)
    region_count = args.regions_accounts or max(counts, default=0)

    local_aws = LocalAWSClient.start(log_path=WORK / "localaws.log")
    try:
        print(f"local AWS at {local_aws.url}; forks={args.compare_forks}; regions {', '.join(regions)}", flush=True)
        runs = [run for count in counts for run in compare(local_aws, count, args.compare_forks, regions=regions)]
        by_region = []
        if len(regions) > 1 and region_count:
            by_region = regions_runs(local_aws, region_count, args.compare_forks, regions, runs)
        scale_runs, inventory_peaks, ansible_peaks = scale(local_aws, scale_counts, args.compare_forks,
                                                           regions=regions, compared=runs)
        scaled = scaling(local_aws, args.scaling_accounts, forks_list, regions=regions) if forks_list else []
    finally:
        local_aws.stop()

    sections = []
    if runs:
        sections += [
            "### Same end state, side by side: (a) protonkit.accounts, (b) amazon.aws, (c) the boto3 floor\n\n"
            + comparison_table(runs),
            "### Ratios: (b)/(a), the distance from the amazon.aws way to ours, and (a)/(c), from ours to the floor\n\n"
            + ratio_table(runs),
        ]
    sections.append("### Targets of issue 17, computed from the figures\n\n"
                    + targets_table(runs, by_region, scale_runs, inventory_peaks))
    if runs:
        sections.append("### Where (a)'s distance to the floor goes\n\n" + breakdown_table(runs) + "\n\n"
                        + BREAKDOWN_NOTES)
    if by_region:
        sections.append("### The cost of a region: (a) with one region and with all of them\n\n"
                        + regions_table(by_region))
    if scale_runs:
        sections.append("### (a) at scale, fresh and rerun\n\n" + scale_table(scale_runs)
                        + "\n\nMemory per account:\n\n" + memory_statement(scale_runs, inventory_peaks, ansible_peaks))
    if scaled:
        sections.append("### protonkit.accounts scaling with forks\n\n" + scaling_table(scaled))
    profiled = [run for run in runs if run.phase == "fresh" and run.variant != FLOOR and run.accounts == min(counts)]
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
