"""The publish stage: turns transcribed, chaptered recordings into ``site/``.

* :mod:`.episodes` – the driver: which recordings may be published, what changed.
* :mod:`.media` – loudness-normalised MP3 and MP4, ID3 tags and chapters, poster frames.
* :mod:`.artwork` – show artwork: validate the configured picture, or draw one.
* :mod:`.feed` – ``feed.xml`` / ``video.xml`` (Apple, Podcasting 2.0, Podlove chapters).
* :mod:`.podcast20` – the feedgen extensions the feed is written with.
* :mod:`.reading_packs` – a Word document per interview and per question.

Submodules are imported where used, so importing the package stays cheap.
"""
