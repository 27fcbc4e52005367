"""Recommender service: collaborative models of artists for users, with offline evaluation."""

__version__ = "0.1.0"
