"""HTTP layer of the recommender: thin routes over :mod:`recommender.services`."""
