"""IntoWork: the recruitment platform backend."""

__version__ = "1.0.0"
