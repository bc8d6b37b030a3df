"""Generate the chaptering evaluation interviews (a development tool; needs espeak-ng).

    python scripts/make_eval_interviews.py [OUT_DIR]      # default bench/work/eval/

writes ``eval-NN-<topic>.mp3`` and ``eval-NN-<topic>.truth.json`` for each interview below.
``bench/chapters.py`` transcribes them and scores the chapters against the truth.

The scripts are written for evaluation only: the chaptering code must never be tuned on
them, or its scores here stop meaning anything. Their wording is deliberately not taken
from ``pipeline/chapters/questions.toml``. Between them they cover what real interviews do
and the sample interview does not:

* every question of the set asked at least twice, in different words and orders, with
  different questions skipped in each interview;
* small talk before the recording proper starts ("Is the microphone on?"), and long
  silences (4-8 s) before or inside answers;
* follow-up probes ("Could you say more?", "What did that feel like?") that are not new
  chapters, and an interviewee who restates the question before answering;
* questions buried at the end of a long interviewer turn, and a question revisited later
  ("Coming back to governance for a moment...");
* one interviewer who asks very short questions ("Red tape?"), one pair of two male
  voices, one fast and one slow pair, one interview with no closing;
* answers that mention other questions' words (rules, trust, support), as real ones do.

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
DEFAULT_OUT = ROOT / "bench" / "work" / "eval"

Q, A = INTERVIEWER, INTERVIEWEE


@dataclass(frozen=True)
class EvalInterview(ScriptedInterview):
    """One evaluation interview."""


# 1. Homelessness prevention: small talk and a 5 s silence before the start, an interviewee
#    who restates the question, two follow-ups.
HOUSING = EvalInterview(
    "eval-01-housing",
    Voice("en-gb+f2", speed=160, pitch=60),
    Voice("en-us+m3", speed=150, pitch=38),
    (
        Turn(Q, "Is the microphone on? Can you hear me all right?"),
        Turn(A, "Yes, I can hear you fine. The little light is green."),
        Turn(Q, "Great. Let me just pour some water. Okay, I think we're recording now."),
        Turn(Q, "Welcome to the programme. Today I'm talking with Marcus Bell, who runs the homelessness "
                "prevention service in Eastbrook. Marcus, tell us a little about what you do.",
             pause_before=5.0),
        Turn(A, "Thanks for having me. I manage a team of twelve caseworkers. Three years ago we decided to "
                "reach families before they lost their homes, rather than picking up the pieces afterwards."),
        Turn(Q, "Who did you have to get close to in order to make this work, and how did they come to rely "
                "on you?", question="relationships"),
        Turn(A, "The private landlords, mostly. They saw the council as the enemy. I started a breakfast "
                "meeting every month in a cafe near the market. No agenda, just coffee and toast. After a "
                "year, landlords were phoning us when a tenant fell behind on the rent, instead of sending "
                "an eviction notice."),
        Turn(Q, "And were there any rules you simply ignored?", question="rules"),
        Turn(A, "What rules did I break? Well, quite a few. The policy said we could only help someone once "
                "they had an eviction date. We started helping as soon as a landlord called us. Strictly "
                "speaking that was outside our remit, and the auditors told us so."),
        Turn(Q, "Could you say more?", question=FOLLOWUP),
        Turn(A, "We paid off small rent debts directly, sometimes two or three hundred pounds, without "
                "anyone signing it off. It was far cheaper than a family in a bed and breakfast."),
        Turn(Q, "What about the paperwork and the approval chains? What did you have to push through?",
             question="bureaucracy"),
        Turn(A, "The forms were the worst part. A family had to fill in a twenty page application before we "
                "could even talk to them. We cut it down to one page and filled it in with them on the "
                "doorstep. Finance wanted three signatures for every payment, so we agreed a limit below "
                "which one signature would do."),
        Turn(Q, "Tell me about a moment when it all went badly, and what it taught you.", question="setbacks"),
        Turn(A, "We lost a family. They were evicted while their case sat in somebody's inbox over "
                "Christmas, and nobody was covering the phones. We learned that a service like ours cannot "
                "simply close for the holidays. Now there is always someone on call."),
        Turn(Q, "What did that feel like?", question=FOLLOWUP),
        Turn(A, "Awful. I went to see them in the hostel and I apologised. The mother was kinder to me than "
                "I deserved."),
        Turn(Q, "When you were exhausted, what kept you going all the way to the finish?",
             question="resilience"),
        Turn(A, "My team, honestly. Every Friday one of us shared the story of a family we had kept in their "
                "home that week. On hard weeks, that story was the only thing that got me back in on Monday "
                "morning. And I learned to switch my phone off on Saturdays, which my wife had been telling "
                "me to do for years."),
        Turn(Q, "Marcus, we have to leave it there. Thank you so much for your time today.", question=CLOSING),
        Turn(A, "Thank you. I really enjoyed it."),
    ),
)

# 2. School attendance: a question at the end of a long interviewer turn, a 6 s silence
#    before an answer, thinking / methods / confidence asked back to back.
SCHOOLS = EvalInterview(
    "eval-02-schools",
    Voice("en-us+m7", speed=155, pitch=30),
    Voice("en-gb-x-rp+f5", speed=165, pitch=65),
    (
        Turn(Q, "Okay, I'm pressing record. Good morning, Priya. Thanks for coming in."),
        Turn(A, "Good morning. I'm Priya Nair, and I lead the attendance team for the schools in Harlow "
                "Vale. We work with children who have stopped coming to school altogether."),
        Turn(Q, "I want to begin with what was in your head. When you made choices about the service, what "
                "principle were you steering by?", question="thinking"),
        Turn(A, "That every absence has a reason, and the reason is rarely laziness. Fines had been our main "
                "tool for years and they changed nothing. So the guiding idea became: find out why first, "
                "and only then decide what to do."),
        Turn(Q, "Did you borrow any particular approach or theory to do that?", question="methods"),
        Turn(A, "Yes, we used a trauma informed model, and we borrowed heavily from motivational "
                "interviewing. We also ran small tests of change, a few families at a time, and measured "
                "attendance every week, so we could see quickly what worked and drop what didn't. "
                "We wrote every test on a big board in the office, with its result."),
        Turn(Q, "Stopping the fines must have been controversial. Where did your nerve come from, to go "
                "against the way things had always been done?", question="confidence"),
        Turn(A, "I had to think about that for a long time.", pause_before=1.0),
        Turn(A, "I think it came from the data. In our first pilot, attendance rose for nine families out of "
                "ten, without a single fine. Once I had that, I felt I could defend the change in front of "
                "anyone, even the head teachers who disagreed.", pause_before=6.0),
        Turn(Q, "Thank you. There was a lot of scepticism from the schools at the start, and I know you "
                "spent a great deal of time in staff rooms. How did you describe what you were doing so that "
                "teachers got behind it?", question="engagement"),
        Turn(A, "We never talked about policy. We talked about individual children. I would tell a staff "
                "room about a boy who had missed a whole term because he was caring for his mum, and ask "
                "them what they would have done. By the end of the meeting they were suggesting the "
                "changes themselves."),
        Turn(Q, "Which boards or committees did the work sit under, and did they speed you up or slow you "
                "down?", question="governance"),
        Turn(A, "We reported to the education improvement board every quarter. To begin with it slowed us "
                "down, because every pilot needed formal approval. Later the chair became a champion, and "
                "the board agreed a standing permission for any test involving fewer than twenty "
                "families. That single decision probably saved us a year."),
        Turn(Q, "That's all we have time for today. Priya, thank you.", question=CLOSING),
        Turn(A, "Thank you, it's been lovely."),
    ),
)

# 3. A library service, with an interviewer who asks very short questions.
LIBRARY = EvalInterview(
    "eval-03-library",
    Voice("en-us-nyc+m2", speed=165, pitch=45),
    Voice("en-us+f3", speed=150, pitch=70),
    (
        Turn(Q, "Ready when you are."),
        Turn(A, "Ready. I'm Ruth Okafor. I ran the library service in Millbrook when we turned three "
                "branches into community hubs with advice desks, a food bank and a baby clinic."),
        Turn(Q, "Key relationships?", question="relationships"),
        Turn(A, "The volunteers first, then the health visitors. The volunteers had run those branches for "
                "decades and were suspicious of us. I worked alongside them on the counter every Saturday "
                "for six months. Trust came from turning up, not from meetings. The health visitors "
                "were easier, because they were desperate for a warm room to weigh babies in."),
        Turn(Q, "Rules broken?", question="rules"),
        Turn(A, "Plenty. Food was banned in the library, and so was noise. We let the baby clinic sing "
                "nursery rhymes in the reading room. We also opened on Sundays without the usual staffing "
                "agreement, using volunteers. The union was not pleased, and to be fair to them, "
                "we should have talked to them sooner."),
        Turn(Q, "Red tape?", question="bureaucracy"),
        Turn(A, "Mostly buildings. Every change to the building needed a property request, a fire "
                "assessment and a landlord consent. It took eight months to move one bookcase. In the end "
                "we put shelves on wheels so we never had to ask again. The fire officer laughed when he "
                "saw them, but he signed them off."),
        Turn(Q, "Biggest mistake?", question="setbacks"),
        Turn(A, "We opened the food bank without asking the people who would use it. We put it right at the "
                "front door, and nobody came, because everyone could see them. We moved it to a side room "
                "and numbers tripled. Now we ask first, and we ask the people who "
                "don't come, not only the ones who do."),
        Turn(Q, "Reaction to that?", question="reactions"),
        Turn(A, "My manager was good about it. She said the only failure would be not noticing. Some "
                "councillors wanted someone to blame, but she kept them away from the team, and she "
                "took the phone calls from the local paper herself. That meant we could carry on "
                "experimenting instead of hiding."),
        Turn(Q, "Any frameworks?", question="methods"),
        Turn(A, "Asset based community development, mainly. You start from what a neighbourhood already "
                "has, its people and its buildings, rather than from what it lacks. We mapped every group "
                "that met within a mile of each branch, from the knitting circle to "
                "the mosque's homework club, and invited them all in."),
        Turn(Q, "Staying power?", question="resilience"),
        Turn(A, "Walking home past the hub on a Sunday and seeing the lights on. And a very stubborn "
                "streak, which I got from my grandmother. She ran a "
                "corner shop for forty years and never once closed early. When I wanted to give up, I "
                "thought about her."),
        Turn(Q, "Lovely. Thanks, Ruth, that's everything from me.", question=CLOSING),
        Turn(A, "Thanks. That was quick."),
    ),
)

# 4. Bus services: governance asked first and revisited later with a signpost.
TRANSPORT = EvalInterview(
    "eval-04-transport",
    Voice("en-gb-x-rp+f5", speed=150, pitch=55),
    Voice("en-us+m4", speed=160, pitch=35),
    (
        Turn(Q, "Hello Tom, and thank you for joining me. You redesigned the rural bus network in "
                "Westmoor. Could you introduce yourself?"),
        Turn(A, "Hello. I'm Tom Reyes, transport planning lead for Westmoor. We replaced half our fixed bus "
                "routes with buses you book by phone or app, so villages get a service when they need it."),
        Turn(Q, "To start with the structures around you. Who oversaw the project, and how did that shape "
                "what you could do?", question="governance"),
        Turn(A, "There was a transport board with councillors, the bus operators and the health trust. It "
                "met every two months. It gave us legitimacy, but two months is a long time when a route is "
                "failing. We learned to bring decisions to the board already tested."),
        Turn(Q, "What didn't work out?", question="setbacks"),
        Turn(A, "The booking app. We launched it first and the phone line second, and most of our older "
                "passengers never used smartphones. For six weeks the buses ran almost empty. The lesson was "
                "to launch with the least digital option, and add the app after. We also learned to "
                "ask the drivers, who had told us this would happen."),
        Turn(Q, "And when the buses were empty, how did people around you respond? Were you given room, or "
                "told to fix it fast?", question="reactions"),
        Turn(A, "The local paper called it a disaster. Internally, my director told me to take the time to "
                "understand it properly, and she answered the councillors' questions herself. That cover "
                "made all the difference."),
        Turn(Q, "How did you convince the villages to give the new buses a chance?", question="engagement"),
        Turn(A, "We rode the buses with them. For a month our team sat on board, helped people book, and "
                "listened. We also renamed the service after a competition in the primary schools. People "
                "are far kinder to a bus with a name their grandchild chose."),
        Turn(Q, "Coming back to governance for a moment. You said the board was slow. Did that ever change?",
             question="governance"),
        Turn(A, "It did. After the app trouble, the board set up a small sub group that could meet within a "
                "week and approve route changes. That group is still going, and it's the reason the service "
                "survived its first winter."),
        Turn(Q, "Last question. On the worst days, what kept you at it?", question="resilience"),
        Turn(A, "A woman in one village told me she had seen her sister for the first time in two years, "
                "because of the bus. I wrote that down and kept it in my wallet. "
                "When the budget meetings got grim, I read it out, and the room went quiet."),
        Turn(Q, "What a lovely note to end on. Thank you, Tom.", question=CLOSING),
        Turn(A, "Thank you."),
    ),
)

# 5. A health visiting team: two male voices, follow-ups, most questions skipped.
HEALTH = EvalInterview(
    "eval-05-health",
    Voice("en-gb+m1", speed=155, pitch=30),
    Voice("en-us+m7", speed=150, pitch=62),
    (
        Turn(Q, "Sorry, one second, my phone is buzzing. Right, that's off. Shall we start?"),
        Turn(A, "Yes, go ahead. I'm all set."),
        Turn(Q, "David, you changed how new parents are supported in Kingsford. What gave you the "
                "confidence to do something so different from what everyone else was doing?",
             question="confidence", pause_before=4.5),
        Turn(A, "I'd been a health visitor for fifteen years, and I knew the old model wasn't reaching the "
                "families who needed us most. The mothers who missed appointments were the ones most at "
                "risk. I was confident because I had seen the cost of doing nothing, too many times."),
        Turn(Q, "What did that feel like?", question=FOLLOWUP),
        Turn(A, "Frightening, in truth. I was putting my professional reputation on the line. But staying "
                "quiet felt worse."),
        Turn(Q, "Who were the people you had to bring close, and how did you earn their faith in you?",
             question="relationships"),
        Turn(A, "The midwives and the general practices. We had worked in separate buildings for years and "
                "barely spoke. I asked if we could share an office one day a week. Those Wednesdays built "
                "more trust than any partnership agreement ever did."),
        Turn(Q, "Did you need to step outside the official guidance?", question="rules"),
        Turn(A, "We did. The guidance said five fixed contacts for every family, at set ages. We kept the "
                "contacts but let families choose where and when, including evenings, video calls and the "
                "supermarket cafe. Officially each contact had to be at home or in clinic."),
        Turn(Q, "And which tools or models helped you design it?", question="methods"),
        Turn(A, "We used a service design approach. We mapped the journey of twelve families from pregnancy "
                "to the child's second birthday, and we found every point where someone fell through a gap. "
                "Then we used plan, do, study, act cycles to test fixes, one at a time."),
        Turn(Q, "Could you say more?", question=FOLLOWUP),
        Turn(A, "The journey maps were the key. When the midwives saw one on the wall, they saw their own "
                "part in it."),
        Turn(Q, "David, thank you very much for talking to us.", question=CLOSING),
        Turn(A, "My pleasure."),
    ),
)

# 6. A youth service: small talk, an 8 s silence before the start, an interviewee who
#    restates each question, questions after long preambles.
YOUTH = EvalInterview(
    "eval-06-youth",
    Voice("en-us+f3", speed=160, pitch=58),
    Voice("en-gb-x-gbclan+m5", speed=150, pitch=40),
    (
        Turn(Q, "Can you hear me? Is the microphone picking me up?"),
        Turn(A, "Loud and clear. Do you want me to say something for the levels?"),
        Turn(Q, "Yes please, just tell me what you had for breakfast."),
        Turn(A, "Porridge with honey, and far too much coffee."),
        Turn(Q, "Perfect, that's fine. Okay. I'm with Jamal Hughes, who rebuilt the youth service in "
                "Ashby after it lost most of its funding.", pause_before=8.0),
        Turn(A, "Hi. Yes, we went from six youth centres to one, and we had to work out how to reach young "
                "people without buildings."),
        Turn(Q, "You were asking people to give up their youth centres, which is a hard thing to sell. Your "
                "team, the parents and the young people themselves all had to accept it. How did you get "
                "everyone onside?", question="engagement"),
        Turn(A, "How did I get people onside? By letting the young people lead. They designed the detached "
                "youth work themselves and presented it to the council. Nobody argues with a fifteen year "
                "old who has done their homework."),
        Turn(Q, "I imagine there was a lot of process involved, with the contracts and the safeguarding "
                "checks and so on. What administrative hurdles did you have to get over?",
             question="bureaucracy"),
        Turn(A, "The hurdles? Mainly the checks. Every volunteer needed a background check that took three "
                "months, so we lost half of them while they waited. We persuaded human resources to let "
                "new volunteers shadow a qualified worker while the check went through."),
        Turn(Q, "What idea was at the heart of how you approached all of this?", question="thinking"),
        Turn(A, "The idea at the heart of it? Go where the young people already are. Parks, the skate park, "
                "the chicken shop on the high street. A building is only useful if they walk through the "
                "door, and most of them never did. So we bought "
                "a van, painted it with the young people, and drove it to them every evening."),
        Turn(Q, "Something must have gone wrong at some point. When it did, how did your managers and "
                "colleagues respond? Did you feel backed?", question="reactions"),
        Turn(A, "Did I feel backed? Mostly, yes. When a fight broke out at one of our park sessions, the "
                "press got hold of it. My boss stood next to me at the community meeting and said the "
                "decision had been hers as well. I won't forget that."),
        Turn(Q, "Where did you find the stamina to keep going when things were at their lowest?",
             question="resilience"),
        Turn(A, "From the young people, again. One lad sent me a message on the day he started his "
                "apprenticeship. I still have it. And from a good walk on the hills every Sunday, with "
                "my phone left at home. You can't keep other people going if you never stop yourself."),
        Turn(Q, "Jamal, thanks very much for joining us.", question=CLOSING),
        Turn(A, "Cheers, thanks for having me."),
    ),
)

# 7. Digital services: a fast pair, seven questions in an unusual order.
DIGITAL = EvalInterview(
    "eval-07-digital",
    Voice("en-us+m3", speed=170, pitch=42),
    Voice("en-gb+annie", speed=170, pitch=66),
    (
        Turn(Q, "Welcome, Anna. You led the move of Riverside council's services online. Let's jump "
                "straight in."),
        Turn(A, "Great, happy to. I'm Anna Lindqvist, head of digital at Riverside."),
        Turn(Q, "The project nearly stalled more than once. What gave you the strength to carry it to the "
                "end?", question="resilience"),
        Turn(A, "A very small team who refused to give up, and a habit of celebrating small wins. Every "
                "time a form went live we rang a bell in the office. It sounds silly, but on bad days that "
                "bell kept us going. I also had a mentor outside the council, who reminded me that every "
                "big change looks like a failure in the middle."),
        Turn(Q, "What were the oversight arrangements, and did they help?", question="governance"),
        Turn(A, "We had a digital programme board, and every project went through a business case. It was "
                "built for buying computers, not for building services, so we asked to report progress by "
                "showing working software every fortnight instead of writing reports. "
                "The board members loved it, because for once they could see what they were paying for."),
        Turn(Q, "How did you sell the idea to staff who were worried about their jobs?",
             question="engagement"),
        Turn(A, "We were honest that jobs would change, and we promised nobody would lose theirs because of "
                "a website. Then we invited the contact centre staff to test every new form. They found "
                "problems we never would have, and they became our loudest supporters."),
        Turn(Q, "Which ways of working did you lean on?", question="methods"),
        Turn(A, "Agile delivery, user research and the government service standard. We did research with "
                "residents every single week, in the library and at the housing office. "
                "We kept the teams small, five or six people, and we put a service manager from the "
                "department in every team, so the knowledge stayed with the council."),
        Turn(Q, "And what was your north star, the belief underneath it all?", question="thinking"),
        Turn(A, "That residents should never have to understand how the council is organised to get "
                "help. If you need to tell us you've moved house, that's one task for you, even if it's "
                "seven departments for us. We wrote that on the wall of every team room, and we used it to "
                "settle arguments."),
        Turn(Q, "Tell me about a failure and what you'd do differently now.", question="setbacks"),
        Turn(A, "Our first version of the parking permit service went live without a paper route, and "
                "hundreds of residents couldn't use it. We had to apologise publicly. Now we never switch "
                "off the old route until the new one has proved itself. And we test with people who "
                "struggle with computers before we launch, not after."),
        Turn(Q, "Finally, which partnerships did you have to invest in?", question="relationships"),
        Turn(A, "Information technology and the legal team. We used to only meet when something broke. I "
                "set up a shared weekly stand up, so we solved problems before they became disputes, and "
                "that built a lot of goodwill. The head of legal ended up presenting our work at a "
                "national conference."),
        Turn(Q, "Anna, thank you for sharing all that.", question=CLOSING),
        Turn(A, "Thank you."),
    ),
)

# 8. Adult social care: a slow pair, answers that use other questions' words, no closing.
SOCIAL_CARE = EvalInterview(
    "eval-08-socialcare",
    Voice("en-us+m4", speed=145, pitch=50),
    Voice("en-gb+f2", speed=145, pitch=72),
    (
        Turn(Q, "Okay, we're rolling. Grace, tell us who you are."),
        Turn(A, "I'm Grace Mensah. I run adult social care in Dunmore, and we changed the way people get "
                "help at home."),
        Turn(Q, "When it went wrong, how did your leadership respond? Were you given space to learn?",
             question="reactions"),
        Turn(A, "They were supportive, and I think that was because we had built trust early. When a care "
                "agency pulled out with a week's notice, nobody looked for someone to blame. We were asked "
                "what we needed, not who was at fault. That set the tone "
                "for the whole team, and people started raising problems early instead of hiding them."),
        Turn(Q, "What was the decision-making structure above you, and how did it affect the pace of the "
                "work?", question="governance"),
        Turn(A, "We answered to the adult social care committee and the integrated care board. Two "
                "different bodies, two sets of papers, two sets of rules. It slowed everything down, until "
                "we agreed one joint report that both of them accepted."),
        Turn(Q, "Why were you prepared to take the risk, when the safe thing was to carry on as before?",
             question="confidence"),
        Turn(A, "Because carrying on as before wasn't safe. People were waiting twelve weeks for a care "
                "package. I had the support of my team, and I had listened to families. That gave me the "
                "courage to say the current system was the real risk, and to say it out loud at a "
                "committee meeting."),
        Turn(Q, "Was there a lot of form filling to get through?", question="bureaucracy"),
        Turn(A, "There was a care assessment form of thirty pages. Workers spent more time on the form than "
                "with the person. We replaced it with a conversation guide of three questions: what matters "
                "to you, what's working, and what would help. "
                "Assessments got shorter, and people told us for the first time that they felt listened to."),
        Turn(Q, "What beliefs were shaping your decisions?", question="thinking"),
        Turn(A, "That people are the experts in their own lives. Our job is to help them live the life "
                "they want, not to fit them into the services we happen to have. Every decision was "
                "tested against that question. If a change made a person's life smaller, we did not make "
                "it, however much money it saved."),
    ),
)

# 9. Probation: an interviewee who asks for clarification, restatements, a 7 s silence.
PROBATION = EvalInterview(
    "eval-09-probation",
    Voice("en-gb+m6", speed=158, pitch=36),
    Voice("en-us+f2", speed=155, pitch=64),
    (
        Turn(Q, "Is that the recording light? Great. Okay. Welcome, Lena, and thank you for coming."),
        Turn(A, "Thank you. I'm Lena Fischer, and I manage a probation office that opened its doors to the "
                "community, with a job club and a cafe run by people on probation."),
        Turn(Q, "What rules did you have to bend?", question="rules"),
        Turn(A, "Sorry, do you mean the formal rules, or the unwritten ones?"),
        Turn(Q, "Either. Both.", question=FOLLOWUP),
        Turn(A, "The formal one was that people on probation could not be on the premises except for "
                "appointments. We changed that so they could use the cafe and the job club any day. The "
                "unwritten rule was that staff keep their distance. We ate lunch with them, "
                "at the same tables, every day."),
        Turn(Q, "That's a big step. How did you find the self belief to challenge the system like that?",
             question="confidence"),
        Turn(A, "How did I find the self belief? Partly from research, which says that relationships "
                "reduce reoffending. And partly from my own brother, who went through the system and came "
                "out worse. I knew the old way failed people."),
        Turn(Q, "What went wrong along the way?", question="setbacks"),
        Turn(A, "Someone was assaulted in the cafe, in our first month. It was frightening, and it nearly "
                "ended everything. We learned we had rushed the safety planning. We closed for two weeks, "
                "redid the risk assessments with the people who used the cafe, and reopened.",
             pause_before=7.0),
        Turn(Q, "And how did the organisation react?", question="reactions"),
        Turn(A, "Headquarters wanted to shut it down permanently. My regional director asked for a review "
                "first, and the review found the model was sound. I felt protected, but I also felt "
                "watched, for about a year."),
        Turn(Q, "Could you say more about feeling watched?", question=FOLLOWUP),
        Turn(A, "Every incident, however small, was reported upwards within the hour. It made the team "
                "cautious for a while."),
        Turn(Q, "Last area. Was there any theory or evidence base behind the design?", question="methods"),
        Turn(A, "Desistance theory, mainly. The idea that people stop offending when they build a new "
                "identity, through work and relationships. We also used peer mentoring, borrowed from "
                "addiction recovery services. "
                "The mentors had been through probation themselves, so people listened to them in a way "
                "they never listened to us."),
        Turn(Q, "Lena, we'll stop there. Thank you so much for talking to us.", question=CLOSING),
        Turn(A, "Thanks for having me."),
    ),
)

INTERVIEWS: tuple[EvalInterview, ...] = (
    HOUSING, SCHOOLS, LIBRARY, TRANSPORT, HEALTH, YOUTH, DIGITAL, SOCIAL_CARE, PROBATION,
)


def generate(out_dir: Path, *, only_missing: bool = False) -> list[Path]:
    """Render every interview into ``out_dir``; returns the audio paths."""
    return generate_set(INTERVIEWS, out_dir, only_missing=only_missing)


def main(argv: list[str] | None = None) -> int:
    return set_cli(argv, what="evaluation", default_out=DEFAULT_OUT, generate=generate)


if __name__ == "__main__":
    sys.exit(main())
