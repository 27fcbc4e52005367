"""SoundStream gateway: the one public API."""

__version__ = "0.1.0"
