"""Bombs cost bounded memory: the peak RSS of a fresh process that loads each one stays
under 2 GB (the issue's bound for any input under 50 MB compressed), and each is refused or
skipped with a message naming it.

One subprocess loads every bomb in turn (imports are paid once) and prints its peak RSS
after each, from ``resource.getrusage`` (``ru_maxrss``, KiB on Linux).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.hostile.builders import HEADER
from tests.hostile.builders import N
from tests.hostile.builders import deflate_repeated
from tests.hostile.builders import gzip_repeated
from tests.hostile.builders import many_members
from tests.hostile.builders import police
from tests.hostile.builders import row
from tests.hostile.builders import zip_bytes
from tests.hostile.builders import zip_raw_member

ROOT = Path(__file__).resolve().parents[2]
#: The issue's bound on peak memory for any input under 50 MB compressed.
MAX_RSS_BYTES = 2 * 1024 ** 3
ROWS = (police([row(i) for i in range(N)], header=HEADER).split("\n", 1)[1]).encode()
MEMBER = "2022-01/2022-01-test-street.csv"

_SCRIPT = r"""
import json, resource, sys
from hotspots.io import load_crimes
from hotspots.errors import HotspotsError
for path in sys.argv[1:]:
    try:
        crimes, report = load_crimes(path)
        outcome = f"loaded {len(crimes)} rows; notes: {' '.join(report.notes)}"
    except HotspotsError as exc:
        outcome = f"refused: {exc}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"path": path, "outcome": outcome, "peak": peak}), flush=True)
"""


def _bombs(folder: Path) -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, what the outcome must say)."""
    block = ROWS * 5_500  # 10 MB of valid rows, about 53 kB deflated
    line = b"," * 20_000_000
    head = (HEADER + "\n").encode()
    deflated = deflate_repeated(block, 300)  # 3 GB of rows in 16 MB
    return {
        # gzip members repeated: 4 GB of valid rows in 21 MB (each member 190 to 1)
        "2022-01-a-street.csv.gz": (gzip_repeated(head + block, 400), "zip bomb"),
        # one zip member, its size told: refused before a byte is decompressed
        "told.zip": (zip_raw_member(MEMBER, deflated, file_size=0xFFFFFFFE), "zip bomb"),
        # the same member lying about its size (10 kB): zipfile stops there (bad CRC)
        "lying.zip": (zip_raw_member(MEMBER, deflated, file_size=10_000), "damaged"),
        # the case: a 19 kB zip holding one 20 MB line of commas (7.1 GB before)
        "line.zip": (zip_bytes([(MEMBER, head + line)]), "zip bomb"),
        "line-stored.zip": (zip_bytes([(MEMBER, head + line)],
                                      compression=zipfile.ZIP_STORED), "line too long"),
        "2022-01-b-street.csv": (head + line * 2, "line too long"),
        "members.zip": (many_members(60_000), "60,000 members"),
    }


def test_bombs_stay_under_2_gb_and_are_named(tmp_path):
    bombs = _bombs(tmp_path)
    paths = []
    for name, (data, _) in bombs.items():
        assert len(data) < 50_000_000, (name, len(data))
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    done = subprocess.run([sys.executable, "-c", _SCRIPT, *paths], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(r["path"]).name for r in results] == list(bombs)
    for result in results:
        name = Path(result["path"]).name
        assert result["peak"] < MAX_RSS_BYTES, (name, result["peak"] / 1024 ** 2)
        print(name, round(result["peak"] / 1024 ** 2), "MiB:", result["outcome"][:300])
        assert bombs[name][1] in result["outcome"], (name, result["outcome"][:500])
        assert name.split(".")[0] in result["outcome"], (name, result["outcome"][:500])
