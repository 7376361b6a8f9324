"""The front door: `import deeprg` against `import numpy` (fresh interpreters), and strict `write_json` against
plain `json.dumps` (which would write non-standard NaN/Infinity) on a per-layer array at depth 10^6.

Run: .venv/bin/python benchmarks/bench_frontdoor.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import best_time, record  # noqa: E402

from deeprg.results import split_arrays, write_json  # noqa: E402

TARGET_IMPORT_RATIO = 2.0  # import deeprg may cost at most about twice import numpy


def import_seconds(module: str, repeat: int = 7) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(repeat))


def main() -> None:
    rows = {}
    numpy_s, deeprg_s = import_seconds("numpy"), import_seconds("deeprg")
    rows["import numpy (s, best of 7 fresh interpreters)"] = numpy_s
    rows["import deeprg (s)"] = deeprg_s
    rows["import deeprg / import numpy (target <= 2)"] = deeprg_s / numpy_s
    spec_s = import_seconds("deeprg; deeprg.NetworkSpec")
    rows["import deeprg + first deeprg.NetworkSpec (s)"] = spec_s
    rows["import deeprg + NetworkSpec / import numpy"] = spec_s / numpy_s

    mean_h = np.random.default_rng(0).random((1_000_000, 1, 1))
    payload = {"log_z": 1.0, "xi": float("inf"), "mean_h": mean_h}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        baseline = best_time(lambda: (out / "plain.json").write_text(json.dumps(
            {"log_z": 1.0, "xi": float("inf"), "mean_h": mean_h.tolist()})), repeat=3)
        ours = best_time(lambda: write_json(out / "result.json", split_arrays(payload, out, ["mean_h"])), repeat=3)
        rows["json.dumps of mean_h at depth 10^6 (s, baseline, not strict)"] = baseline
        rows["write_json + arrays.npz at depth 10^6 (s)"] = ours
        rows["speed-up of ours over the baseline"] = baseline / ours
        rows["result.json bytes: baseline"] = (out / "plain.json").stat().st_size
        rows["result.json bytes: ours"] = (out / "result.json").stat().st_size
    record("frontdoor", rows)


if __name__ == "__main__":
    main()
