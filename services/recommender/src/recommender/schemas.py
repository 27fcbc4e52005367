"""Request and response models of the recommender API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator

from recommender.serving.rules import EXPLAIN_DEFAULT, K_DEFAULT, K_MAX, K_MIN
from soundstream_common.ids import MAX_ID

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

Source = Literal["model", "fold-in", "fallback", "popularity", "popularity-no-model", "seeds"]


class ReasonRead(BaseModel):
    kind: Literal["listened", "friends", "tags", "popular"]
    strength: float = Field(description="In [0, 1]; comparable within a kind.")
    text: str = Field(
        description="The reason in words (through the gateway, naming the artists cited).",
        examples=["because you listen to Duran Duran, Depeche Mode"],
    )
    artists: list[int] = Field(default_factory=list, description="Artists the reason cites.")
    users: list[int] = Field(default_factory=list, description="Friends the reason cites.")
    tags: list[int] = Field(default_factory=list, description="Tags the reason cites.")


class RecommendedArtist(BaseModel):
    artist_id: int
    score: float = Field(description="Model score; comparable within one answer only.")
    listened: bool = Field(False, description="The user already listens to this artist.")
    reasons: list[ReasonRead] | None = Field(
        None,
        description="Present when explain=true, and always in a `fallback` answer (where the "
        "one reason is what put the artist there).",
    )


class UnknownSeeds(BaseModel):
    """Seeds given by a name nothing has: left out of the answer, not an error."""

    artists: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class Recommendations(BaseModel):
    user_id: int | None = None
    source: Source = Field(
        description="`model`: the published model's precomputed list; `fold-in`: the "
        "published models scoring the user's current listens (they changed since it was "
        "trained, or the user is new to it); `fallback`: a user the model has no "
        "listens for, answered from what their friends play, then the tags they use, then "
        "popularity (each item's reason says which); `popularity`: only the popularity list "
        "had an answer; `popularity-no-model`: no model published yet; `seeds`: from the "
        "given seed artists and/or tags."
    )
    model_version: str | None = None
    generated_at: datetime | None = Field(None, description="When the model was trained.")
    items: list[RecommendedArtist]
    unknown_seeds: UnknownSeeds | None = Field(
        None, description="Seed names that match no artist or tag (seed answers only)."
    )


class Neighbour(BaseModel):
    id: int
    score: float = Field(description="Similarity (higher is closer).")


class ArtistNeighbour(Neighbour):
    """An artist similar to the one asked about."""


class UserNeighbour(Neighbour):
    """A user whose taste is close to the one asked about."""


class SimilarArtists(BaseModel):
    id: int = Field(description="The artist asked about.")
    model_version: str
    items: list[ArtistNeighbour]


class SimilarUsers(BaseModel):
    id: int = Field(description="The user asked about.")
    model_version: str
    items: list[UserNeighbour]


class FeedbackCreate(BaseModel):
    artist_id: int = Field(ge=1, le=MAX_ID)
    kind: Literal["hide", "dislike"]


class FeedbackRead(FeedbackCreate):
    user_id: int
    created_at: datetime


class FeedbackList(BaseModel):
    """A user's feedback, newest first (through the gateway each item names its artist)."""

    user_id: int
    items: list[FeedbackRead]


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Seed(BaseModel):
    """A seed with a weight: by ``id`` or by ``name`` (one of them)."""

    model_config = ConfigDict(extra="forbid")

    id: Id | None = None
    name: Name | None = Field(None, description="Matched ignoring letter case and accents.")
    weight: float = Field(1.0, gt=0, le=100, description="How much it counts (default 1).")

    @model_validator(mode="after")
    def _id_or_name(self) -> Seed:
        if (self.id is None) == (self.name is None):
            raise ValueError("give a seed's id or its name (one of them)")
        return self


SeedRef = Id | Name | Seed
"""A seed: an id, a name, or an object with either and a weight."""


class ColdStartRequest(BaseModel):
    seed_artists: list[SeedRef] = Field(
        default_factory=list,
        max_length=100,
        description="Artists the listener likes: ids, names, or `{id|name, weight}`.",
        examples=[["Daft Punk", 1001, {"name": "Air", "weight": 2}]],
    )
    seed_tags: list[SeedRef] = Field(
        default_factory=list,
        max_length=20,
        description="Tags the listener likes: ids, values, or `{id|name, weight}`.",
        examples=[["jazz", {"name": "acid jazz", "weight": 0.5}]],
    )
    exclude: list[Id] = Field(default_factory=list, max_length=1000)
    k: int = Field(K_DEFAULT, ge=K_MIN, le=K_MAX)
    explain: StrictBool = Field(EXPLAIN_DEFAULT, description="Include each item's reasons.")

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["seed_artists"], "properties": {"seed_artists": {"minItems": 1}}},
                {"required": ["seed_tags"], "properties": {"seed_tags": {"minItems": 1}}},
            ]
        }
    )

    @model_validator(mode="after")
    def _some_seed(self) -> ColdStartRequest:
        if not self.seed_artists and not self.seed_tags:
            raise ValueError("give at least one seed artist or seed tag")
        return self


class AlgorithmRead(BaseModel):
    algorithm: str
    baseline: bool
    params: dict[str, Any]
    validation_ndcg: float
    precision_at_10: float
    recall_at_10: float
    ndcg_at_10: float
    coverage: float
    popular_share_at_10: float | None = Field(
        None, description="Share of its top-10 lists among the 100 most played artists."
    )
    fit_seconds: float


class ModelQuality(BaseModel):
    """The published blend on the test split of the data the service trained on."""

    ndcg_at_10: float = Field(description="The blend's NDCG@10.")
    lift_over_als: float | None = Field(
        None, description="The blend's NDCG@10 over the tuned ALS's, minus 1 (0.05 = +5%)."
    )
    coverage: float = Field(description="Share of the catalogue in the test users' top 10.")
    popular_share_at_10: float | None = Field(
        None, description="Share of the top-10 lists among the 100 most played artists."
    )


class ModelRead(BaseModel):
    version: str
    current: bool
    algorithm: str
    configuration: dict[str, Any]
    dataset_version: int
    dataset_etag: str
    n_users: int
    n_artists: int
    training_seconds: float
    trained_at: datetime
    best_baseline: str | None
    quality: ModelQuality | None = Field(
        None, description="The published blend's test metrics (absent without a blend row)."
    )
    metrics: list[AlgorithmRead]


class PipelineStep(BaseModel):
    id: str = Field(description="The step's name in the training graph.")
    task: str = Field(description="The Celery task that runs it.")
    description: str
    depends_on: list[str] = Field(default_factory=list)
    parallel: bool = Field(False, description="It runs beside the other steps of its level.")


class PipelineRead(BaseModel):
    """The training graph as declared (and as run): steps in order, edges, Mermaid."""

    graph: str = Field(description="The graph's name in the jobs API.")
    steps: list[PipelineStep]
    edges: list[tuple[str, str]]
    mermaid: str
