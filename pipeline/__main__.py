"""``python -m pipeline`` runs the learncast command line."""

from .cli import main

main(prog_name="learncast")
