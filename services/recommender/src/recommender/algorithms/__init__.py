"""Recommendation models on sparse user x artist matrices: pure numpy/scipy plus ``implicit``.

No database, broker or cache here: the training pipeline and the API call into these.
"""

from recommender.algorithms.als import ALS
from recommender.algorithms.base import Recommender
from recommender.algorithms.blend import Blend
from recommender.algorithms.ease import EASE
from recommender.algorithms.explain import Explainer, Reason, ReasonKind
from recommender.algorithms.item_knn import ItemKNN
from recommender.algorithms.matrix import IdIndex, Interactions, SideInfo, Weighting
from recommender.algorithms.popularity import Popularity
from recommender.algorithms.snapshot import Friendships, Listens, Snapshot, TagAssignments
from recommender.algorithms.social import Social
from recommender.algorithms.tags import TagProfile

__all__ = [
    "ALS",
    "EASE",
    "Blend",
    "Explainer",
    "Friendships",
    "IdIndex",
    "Interactions",
    "ItemKNN",
    "Listens",
    "Popularity",
    "Reason",
    "ReasonKind",
    "Recommender",
    "SideInfo",
    "Snapshot",
    "Social",
    "TagAssignments",
    "TagProfile",
    "Weighting",
]
