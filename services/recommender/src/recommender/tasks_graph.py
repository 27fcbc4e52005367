"""The training DAG as data: what ``GET /pipeline`` shows (mirrors :mod:`recommender.tasks`)."""

from __future__ import annotations

from typing import Any

from recommender.pipeline.training import SPACES

PIPELINE_STEPS: list[dict[str, Any]] = [
    {
        "id": "snapshot",
        "task": "recommender.retrain",
        "description": "Take the single-flight lock, download the listening export; stop when "
        "its version equals the current model's and the model is younger than its TTL.",
    },
    {
        "id": "matrices",
        "task": "recommender.matrices",
        "description": "Sparse user x artist matrix, seeded test and validation holdouts.",
    },
    *[
        {
            "id": f"train:{name}",
            "task": "recommender.train",
            "description": f"Tune {name} on the validation split.",
            "parallel": True,
        }
        for name in SPACES
    ],
    {
        "id": "evaluate",
        "task": "recommender.evaluate",
        "description": "Blend weights on validation, test metrics, refit on all data, "
        "precompute top-N, similar artists and users.",
    },
    {
        "id": "publish",
        "task": "recommender.publish",
        "description": "Record version and metrics, write versioned Redis keys, flip the "
        "current-version pointer, delete older keys.",
    },
]

PIPELINE_EDGES: list[tuple[str, str]] = [
    ("snapshot", "matrices"),
    *[("matrices", f"train:{name}") for name in SPACES],
    *[(f"train:{name}", "evaluate") for name in SPACES],
    ("evaluate", "publish"),
]


def mermaid() -> str:
    """The DAG as a mermaid flowchart."""
    lines = ["flowchart LR"]
    for source, target in PIPELINE_EDGES:
        lines.append(f"    {_node(source)} --> {_node(target)}")
    return "\n".join(lines)


def _node(step: str) -> str:
    return f'{step.replace(":", "_")}["{step}"]'
