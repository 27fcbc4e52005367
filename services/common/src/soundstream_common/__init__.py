"""Service chassis shared by every SoundStream service."""
