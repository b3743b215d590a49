"""ansible-playbook's resident memory task by task: where (a)'s peak grows with the number of accounts.

    .venv/bin/python benchmarks/memory_by_task.py                       # N = 20 and 80, three regions, 20 forks
    .venv/bin/python benchmarks/memory_by_task.py --accounts 10,40 --regions us-east-1

For each account count, one fresh run of playbooks/bootstrap.yml in new accounts of one local AWS, as
bootstrap_benchmark.py runs (a), with ansible-playbook's own resident memory (VmRSS, and RssAnon, the part that is
not mapped from files) read from /proc every 50 ms. A task's figure is the highest value seen from its banner to the
next banner. Prints, per task, that figure at each count and its growth per account between the first count and
the last, then the same for the whole run. It measures and prints; it asserts nothing.
"""

import argparse
import collections
import subprocess
import threading
import time

from bootstrap_benchmark import WORK, LocalAWSClient, new_accounts, variant_command, variant_environment, write_workdir

BANNER_PREFIXES = ("PLAY [", "TASK [")


def memory_kib(pid):
    """(VmRSS, RssAnon) of a process in KiB, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            fields = dict(line.split(":", 1) for line in status)
        return int(fields["VmRSS"].split()[0]), int(fields["RssAnon"].split()[0])
    except (OSError, KeyError, ValueError):
        return None


def sampled_run(command, env, cwd):
    """Run ``command``; return its banners as (seconds, text) and its memory as (seconds, rss KiB, anon KiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                               text=True)
    samples, done = [], threading.Event()

    def sample():
        while not done.wait(0.05):
            memory = memory_kib(process.pid)
            if memory:
                samples.append((time.perf_counter() - started, *memory))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    banners, tail = [], collections.deque(maxlen=40)
    for line in process.stdout:
        tail.append(line)
        if line.startswith(BANNER_PREFIXES):
            banners.append((time.perf_counter() - started, line.split("]", 1)[0] + "]"))
    process.wait()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"ansible-playbook failed (rc {process.returncode}):\n{''.join(tail)}")
    return banners, samples


def peaks_by_banner(banners, samples):
    """{(banner, nth time it was seen): (peak rss KiB, peak anon KiB)} from each banner to the next."""
    peaks, seen = {}, {}
    for (start, banner), (end, _next) in zip(banners, banners[1:] + [(float("inf"), None)]):
        inside = [sample for sample in samples if start <= sample[0] < end]
        seen[banner] = seen.get(banner, 0) + 1
        if inside:
            peaks[(banner, seen[banner])] = (max(s[1] for s in inside), max(s[2] for s in inside))
    return peaks


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default="20,80", help="account counts, one fresh run each")
    parser.add_argument("--regions", default="us-east-1,eu-west-1,ap-southeast-2", help="Proton regions")
    parser.add_argument("--forks", type=int, default=20)
    args = parser.parse_args()
    counts = sorted(int(value) for value in args.accounts.split(",") if value)
    regions = [value.strip() for value in args.regions.split(",") if value.strip()]

    local_aws = LocalAWSClient.start(log_path=WORK / "memory-localaws.log")
    try:
        runs = {}
        for count in counts:
            workdir = WORK / f"memory-by-task-{count}"
            inventory = write_workdir(workdir, new_accounts(local_aws, count), regions)
            command = variant_command("protonkit", inventory, workdir, args.forks)
            runs[count] = sampled_run(command, variant_environment(local_aws, args.forks, workdir), workdir)
    finally:
        local_aws.stop()

    first, last = counts[0], counts[-1]
    peaks = {count: peaks_by_banner(*runs[count]) for count in counts}

    def per_account(low, high):  # one count alone: no growth to divide
        return (high - low) / max(last - first, 1)

    header = " | ".join(f"RSS MiB, N = {count}" for count in counts)
    print(f"| task | {header} | KiB per account (RSS) | KiB per account (anonymous) |")
    print("|---|" + "---:|" * (len(counts) + 2))
    for key in peaks[last]:
        if all(key in peaks[count] for count in counts):
            figures = " | ".join(f"{peaks[count][key][0] / 1024:.1f}" for count in counts)
            print(f"| {key[0]} | {figures} | {per_account(peaks[first][key][0], peaks[last][key][0]):.0f} | "
                  f"{per_account(peaks[first][key][1], peaks[last][key][1]):.0f} |")
    whole = {count: max(sample[1] for sample in runs[count][1]) for count in counts}
    figures = " | ".join(f"{whole[count] / 1024:.1f}" for count in counts)
    print(f"| **whole run** | {figures} | {per_account(whole[first], whole[last]):.0f} | |")


if __name__ == "__main__":
    main()
