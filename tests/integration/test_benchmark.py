"""The benchmark's two variants (benchmarks/bootstrap_benchmark.py) stay comparable: same end state, idempotent.

No timing is asserted here (figures live in docs/performance.md); this keeps the benchmark from rotting and checks
that protonkit.accounts' bootstrap.yml and the amazon.aws playbook really build the same accounts.
"""

import sys

from integration.conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import bootstrap_benchmark  # noqa: E402  pylint: disable=wrong-import-position


def test_both_variants_build_the_same_accounts_and_rerun_without_writes(local_aws, tmp_path):
    runs = bootstrap_benchmark.compare(local_aws, 1, forks=1, work=tmp_path)  # exits unless the end states match

    by_key = {(run.variant, run.phase): run for run in runs}
    assert set(by_key) == {(variant, phase) for variant in bootstrap_benchmark.VARIANTS for phase in ("fresh", "rerun")}
    for variant in bootstrap_benchmark.VARIANTS:
        assert by_key[(variant, "fresh")].writes > 0 and by_key[(variant, "fresh")].changed_tasks > 0
        assert by_key[(variant, "rerun")].writes == 0, variant
    table = bootstrap_benchmark.comparison_table(runs)
    assert table.count("\n") == len(runs) + 1
    assert "×" in bootstrap_benchmark.ratio_table(runs)
