"""SoundStream Analytics Python SDK."""

from soundstream._version import __version__

__all__ = ["__version__"]
