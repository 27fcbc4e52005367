"""The read path: the published model in Redis (or its artefact), the hot in-process copies,
and the rules that turn what the model holds into answers."""
