"""Trained recommendation models and the training pipeline.

The models are generated from the gateway's OpenAPI document (``_generated.py``).
"""

from soundstream.types._generated import (
    AlgorithmMetrics,
    Model,
    ModelQuality,
    Pipeline,
    PipelineStep,
)

__all__ = [
    "AlgorithmMetrics",
    "Model",
    "ModelQuality",
    "Pipeline",
    "PipelineStep",
]
