"""Time `agora seed` on a fresh SQLite database: `uv run python bench/seed_bench.py [--users N] [--posts M]`.

Migrates a new data directory (in a temporary folder unless --data-dir is given), runs
`agora seed --users N --posts M --seed S --verbosity 0` there and prints the wall time of the seeding alone.
Defaults to the documented target: 10,000 accounts and 200,000 posts.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, help="Keep the database here (must not exist yet).")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="agora-seed-bench-") as scratch:
        data_dir = args.data_dir or Path(scratch) / "data"
        if data_dir.exists():
            sys.exit(f"{data_dir} exists already; the benchmark needs a fresh data directory.")
        env = {**os.environ, "AGORA_DATA_DIR": str(data_dir)}
        env.pop("DATABASE_URL", None)  # always SQLite, in the fresh data directory
        agora = [sys.executable, "-m", "agora.cli"]
        subprocess.run([*agora, "migrate", "--verbosity", "0"], env=env, check=True)
        started = time.perf_counter()
        subprocess.run(
            [
                *agora,
                "seed",
                "--users",
                str(args.users),
                "--posts",
                str(args.posts),
                "--seed",
                str(args.seed),
                "--verbosity",
                "0",
            ],
            env=env,
            check=True,
        )
        elapsed = time.perf_counter() - started
        size_mib = (data_dir / "agora.sqlite3").stat().st_size / 2**20
    print(
        f"agora seed --users {args.users} --posts {args.posts}: {elapsed:.1f} s wall time "
        f"(SQLite, {size_mib:.0f} MiB, {os.cpu_count()} CPUs)"
    )


if __name__ == "__main__":
    main()
