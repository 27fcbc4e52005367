"""Request and response models of the recommender API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

Source = Literal["model", "fallback", "popularity", "popularity-no-model", "seeds"]


class ReasonRead(BaseModel):
    kind: Literal["listened", "friends", "tags", "popular"]
    strength: float = Field(description="In [0, 1]; comparable within a kind.")
    text: str = Field(examples=["because you listen to artist 51"])
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


class Recommendations(BaseModel):
    user_id: int | None = None
    source: Source = Field(
        description="`model`: the published model; `fallback`: a user the model has no "
        "listens for, answered from what their friends play, then the tags they use, then "
        "popularity (each item's reason says which); `popularity`: only the popularity list "
        "had an answer; `popularity-no-model`: no model published yet; `seeds`: from the "
        "given seed artists and/or tags."
    )
    model_version: str | None = None
    generated_at: datetime | None = Field(None, description="When the model was trained.")
    items: list[RecommendedArtist]


class Neighbour(BaseModel):
    id: int
    score: float


class Similar(BaseModel):
    id: int
    model_version: str
    items: list[Neighbour]


class FeedbackCreate(BaseModel):
    artist_id: int = Field(ge=1)
    kind: Literal["hide", "dislike"]


class FeedbackRead(FeedbackCreate):
    user_id: int
    created_at: datetime


class ColdStartRequest(BaseModel):
    seed_artists: list[int] = Field(
        default_factory=list, max_length=100, description="Artists the listener likes."
    )
    seed_tags: list[int] = Field(
        default_factory=list, max_length=20, description="Tag ids the listener likes."
    )
    exclude: list[int] = Field(default_factory=list, max_length=1000)
    k: int = Field(10, ge=1, le=100)
    explain: bool = Field(False, description="Include each item's reasons.")

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
    fit_seconds: float


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
    metrics: list[AlgorithmRead]


class RetrainAccepted(BaseModel):
    task_id: str
    status_url: str


class TaskRead(BaseModel):
    task_id: str
    state: str = Field(description="Celery state: PENDING, STARTED, SUCCESS, FAILURE, ...")
    steps: dict[str, str] = Field(description="State of each pipeline step of the run.")
    result: dict[str, Any] | None = None
    error: str | None = None


class PipelineStep(BaseModel):
    id: str
    task: str
    description: str
    parallel: bool = False


class PipelineRead(BaseModel):
    steps: list[PipelineStep]
    edges: list[tuple[str, str]]
    mermaid: str
