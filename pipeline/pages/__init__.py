"""The static transcript site: show page, episode pages, question library.

``render_site`` writes it into ``site/``; ``remove_stale`` deletes the folders of
episodes that are no longer published. Templates and static files ship with the
package and a workspace can override any of them from its ``templates/`` folder.
"""

from .render import MARKER, TEMPLATES_DIR, make_environment, remove_stale, render_site

__all__ = ["MARKER", "TEMPLATES_DIR", "make_environment", "remove_stale", "render_site"]
