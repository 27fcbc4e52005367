"""What the recommender's requests share: the chassis' state with the recommender's settings,
and what its start-up adds (the training graph's jobs, the model store's views, the upstream
client and the hot read)."""

from __future__ import annotations

from dataclasses import dataclass, field

from recommender.config import Settings
from recommender.serving.hot import HotPath
from recommender.serving.views import Serving
from recommender.upstream import Upstream
from soundstream_common.app import ServiceState
from soundstream_taskgraph import Jobs


@dataclass(kw_only=True, eq=False)
class RecommenderState(ServiceState):
    settings: Settings
    jobs: Jobs = field(init=False)
    """The training graph bound to the Celery app, and the run history."""
    serving: Serving = field(init=False)
    """The published model's views, read from the model store (Redis, else the artefact)."""
    upstream: Upstream = field(init=False)
    hot: HotPath = field(init=False)
    """The in-memory read of users' precomputed lists (:mod:`recommender.serving.hot`)."""
