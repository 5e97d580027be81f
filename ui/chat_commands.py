"""Commands inside ``scenerec chat``: feedback on a shown card, "Why this?" and the profile.

Example::

    handle(agent, ":like 2", last_result, user_id="ml:42")   # 'Noted: you liked Up (2009). ...'
    handle(agent, "a comedy", last_result, None)             # None: not a command
"""

from __future__ import annotations

from agent.results import TurnResult
from ui.render import render_profile, why_lines

FEEDBACK = {"like": "liked", "dislike": "don't want", "seen": "have seen", "accept": "are watching"}
HELP = (":like N / :dislike N / :seen N / :accept N — feedback on card N (updates your profile at once); "
        ":why N — what drove card N; :profile — your interest profile; :help; quit")


def handle(agent, line: str, last: TurnResult | None, user_id: str | None) -> str | None:
    """The reply to a ``:command`` line, or None when the line is an ordinary message."""
    if not line.startswith(":") or line.strip() in (":q",):
        return None
    words = line[1:].split()
    command = words[0].lower() if words else "help"
    if command == "profile":
        if not user_id:
            return "No profile in this chat: start it with --user (e.g. --user ml:42)."
        scene = (last.interest.scene if last and last.interest else None)
        return render_profile(agent.interest(user_id, scene))
    if command not in (*FEEDBACK, "why"):
        return HELP
    if not last or not last.items:
        return "Nothing shown yet: ask for recommendations first."
    try:
        n = int(words[1])
        item = last.items[n - 1]
        if n < 1:
            raise IndexError
    except (IndexError, ValueError):
        return f"Give a card number from 1 to {len(last.items)}, e.g. :{command} 1"
    if command == "why":
        return "\n".join(why_lines(item))
    agent.feedback(last.session_id, item.id, command)
    where = " and your profile" if user_id else ""
    return (f"Noted: you {FEEDBACK[command]} {item.title}" + (f" ({item.year})" if item.year else "")
            + f". This conversation{where} now know{'' if user_id else 's'} it.")
