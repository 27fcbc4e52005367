"""Request dependencies: settings, the Celery client, the serving view, upstream calls."""

from __future__ import annotations

from typing import Annotated

from celery import Celery
from fastapi import Depends, Request

from recommender.config import Settings
from recommender.serving import Serving
from recommender.upstream import Upstream


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_celery(request: Request) -> Celery:
    celery: Celery = request.app.state.celery
    return celery


def get_serving(request: Request) -> Serving:
    serving: Serving = request.app.state.serving
    return serving


def get_upstream(request: Request) -> Upstream:
    upstream: Upstream = request.app.state.upstream
    return upstream


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
CeleryDep = Annotated[Celery, Depends(get_celery)]
ServingDep = Annotated[Serving, Depends(get_serving)]
UpstreamDep = Annotated[Upstream, Depends(get_upstream)]
