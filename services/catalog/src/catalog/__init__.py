"""Catalog service: artists, tags, tag assignments and the artist-popularity read model."""

__version__ = "0.1.0"
