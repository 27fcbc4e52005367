"""``/models``: start a retrain, list the published versions, the one serving now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from recommender.dependencies import JobsDep
from recommender.schemas import ModelRead
from recommender.services import models as service
from recommender.training.jobs import start_training
from soundstream_common.app import SessionDep
from soundstream_taskgraph.schemas import RunAccepted

router = APIRouter(tags=["models"])


@router.post(
    "/models/retrain",
    name="retrain",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RunAccepted,
    summary="Start a run of the training graph (409 while a run is in progress)",
    description="The run is followed at `/jobs/runs/{run_id}`. By default the TTL rule "
    "applies: a step whose definition (code, parameters) and inputs are unchanged keeps its "
    "last result, so with the same data and code nothing is retrained and the serving model "
    "stays (`publish` answers `unchanged`); `force=true` retrains every step anyway.",
    responses={409: {"description": "A run is in progress."}},
)
def retrain(
    jobs: JobsDep,
    response: Response,
    force: Annotated[
        bool, Query(description="Retrain even when the data and the code are unchanged.")
    ] = False,
) -> RunAccepted:
    accepted = start_training(jobs, force=force)
    response.headers["Location"] = accepted.status_url
    return accepted


@router.get("/models", name="list", response_model=list[ModelRead], summary="Published versions")
def list_models(session: SessionDep) -> list[ModelRead]:
    return service.list_models(session)


@router.get(
    "/models/current",
    name="current",
    response_model=ModelRead,
    summary="The version serving now",
    responses={404: {"description": "No model published yet."}},
)
def current_model(session: SessionDep) -> ModelRead:
    return service.current_model(session)
