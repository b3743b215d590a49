"""The whole test tree collects in one pytest run (``pytest tests``): no two test modules share a file name. The
directories have no ``__init__.py``, so pytest imports each test module by its file name alone."""

import collections
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_two_test_modules_share_a_name():
    names = collections.Counter(path.name for path in TESTS.rglob("test_*.py"))
    assert sorted(name for name, count in names.items() if count > 1) == []
