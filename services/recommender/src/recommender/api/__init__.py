"""HTTP routers of the recommender API."""
