"""Operator tooling for SoundStream: migrate, import, generate, download, run locally."""
