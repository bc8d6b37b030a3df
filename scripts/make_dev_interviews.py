"""Generate the chaptering development interviews (a development tool; needs espeak-ng).

    python scripts/make_dev_interviews.py [OUT_DIR]      # default bench/work/dev/

writes ``dev-NN-<topic>.mp3`` and ``dev-NN-<topic>.truth.json`` for each interview below.
``python -m bench.chapters --set dev`` transcribes them and scores the chapters against the
truth.

This is the **tuning** set. The evaluation interviews (``make_eval_interviews.py``) exist
to measure the chaptering code on interviews it was not tuned on, so every weight,
threshold, cue and question-bank wording is adjusted against these interviews (and the
sample interview) only, and the evaluation set is run once at the end.

So that the two sets measure different things, these scripts share nothing with the
evaluation scripts or with ``pipeline/chapters/questions.toml``: other services and
people, other espeak-ng voices, and questions worded afresh. Likewise, wordings added to
the question bank while tuning must not be copied from here, or this set stops telling
how the bank does on wording it has never seen. Between them the interviews cover:

* every question asked at least three times, in different words and orders, with
  different questions skipped in each interview;
* terse interviewers ("Toolkit?", "Nerve?") and long set-ups that bury the question;
* questions put as statements ("Something must have backfired along the way.") and as
  requests ("Talk me through ...");
* follow-ups that share words with other questions ("Rules like that exist for a reason,
  though?"), an interviewer restating a question the interviewee did not follow, and an
  interviewee asking what a question means;
* interviewees who repeat the question before answering, and questions revisited later
  after a signpost ("I want to go back to the rules", "Going back to the committee");
* chatter before and after the interview proper, long silences (5-8 s), two same-gender
  pairs, one fast and one slow pair, one interview with no closing and closings worded in
  ways other than "thank you for your time".

Every interview lasts 2-4 minutes. Output is deterministic: the same scripts, voices and
pauses give the same audio and truth files.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from interviews import (  # noqa: E402  (scripts/ is not a package)
    CLOSING, FOLLOWUP, INTERVIEWEE, INTERVIEWER, Pauses, ScriptedInterview, Turn, Voice, generate_set, set_cli,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "work" / "dev"

Q, A = INTERVIEWER, INTERVIEWEE


@dataclass(frozen=True)
class DevInterview(ScriptedInterview):
    """One development interview."""

    pauses: Pauses = Pauses(lead_in=1.0, between=(0.9, 0.7, 1.2, 0.8, 1.0, 0.6, 1.1), tail=2.0)


# 1. Volunteer-run parks: chatter before the start, a follow-up, a 5 s silence before an
#    answer, a closing that asks for last words without "anything else".
PARKS = DevInterview(
    "dev-01-parks",
    Voice("en-gb-scotland+f4", speed=155, pitch=62),
    Voice("en-029+m2", speed=150, pitch=35),
    (
        Turn(Q, "Sorry, let me put my phone on silent. Right. Is that red light on? Yes, we're going."),
        Turn(A, "I think so. Shall I just start talking?"),
        Turn(Q, "Please do. Introduce yourself for the listeners."),
        Turn(A, "I'm Desmond Clarke. I coordinate the volunteer groups who now look after eleven parks in "
                "Fairhaven, after the council's grounds team was cut in half."),
        Turn(Q, "Whose goodwill did you depend on, and how did you win it over time?", question="relationships"),
        Turn(A, "The allotment holders and the dog walkers, believe it or not. They were in the parks every "
                "single day. I went to their committee meetings and mostly kept quiet for the first few "
                "months. When they saw that we actually mended the broken gate they had been complaining "
                "about for years, they started to come to us."),
        Turn(Q, "Did you end up doing things you weren't officially permitted to do?", question="rules"),
        Turn(A, "Oh yes. Volunteers weren't supposed to use power tools, and they weren't supposed to plant "
                "anything that wasn't on the approved list. We trained a handful of people properly and let "
                "them use the strimmers. And we planted fruit trees, which caused a bit of a stir."),
        Turn(Q, "Why fruit trees?", question=FOLLOWUP),
        Turn(A, "Because children pick the apples, and a child who has picked an apple from a tree doesn't "
                "snap that tree."),
        Turn(Q, "Who did you answer to? Was there a board keeping an eye on all this, and did it make life "
                "easier or harder?", question="governance"),
        Turn(A, "There's a parks partnership board, chaired by a councillor. In the early days it met every "
                "quarter and wanted a risk register for everything. It made us slow. Now it meets less "
                "often and trusts the groups to run themselves, and that has helped a great deal."),
        Turn(Q, "Tell me about a time it really didn't work.", question="setbacks"),
        Turn(A, "The summer festival. We planned it for a year, and it rained for three days solid. We lost "
                "money and we lost some volunteers too. We learned not to put all our energy into one big "
                "event. Now we run lots of little ones.", pause_before=5.0),
        Turn(Q, "When you were worn out, what kept you turning up?", question="resilience"),
        Turn(A, "The people. There's an old man who sits on the same bench every morning and tells me which "
                "birds he has seen. And I learned to say no sometimes, which I was terrible at."),
        Turn(Q, "We're nearly done. Is there anything you'd like to say that we haven't covered?",
             question=CLOSING),
        Turn(A, "Only that anyone can do this. You don't need permission to pick up litter."),
        Turn(Q, "Desmond, thank you."),
        Turn(A, "Thank you."),
    ),
)

# 2. Waste collection: a terse interviewer, seven one- or two-word questions, an
#    interviewee who asks what a question means.
RECYCLING = DevInterview(
    "dev-02-recycling",
    Voice("en-us+m8", speed=160, pitch=30),
    Voice("en-gb-x-gbcwmd+f1", speed=160, pitch=66),
    (
        Turn(Q, "Okay, we're live. Kofi, over to you."),
        Turn(A, "Thanks. I'm Kofi Boateng, and I run waste and recycling for Dunmere district. We moved "
                "forty thousand homes to a new collection system in a single year."),
        Turn(Q, "Guiding principle?", question="thinking"),
        Turn(A, "Make the right thing the easy thing. If recycling is harder than throwing something in the "
                "black bin, people won't do it, however much they care about the planet. So every decision "
                "started with a resident standing at their back door with a yoghurt pot in their hand."),
        Turn(Q, "Toolkit?", question="methods"),
        Turn(A, "Sorry, do you mean software, or ways of working?"),
        Turn(Q, "Ways of working.", question=FOLLOWUP),
        Turn(A, "Behavioural insights, mostly. Nudges, like a sticker on the lid that said most of your "
                "neighbours recycle. And we ran trial rounds in three streets before changing the whole "
                "district."),
        Turn(Q, "Paperwork?", question="bureaucracy"),
        Turn(A, "Endless. Every new bin had to go through a procurement framework that took nine months. We "
                "got the finance team to let us order a pilot batch from an existing contract, which was "
                "allowed, but nobody had ever done it."),
        Turn(Q, "Mistakes?", question="setbacks"),
        Turn(A, "We got the calendar wrong. We sent out leaflets with the wrong collection days for a whole "
                "estate, and nobody's bins were emptied for two weeks. The lesson was to let residents check "
                "their own day online before the change, not after."),
        Turn(Q, "Fallout?", question="reactions"),
        Turn(A, "The chief executive was calm. She asked what we'd do next time and then let us get on with "
                "it. The local paper was less kind, but inside the council nobody went looking for a head "
                "to roll."),
        Turn(Q, "Nerve?", question="confidence"),
        Turn(A, "I'd done it before, in a smaller place, so I knew it could work. That helps. You're less "
                "frightened of a cliff you've already jumped off."),
        Turn(Q, "Great. Thanks, Kofi, we'll wrap up there.", question=CLOSING),
        Turn(A, "Cheers."),
    ),
)

# 3. Fire service prevention visits: long set-ups before the question, an interviewee who
#    repeats the question, a follow-up, and a signposted revisit of rules.
FIRE = DevInterview(
    "dev-03-fire",
    Voice("en-gb-x-rp+m3", speed=150, pitch=40),
    Voice("en-us+f4", speed=158, pitch=68),
    (
        Turn(Q, "Good afternoon. Today I'm with Station Manager Ellen Price, whose crews started visiting "
                "older people at home to prevent fires, rather than just putting them out."),
        Turn(A, "Hello, thanks for having me. That's right. Most of the people who die in house fires are "
                "over seventy and live alone, so we decided to go and find them first."),
        Turn(Q, "Firefighters are used to being the ones who turn up with sirens. Knocking on doors to check "
                "smoke alarms and chat about medication is a very different job. How did you persuade the "
                "crews that it was worth doing?", question="engagement"),
        Turn(A, "How did I persuade them? With the numbers, and with one story. A crew had been to a fire "
                "where a woman died, and two weeks earlier a neighbour had asked us to visit her. I asked "
                "the crews whether they would rather go round for a cup of tea or go round in breathing "
                "apparatus. Nobody argued after that."),
        Turn(Q, "You were crossing into work that belonged to social care and the health service. Were there "
                "policies you had to quietly step around?", question="rules"),
        Turn(A, "Yes. Strictly, we weren't allowed to share a person's details with their doctor without a "
                "formal agreement, which took months. We asked people's permission on the doorstep and "
                "passed it on the same day. We also fitted door locks, which isn't a fire job at all."),
        Turn(Q, "Who did you need to make friends with for that to work?", question="relationships"),
        Turn(A, "District nurses, above all. They knew every housebound person on their patch. I went out on "
                "their rounds with them for a fortnight. After that they'd ring the station directly."),
        Turn(Q, "How did you know it was working?", question=FOLLOWUP),
        Turn(A, "Referrals. We went from a handful a month to about two hundred."),
        Turn(Q, "Was there a particular model or piece of research that you leaned on?", question="methods"),
        Turn(A, "We used a risk scoring tool developed by another fire service, and we borrowed the idea of "
                "making every contact count from public health. Every visit covered falls, warmth and scams "
                "as well as smoke alarms."),
        Turn(Q, "I want to go back to the rules for a second. Did anyone ever pull you up for stepping "
                "outside your remit?", question="rules"),
        Turn(A, "Once, an auditor did, about the door locks. We showed him the fall in burglaries on the "
                "estates we had visited, and he wrote it up as good practice instead."),
        Turn(Q, "Ellen, that's a perfect place to stop. Thank you so much.", question=CLOSING),
        Turn(A, "My pleasure."),
    ),
)

# 4. Fostering: two female voices, an interviewee who does not follow a question and an
#    interviewer who rewords it (no new chapter), no closing.
FOSTERING = DevInterview(
    "dev-04-fostering",
    Voice("en-gb+f1", speed=150, pitch=42),
    Voice("en-us+f5", speed=168, pitch=80),
    (
        Turn(Q, "Right, I think we're recording. Can you say a few words so I can check the levels?"),
        Turn(A, "Testing, testing. My name is Hannah Whitfield and I'm slightly nervous."),
        Turn(Q, "That's fine, you sound great. So Hannah, you run fostering recruitment for the county."),
        Turn(A, "I do. Five years ago we were losing more foster carers than we recruited each year. Now we "
                "recruit about sixty new households a year."),
        Turn(Q, "What was the idea that everything else hung on?", question="thinking"),
        Turn(A, "Sorry, I'm not sure what you mean."),
        Turn(Q, "I mean, what was the belief that shaped your decisions, the thing you kept coming back to?",
             question="thinking"),
        Turn(A, "Oh, I see. That carers are our colleagues, not our customers. We used to treat them as "
                "people we assessed and inspected. We started treating them as part of the team, with a say "
                "in how the service is run."),
        Turn(Q, "What did that look like day to day?", question=FOLLOWUP),
        Turn(A, "Carers came to our team meetings. They chose their own training. And we paid them on time, "
                "which sounds obvious, but we hadn't been."),
        Turn(Q, "Which guidelines did you disregard?", question="rules"),
        Turn(A, "The approval panel was only meant to meet once a month, so a family could wait six weeks "
                "for a decision after they had finished the assessment. We held extra panels whenever we "
                "had a family ready. Technically that wasn't in the terms of reference."),
        Turn(Q, "Tell me about the forms. I've heard the assessment is enormous.", question="bureaucracy"),
        Turn(A, "It's about seventy pages. We couldn't change the national form, but we stopped asking "
                "people to fill it in themselves. A social worker writes it up from conversations, so it "
                "feels like being listened to instead of being examined."),
        Turn(Q, "When did it all go pear-shaped?", question="setbacks"),
        Turn(A, "When we ran a big advertising campaign on the buses. It cost a fortune and brought in "
                "almost nobody. The carers we recruited all came because another carer had told them about "
                "us. So now we pay our carers a small fee for every friend they bring."),
        Turn(Q, "How did your director take it when the bus campaign flopped?", question="reactions"),
        Turn(A, "She laughed, to be honest. She said at least we had found out quickly. She didn't make us "
                "feel stupid, and she let us move the rest of the budget to the carer referral scheme."),
    ),
)

# 5. A mental health crisis cafe: a question put as "I'd love to hear about ...", a
#    7 s silence before a signposted question, a two-male pair.
CRISIS = DevInterview(
    "dev-05-crisis",
    Voice("en-us+m6", speed=165, pitch=48),
    Voice("en-gb-scotland+m1", speed=150, pitch=26),
    (
        Turn(Q, "Thanks for coming in, Sanjay. Could you start by telling us what the crisis cafe is?"),
        Turn(A, "Of course. I'm Sanjay Mehta. The crisis cafe is a place people can walk into in the "
                "evening, instead of going to accident and emergency, when their mental health is at "
                "breaking point. It's run jointly by the health trust and a local charity."),
        Turn(Q, "I'd love to hear about the people you had to bring with you, and how you earned their faith "
                "in you.", question="relationships"),
        Turn(A, "The police, surprisingly. Officers were spending whole nights in emergency departments with "
                "people in distress. I rode along on a few night shifts. Once they saw we could take someone "
                "off their hands within twenty minutes, they became our biggest champions."),
        Turn(Q, "Was that scary?", question=FOLLOWUP),
        Turn(A, "A bit. One night a man threw a chair. But the officers looked after me."),
        Turn(Q, "Brilliant. Moving on. The cafe opened before the trust had formally approved it, I believe. "
                "Where did you find the boldness to do that?", question="confidence", pause_before=7.0),
        Turn(A, "I'd seen too many people sent home from emergency departments at three in the morning. "
                "Honestly, I thought the bigger risk was waiting. And I had a clinical director who said she "
                "would take the flak if it went wrong."),
        Turn(Q, "Did you cut any corners with the official procedures to open on time?", question="rules"),
        Turn(A, "We didn't have a formal referral route, which every service is supposed to have. People "
                "just walked in. And we employed peer workers who had been patients themselves, without the "
                "qualifications the job description asked for."),
        Turn(Q, "What approaches informed how the cafe was designed?", question="methods"),
        Turn(A, "Co-production, mostly. We designed it with people who had used crisis services, right down "
                "to the colour of the walls. And we used a recovery model, which focuses on hope and control "
                "rather than symptoms."),
        Turn(Q, "Who held you to account, and did the reporting arrangements speed you up or hold you back?",
             question="governance"),
        Turn(A, "We had a joint committee between the trust and the charity. At first it wanted monthly "
                "reports with forty indicators. We cut that to five that mattered, and the meetings became "
                "about people, not spreadsheets."),
        Turn(Q, "What got you out of bed on the worst days?", question="resilience"),
        Turn(A, "Knowing the cafe would be full that evening. And my running club. I run five kilometres "
                "every Saturday morning, whatever the weather, and I never think about work while I'm doing "
                "it."),
        Turn(Q, "Lovely. Sanjay, it's been a real pleasure. Thank you.", question=CLOSING),
        Turn(A, "Thanks for having me."),
    ),
)

# 6. Flood resilience: the interviewee repeats the first question, a bare "And then?"
#    follow-up, a question that names its topic only in passing, a closing thank-you.
FLOODS = DevInterview(
    "dev-06-floods",
    Voice("en-gb+m2", speed=155, pitch=50),
    Voice("en-us+f1", speed=150, pitch=66),
    (
        Turn(Q, "Okay, we're recording. Morning, Olu."),
        Turn(A, "Morning. I'm Olu Adeyemi. I lead the flood resilience programme for the valley villages, "
                "where we've had four serious floods in ten years."),
        Turn(Q, "Where did things fall apart?", question="setbacks"),
        Turn(A, "Where did things fall apart? In the first winter. We gave every village flood wardens and "
                "radios, and then the river rose at two in the morning and half the wardens were asleep with "
                "the radios switched off. We learned to set up phone trees instead, which wake people up."),
        Turn(Q, "And then?", question=FOLLOWUP),
        Turn(A, "And then we practised. Every October we run a rehearsal at night."),
        Turn(Q, "Did anyone get blamed for the radios?", question="reactions"),
        Turn(A, "No. The parish councils were cross, but the area manager from the environment agency stood "
                "up at the public meeting and said it was a shared failure. That made it possible to talk "
                "about what happened honestly."),
        Turn(Q, "Who were you answerable to, formally?", question="governance"),
        Turn(A, "A regional flood committee, and each parish council. Nine different bodies. Getting them "
                "all to agree the same plan took a year. In the end we wrote one plan with a page for each "
                "village, and each parish only had to approve its own page."),
        Turn(Q, "You've got a lot of farmers round there. How did you get them on your side?",
             question="relationships"),
        Turn(A, "By letting them tell us where the water goes. They have farmed that land for generations. "
                "We pay them to hold water on their fields in a flood, so it's worth their while, and they "
                "meet the villages twice a year now."),
        Turn(Q, "And how did you explain the plan to the villages so that people would actually take part?",
             question="engagement"),
        Turn(A, "We stopped holding meetings in the village hall with slides. We walked the streets with a "
                "marker and showed people how high the water came last time, on their own front doors. "
                "Volunteers signed up on the spot."),
        Turn(Q, "How did you get through the planning and consent processes for the barriers?",
             question="bureaucracy"),
        Turn(A, "Slowly. Every barrier needed planning permission, a flood risk assessment, and listed "
                "building consent in two of the villages. We got the planning officers out to walk the river "
                "with us, and after that they put our applications at the top of the pile."),
        Turn(Q, "Last one from me. When it got really hard, what kept you at it?", question="resilience"),
        Turn(A, "A knock on the door after the last flood, when a woman told me her house had stayed dry for "
                "the first time in twenty years. I'll keep going on that for a long while."),
        Turn(Q, "Olu, thanks so much for talking to me.", question=CLOSING),
        Turn(A, "Thanks."),
    ),
)

# 7. Welfare advice in surgeries: questions as requests and statements, a follow-up that
#    shares words with the rules question, a 6 s silence before an answer, a slow pair.
BENEFITS = DevInterview(
    "dev-07-benefits",
    Voice("en-us-nyc+f1", speed=150, pitch=60),
    Voice("en-gb+m8", speed=142, pitch=38),
    (
        Turn(Q, "Hi Maria, thanks for making the time. Could you tell us about yourself?"),
        Turn(A, "Hi. I'm Maria Santos. I manage a welfare rights team that sits inside doctors' surgeries, "
                "so people can get advice about money and debt where they already go."),
        Turn(Q, "Talk me through the bits of guidance you chose to ignore.", question="rules"),
        Turn(A, "The biggest one was data. We weren't supposed to see anything in the medical record. "
                "Doctors started writing a referral note in the record instead, with the patient's consent, "
                "so we could see why they had been sent."),
        Turn(Q, "Rules like that exist for a reason, though, don't they?", question=FOLLOWUP),
        Turn(A, "They do, and we were very careful. But the reason was protecting patients, and patients "
                "told us they wanted us to have the information."),
        Turn(Q, "What was the evidence or theory behind putting advisers in surgeries?", question="methods"),
        Turn(A, "There's good research showing that money worries make health worse, and the social "
                "determinants of health is the bigger idea behind it. We also ran a simple plan, do, study, "
                "act cycle in each surgery before spreading it."),
        Turn(Q, "Something must have backfired along the way.", question="setbacks"),
        Turn(A, "It did. We put an adviser in a surgery without asking the receptionists, and they felt we "
                "had been dumped on them. For months they didn't refer anyone. Now we always start by "
                "spending a week with the reception team.", pause_before=6.0),
        Turn(Q, "How did the practice managers react when they found out?", question="reactions"),
        Turn(A, "One of them was furious and wanted us gone. But the partners in the practice backed us, and "
                "they asked us to try again with the receptionists involved. Nobody wrote anything down "
                "against us."),
        Turn(Q, "You were a welfare adviser telling doctors how to run their surgeries. Where did that "
                "boldness come from?", question="confidence"),
        Turn(A, "From the patients. I had a file of letters from people who had got thousands of pounds they "
                "were owed. It's hard to argue with that."),
        Turn(Q, "How did you make the case to the doctors so that they wanted you there?",
             question="engagement"),
        Turn(A, "We talked about their time, not our targets. If a patient's debt is sorted, they stop "
                "coming back every week about their sleep and their stress. The doctors could feel that in "
                "their appointment books within a couple of months."),
        Turn(Q, "That's all from me. Maria, thank you.", question=CLOSING),
        Turn(A, "Thank you, that was fun."),
    ),
)

# 8. Planning: two male voices, a question buried in a long set-up, a signposted revisit
#    of governance, a setbacks question worded as regret.
PLANNING = DevInterview(
    "dev-08-planning",
    Voice("en-gb-x-gbcwmd+m6", speed=150, pitch=44),
    Voice("en-us+m1", speed=155, pitch=24),
    (
        Turn(Q, "So we're recording now. Welcome, Gareth. You turned around one of the slowest planning "
                "departments in the country."),
        Turn(A, "Thanks. I'm Gareth Lloyd, head of planning at Castlebridge. When I arrived, a simple house "
                "extension took five months to get a decision. Now it takes six weeks."),
        Turn(Q, "Five months for a kitchen extension is a long time for a family to wait. Applicants were "
                "furious, councillors were getting complaints every week, and the officers felt like they "
                "were drowning. Where did you begin, and what did you have to cut through to speed things "
                "up?", question="bureaucracy"),
        Turn(A, "The consultation process. Every application went out to eleven internal consultees, and "
                "most of them never replied, so we waited the full three weeks for nothing. We cut the list "
                "to the three that mattered for each type of application."),
        Turn(Q, "Who sat over you, and what did the committee structure mean for the work?",
             question="governance"),
        Turn(A, "The planning committee decides the big applications, and it met monthly. Anything a single "
                "councillor objected to went to committee. We agreed new rules with the chair so that only "
                "objections on planning grounds would trigger it, and the committee's agenda halved."),
        Turn(Q, "What was your guiding star through all this?", question="thinking"),
        Turn(A, "That a planning decision is a service to a person, not a legal document. We rewrote our "
                "letters in plain English, and we picked up the phone before refusing anything."),
        Turn(Q, "Did you worry about your own job when you started changing things, and why did you push "
                "ahead anyway?", question="confidence"),
        Turn(A, "I did worry. But I had just come from a department that worked well, so I knew the problem "
                "wasn't the law, it was us. Knowing that made me much braver than I naturally am."),
        Turn(Q, "Going back to the committee for a moment. Did the chair stay on your side when the "
                "complaints started?", question="governance"),
        Turn(A, "Mostly. There was one meeting where a councillor tried to have the new rules scrapped, and "
                "the chair ruled him out of order. I bought her a very good bottle of wine at Christmas."),
        Turn(Q, "Is there anything you'd undo, if you could?", question="setbacks"),
        Turn(A, "The software. We bought a new case management system in the middle of the change, and for "
                "three months nobody could find anything. I would never change the system and the process "
                "at the same time again."),
        Turn(Q, "Gareth, we'll leave it there. Thank you.", question=CLOSING),
        Turn(A, "Thank you."),
    ),
)

# 9. A museum: a fast pair, short answers, generic follow-ups, a reactions question that
#    names the board of trustees.
MUSEUM = DevInterview(
    "dev-09-museum",
    Voice("en-gb+f4", speed=175, pitch=58),
    Voice("en-us+m5", speed=175, pitch=40),
    (
        Turn(Q, "Lovely, we're off. Tell me who you are."),
        Turn(A, "I'm Chloe Baptiste, and I'm the community curator at the Harbour Museum. We hand our "
                "galleries over to local groups to curate their own exhibitions."),
        Turn(Q, "What was the thinking behind handing over the galleries?", question="thinking"),
        Turn(A, "That a museum belongs to the people whose stories it tells. For a hundred years we decided "
                "what mattered about the docks. The dockers' families had never been asked."),
        Turn(Q, "What does that mean in practice?", question=FOLLOWUP),
        Turn(A, "A group gets a gallery for six months, a budget, and a curator who does what they're told."),
        Turn(Q, "Who did you have to win round?", question="relationships"),
        Turn(A, "Our own curators, first. Some of them felt we were giving away their expertise. We paired "
                "each one with a community group, and most of them now say it's the best work they've done."),
        Turn(Q, "Did you have to rip up the museum's rulebook at all?", question="rules"),
        Turn(A, "We let visitors touch some of the objects, which went against our collections policy. We "
                "chose objects that could take it, and we wrote our own handling guidance."),
        Turn(Q, "Was there a body of practice you drew from, or did you make it up as you went?",
             question="methods"),
        Turn(A, "Participatory practice, which lots of museums talk about. And we borrowed a lot from "
                "community organising, especially the idea of one to one conversations before any group "
                "meeting."),
        Turn(Q, "What crashed and burned?", question="setbacks"),
        Turn(A, "A gallery about the football club. The group fell out with each other halfway through, and "
                "the exhibition opened with empty cases. We learned to agree how decisions get made before "
                "anyone touches an object."),
        Turn(Q, "And how did your trustees respond to the empty cases?", question="reactions"),
        Turn(A, "Better than I expected. The chair of trustees came to the opening and said an honest empty "
                "case was better than a dishonest full one. That line ended up in our annual report."),
        Turn(Q, "Chloe, thank you very much, that was a joy.", question=CLOSING),
        Turn(A, "Thank you!"),
    ),
)

# 10. Refugee employment: noise and an 8 s silence before the start, an interviewee who
#     repeats the question, a question put as "there must have been moments ...", chatter
#     after the closing.
SKILLS = DevInterview(
    "dev-10-skills",
    Voice("en-us+m2", speed=140, pitch=45),
    Voice("en-gb-x-rp+f3", speed=145, pitch=62),
    (
        Turn(Q, "One moment, there's a lorry reversing outside."),
        Turn(A, "No rush."),
        Turn(Q, "Okay, that's better. Welcome, Yusuf. You built an employment programme for refugees in "
                "Linford.", pause_before=8.0),
        Turn(A, "Thank you. I'm Yusuf Haddad. Our programme helps refugees with qualifications, doctors, "
                "engineers, teachers, to get back into the work they trained for."),
        Turn(Q, "Did you have any allies early on, and how did you get them to believe in you?",
             question="relationships"),
        Turn(A, "Did I have allies? The chamber of commerce, and a hospital trust that was short of staff. I "
                "invited their managers to meet the people we worked with, face to face. Once an employer "
                "has met a refugee surgeon working in a car wash, you don't need to persuade them any "
                "further."),
        Turn(Q, "How did you convince the wider workforce, the recruiters and the line managers, that this "
                "was worth their effort?", question="engagement"),
        Turn(A, "We talked about shortages, not charity. Every hospital was short of nurses. We showed them "
                "we had nurses. That's a very different conversation from asking for a favour."),
        Turn(Q, "What about the qualification recognition process? That's notoriously slow.",
             question="bureaucracy"),
        Turn(A, "It is. Getting an overseas qualification recognised could take two years and cost thousands "
                "of pounds. We found funding for the fees, and we persuaded the professional bodies to let "
                "people start supervised work while their papers were checked."),
        Turn(Q, "There must have been moments when you wanted to walk away. What kept you in it?",
             question="resilience"),
        Turn(A, "The people. And my own story, if I'm honest. My father was an engineer who drove a taxi for "
                "twenty years after we came here. I didn't want that for anyone else."),
        Turn(Q, "Finally, looking back, what would you have done differently?", question="setbacks"),
        Turn(A, "I would have involved employers from the very start. We spent the first year training "
                "people for jobs that didn't exist locally. That was the biggest mistake and the most useful "
                "lesson."),
        Turn(Q, "Yusuf, thank you so much for your time.", question=CLOSING),
        Turn(A, "Thank you. Oh, and can I just say hello to my mum? She'll be listening."),
        Turn(Q, "Of course!"),
    ),
)

INTERVIEWS: tuple[DevInterview, ...] = (
    PARKS, RECYCLING, FIRE, FOSTERING, CRISIS, FLOODS, BENEFITS, PLANNING, MUSEUM, SKILLS,
)


def generate(out_dir: Path, *, only_missing: bool = False) -> list[Path]:
    """Render every interview into ``out_dir``; returns the audio paths."""
    return generate_set(INTERVIEWS, out_dir, only_missing=only_missing)


def main(argv: list[str] | None = None) -> int:
    return set_cli(argv, what="development", default_out=DEFAULT_OUT, generate=generate)


if __name__ == "__main__":
    sys.exit(main())
