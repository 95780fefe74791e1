"""Run every benchmark in bench/ (files named bench_*.py); each writes its JSON under bench/results/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main() -> int:
    failures = []
    for script in sorted(BENCH_DIR.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        completed = subprocess.run([sys.executable, str(script), *sys.argv[1:]], check=False)
        if completed.returncode != 0:
            failures.append(script.name)
    if failures:
        print(f"benchmarks that failed to run: {', '.join(failures)}", file=sys.stderr)
        return 1
    print(f"results in {BENCH_DIR / 'results'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
