"""Learncast: turn recorded interviews into a podcast feed and a transcript site.

Stages: ingest → transcribe → chapter → publish. See README.md.
"""

__version__ = "0.1.0"
