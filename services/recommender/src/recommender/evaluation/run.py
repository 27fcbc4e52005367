"""Command line: run the offline experiment on the HetRec files and print the results table.

``python -m recommender.evaluation.run --data-dir DIR --seed 42 [--json FILE]``
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from recommender.evaluation.data import default_data_dir, load_hetrec
from recommender.evaluation.experiment import BLEND_NAME, EvaluationReport, run_experiment


def _format_params(params: dict[str, object]) -> str:
    return ", ".join(
        f"{key}={value:g}" if isinstance(value, float) else f"{key}={value}"
        for key, value in params.items()
    )


def format_report(report: EvaluationReport) -> str:
    """The results as a Markdown table plus the comparison and the timings."""
    k = report.k
    lines = [
        f"| algorithm | val NDCG@{k} | P@{k} | R@{k} | NDCG@{k} | coverage | popular@{k}"
        " | trials | tune s | fit s | configuration |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report.results:
        label = f"{r.name} (baseline)" if r.is_baseline else r.name
        lines.append(
            f"| {label} | {r.validation_ndcg:.4f} | {r.test.precision:.4f} | {r.test.recall:.4f}"
            f" | {r.test.ndcg:.4f} | {r.test.coverage:.4f} | {r.test.popular_share:.3f}"
            f" | {r.trials} | {r.tuning_seconds:.1f}"
            f" | {r.fit_seconds:.1f} | {_format_params(r.params)} |"
        )
    best = report.result(report.best_baseline)
    blend = report.result(BLEND_NAME)
    lines += [
        "",
        f"Evaluated users: {blend.test.users}. Best baseline: {best.name}"
        f" (NDCG@{k} {best.test.ndcg:.4f}); blend {blend.test.ndcg:.4f}"
        f" ({report.improvement:+.1%}).",
        "Seconds: " + ", ".join(f"{name} {value:.1f}" for name, value in report.seconds.items()),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the experiment, print the table (and write JSON if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    cpu_started = time.process_time()
    snapshot = load_hetrec(args.data_dir)
    load_seconds = time.perf_counter() - started
    report = run_experiment(snapshot, seed=args.seed)
    print(format_report(report))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Load {load_seconds:.1f} s; total {time.perf_counter() - started:.1f} s wall,"
        f" {time.process_time() - cpu_started:.1f} s CPU; peak RSS {peak_mb:.0f} MB."
    )
    if args.json:
        args.json.write_text(json.dumps(report.as_dict(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
