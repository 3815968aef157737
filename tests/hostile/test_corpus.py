"""The generated hostile-input corpus: every case comes out as expected.

Each case (``tests/hostile/cases_*.py``) is built in a temporary folder, run, and checked by
:func:`tests.hostile.expect.run_case`: no traceback, no silent drop, no wrong count, no bad
input accepted, no hang, and every error naming the file, column, key or value.
"""

from __future__ import annotations

import pytest

from tests.hostile import cases_archives
from tests.hostile import cases_boundaries
from tests.hostile import cases_csv
from tests.hostile import cases_flags
from tests.hostile import cases_mappings
from tests.hostile import cases_values
from tests.hostile.expect import run_case

CASES = [*cases_csv.cases(), *cases_values.cases(), *cases_archives.cases(),
         *cases_mappings.cases(), *cases_boundaries.cases(),
         *cases_flags.cases()]


def test_the_corpus_is_large_and_names_are_unique():
    names = [c.name for c in CASES]
    assert len(names) >= 300
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, tmp_path):
    run_case(case, tmp_path)
