"""The jury's capture simulation, larger: `uv run python bench/jury_bench.py [--users N] [--cases M]`.

Runs `agora.jury.simulation.simulate` (the real jury code: sortition, gold, counting, circuit breaker, staff
escalation) on a throwaway in-memory SQLite database migrated from scratch, prints one table per split
(50/50, 70/30, 90/10 by default) with the naive Parler-like baseline, then the wall time per split and per
reported post. Defaults: 300 users, 600 reported posts, seed 1 (the README's table). Exits non-zero when the
jury misses the acceptance bar at the 90/10 split: any incitement visible after 24 h, or >= 2 % of the
minority's lawful posts wrongly removed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agora.settings")
os.environ["DATABASE_URL"] = "sqlite://:memory:"
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--splits", default="50/50,70/30,90/10")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--partisan", type=float, default=0.6)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from agora.jury import simulation

    call_command("migrate", verbosity=0, interactive=False)
    behaviour = simulation.Behaviour(partisan=args.partisan)
    print(
        f"Jury capture simulation: {args.users} users, {args.cases} reported posts, seed {args.seed}, "
        f"partisan share {behaviour.partisan:.0%}\n"
    )
    failed = False
    for split in simulation.parse_splits(args.splits):
        started = time.perf_counter()
        result = simulation.run_split(
            users=args.users, cases=args.cases, split=split, seed=args.seed, behaviour=behaviour
        )
        seconds = time.perf_counter() - started
        print(result.table())
        print(f"\nwall time {seconds:.1f} s ({1000 * seconds / args.cases:.0f} ms per reported post)\n")
        if split == (90, 10):
            failed = result.jury.incitement_visible > 0 or result.jury.minority_lawful_removed_share >= 0.02
    if failed:
        sys.exit("The 90/10 split misses the acceptance bar (see the table).")


if __name__ == "__main__":
    main()
