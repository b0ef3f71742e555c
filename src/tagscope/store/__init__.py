"""The post store."""

from .store import Store, default_path

__all__ = ["Store", "default_path"]
