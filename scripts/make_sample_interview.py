"""Regenerate the sample interview that ships in media/ (a development tool; needs espeak-ng).

    python scripts/make_sample_interview.py

writes media/sample-interview.mp4, media/sample-interview.truth.json and
media/sample-interview.toml. The script, voices and pauses are fixed here, so a rerun
gives the same files. The wording of every question is our own paraphrase of the
reflective question set; the order is shuffled, three questions are skipped
(confidence, bureaucracy, methods) and one follow-up probes the "rules" answer.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from interviews import (  # noqa: E402  (scripts/ is not a package)
    CLOSING, FOLLOWUP, INTERVIEWEE, INTERVIEWER, Pauses, TitleCard, Turn, Voice, make_interview,
)

from pipeline.fsutil import write_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "media"
OUT = MEDIA / "sample-interview.mp4"

SHOW = "Learning from Change"
INTERVIEWEE_NAME = "Helen Ward"
ROLE = "Head of Hospital Discharge, Northfield City Council"
INTERVIEWER_NAME = "Sam Carter"

VOICES = {
    # A low US male voice asks; a higher British female voice answers: far apart in pitch
    # and timbre, so speaker clustering has a fair chance. Both measured well with tiny.en.
    INTERVIEWER: Voice("en-us+m1", speed=155, pitch=35),
    INTERVIEWEE: Voice("en-gb+f3", speed=155, pitch=60),
}

Q, A = INTERVIEWER, INTERVIEWEE

SCRIPT = [
    Turn(Q, "Hello, and welcome to Learning from Change. I'm Sam Carter. Would you like to "
            "introduce yourself?"),
    Turn(A, "Thanks, Sam. My name is Helen Ward, and I lead the hospital discharge team at "
            "Northfield City Council. For two years I've been working to get people home from "
            "hospital sooner."),
    Turn(Q, "Let's start with what steered you. What idea sat behind your decisions?",
         question="thinking"),
    Turn(A, "The idea was simple. Nobody should stay in a hospital bed a day longer than they need "
            "to. Patients told us they wanted to sleep in their own bed, so we tested every choice "
            "against that."),
    Turn(Q, "Who did you need on your side, and how did you earn their trust?",
         question="relationships"),
    Turn(A, "The ward nurses mattered most. I spent my first month on the wards, just listening. "
            "Trust came when we fixed the small things they told us about, and quickly."),
    Turn(Q, "Were there any rules you had to bend or ignore to get this working?",
         question="rules"),
    Turn(A, "Yes. The rule was that nobody could go home until a full care assessment had been done "
            "on the ward. We started doing that assessment at home instead."),
    Turn(Q, "Can you give me an example?", question=FOLLOWUP),
    Turn(A, "One man had been waiting eleven days for an assessment. We sent him home that "
            "afternoon and assessed him in his kitchen the next morning. He needed far less help "
            "than the ward had guessed."),
    Turn(Q, "Tell me about something that didn't go to plan. What did you take from it?",
         question="setbacks"),
    Turn(A, "A woman went home on a Friday, and her care visits did not start until Monday. Her "
            "daughter found her on the floor. She recovered, but now someone phones every patient "
            "on their first evening at home."),
    Turn(Q, "How did the people around you respond to that? Did you feel free to learn, or pushed "
            "to fix it fast?", question="reactions"),
    Turn(A, "Some people wanted the whole thing stopped. My director asked us to share what "
            "happened openly instead. After that, the team started reporting near misses they "
            "would have hidden before."),
    Turn(Q, "How did you describe the change so that people wanted to be part of it?",
         question="engagement"),
    Turn(A, "We stopped saying discharge and talked about getting people home. We told a real story "
            "at every meeting. People who didn't care about numbers cared a lot about a man getting "
            "home in time for his granddaughter's birthday."),
    Turn(Q, "What boards or sign-off processes were you working inside, and did they help or get "
            "in the way?", question="governance"),
    Turn(A, "We reported to a joint board of the council and the hospital. At first every change "
            "needed a paper and a month of waiting. Later the board gave us a small budget to spend "
            "without asking, and it became our best defender."),
    Turn(Q, "Last one. What kept you going when it all felt too hard?", question="resilience"),
    Turn(A, "Honestly, the people we got home. I kept a list of their first names on my desk, and "
            "on bad days I read it."),
    Turn(Q, "Helen, thank you so much for sharing your story with us today.", question=CLOSING),
    Turn(A, "Thank you for having me, Sam. It was a pleasure."),
]

PAUSES = Pauses(lead_in=1.5, between=(0.8, 1.0, 0.7, 1.1, 0.9, 0.6, 1.2), tail=1.5)

SIDECAR = f'''\
# The sample interview: synthetic speech made by scripts/make_sample_interview.py.
title = "Getting people home from hospital"
interviewee = "{INTERVIEWEE_NAME}"
role = "{ROLE}"
interviewer = "{INTERVIEWER_NAME}"
date = "2026-11-02"
description = "{INTERVIEWEE_NAME} on rebuilding hospital discharge: earning the trust of ward nurses, assessing people at home instead of on the ward, and what a weekend without care visits taught the team."
consent = "public"
'''


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    truth = make_interview(SCRIPT, OUT, voices=VOICES, pauses=PAUSES,
                           card=TitleCard(SHOW, INTERVIEWEE_NAME))
    write_text(OUT.with_suffix(".toml"), SIDECAR)
    size = OUT.stat().st_size
    print(f"{OUT.relative_to(ROOT)}: {truth['duration']:.1f} s, {size / 1e6:.2f} MB, "
          f"{len(truth['chapters'])} chapters, {len(truth['turns'])} turns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
