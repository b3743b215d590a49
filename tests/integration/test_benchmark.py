"""The benchmark's three variants (benchmarks/bootstrap_benchmark.py) stay comparable: same end state, idempotent.

No timing is asserted here (figures live in docs/performance.md); this keeps the benchmark from rotting and checks
that protonkit.accounts' bootstrap.yml, the amazon.aws playbook and the boto3 floor really build the same accounts,
and that a rerun of each writes nothing. One account, one region: it is part of make test's time budget.
"""

import importlib.util
import sys

from integration.ansible_runs import REPO

# A script of benchmarks/, not a package: loaded from its file (registered, so that its dataclasses resolve).
_SPEC = importlib.util.spec_from_file_location("bootstrap_benchmark", REPO / "benchmarks" / "bootstrap_benchmark.py")
bootstrap_benchmark = sys.modules.setdefault("bootstrap_benchmark", importlib.util.module_from_spec(_SPEC))
_SPEC.loader.exec_module(bootstrap_benchmark)


def test_the_variants_and_the_floor_build_the_same_accounts_and_rerun_without_writes(local_aws, tmp_path):
    runs = bootstrap_benchmark.compare(local_aws, 1, forks=1, work=tmp_path)  # exits unless the end states match

    by_key = {(run.variant, run.phase): run for run in runs}
    assert set(by_key) == {(variant, phase) for variant in bootstrap_benchmark.VARIANTS for phase in ("fresh", "rerun")}
    assert bootstrap_benchmark.FLOOR in bootstrap_benchmark.VARIANTS
    for variant in bootstrap_benchmark.VARIANTS:
        assert by_key[(variant, "fresh")].writes > 0 and by_key[(variant, "fresh")].changed_tasks > 0, variant
        assert by_key[(variant, "rerun")].writes == 0, variant
    for variant in ("protonkit", bootstrap_benchmark.FLOOR):  # amazon.aws' sts_assume_role always reports changed
        assert by_key[(variant, "rerun")].changed_tasks == 0, variant
    # The floor enters the account once and reads it once: it never calls more than the others.
    floor = by_key[(bootstrap_benchmark.FLOOR, "rerun")]
    assert floor.calls <= by_key[("protonkit", "rerun")].calls
    # Module processes are seen: amazon.aws's run as processes, ours in the task's worker (module_in_worker.py).
    assert by_key[("amazon.aws", "fresh")].module_processes > 0
    assert floor.module_processes == 0 and by_key[("protonkit", "fresh")].module_processes == 0

    table = bootstrap_benchmark.comparison_table(runs)
    assert table.count("\n") == len(runs) + 1
    ratios = bootstrap_benchmark.ratio_table(runs)
    assert ratios.count("×") == 2 * 6  # (b)/(a) and (a)/(c), wall, CPU and calls, fresh and rerun
    assert "not measured" in bootstrap_benchmark.targets_table(runs, [])  # N = 50 was not run
    assert bootstrap_benchmark.breakdown_table(runs).count("\n") == 3
