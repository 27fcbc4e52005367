"""The write path: the Celery app, the training graph and its steps, publishing a model."""
