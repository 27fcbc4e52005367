"""Every analytics router, in the order they appear in the API documentation."""

from __future__ import annotations

from fastapi import APIRouter

from analytics.api import extractors, quality, queries

ROUTERS: tuple[APIRouter, ...] = (extractors.router, queries.router, quality.router)
