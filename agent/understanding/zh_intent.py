"""What a Chinese message asks for: a greeting, a reset, a question about a film, a verdict on the
list shown (accept, reject, refine), a recommendation, or small talk.

Example::

    intent(u, "第二部不要", TurnContext(last_shown=shown), vocab)  # 'reject'
"""

from __future__ import annotations

import re

from agent.understanding.embedded import TurnContext
from agent.understanding.schema import Understanding
from agent.understanding.zh_vocab import contains_any


def _last(s: str, phrases: list[str]) -> int:
    """Where the last of ``phrases`` in ``s`` ends (-1: none)."""
    return max((s.rfind(str(p)) + len(str(p)) for p in phrases if str(p) in s), default=-1)


def intent(u: Understanding, s: str, ctx: TurnContext, v: dict, wishes: bool = False) -> str:
    """The intent of a message whose slots are read (``wishes``: a genre, mood or attribute word was said)."""
    has_shown = bool(ctx.last_shown)
    bare = re.sub(r"[\s，。！？!?,.~～…、😀-🙏🌀-🗿]+", "", s)
    # descriptive words ("机器人" in "你是机器人吗") say nothing of intent by themselves (``wishes`` does)
    words_only = {"keywords": [], "liked_attributes": [], "avoided_attributes": []}
    slots = u.model_copy(update=words_only).has_preferences()
    opening = _opening(u, s, v, bare, slots)
    if opening:
        return opening
    is_question = bool(re.search(r"[？?]\s*$|[吗呢么嘛][\s？?~～。！!]*$", s)) or contains_any(s, v["question_words"])
    if _asks_about_item(u, s, ctx, v, is_question):
        return "ask_item"
    seen = contains_any(s, v["seen"]) and not contains_any(s, v["unseen"])
    if seen and (u.references or u.refers_to_all or u.refers_to_focus or not u.mentions) and has_shown:
        u.shown_verdict = "seen"
    rejected_at = _last(s, v["reject"]) if not contains_any(s, v["unseen"]) else -1
    accepted_at = _last(s, v["accept"])
    if u.references and re.search(r"不喜欢|不想看|不要|不行|没兴趣|算了|讨厌|pass|不太行|一般", s) \
            and not contains_any(s, v["accept"]):
        rejected_at = max(rejected_at, len(s))  # "我不喜欢第一部"
    rejects = rejected_at >= 0 and rejected_at >= accepted_at  # "第一部看过了，第二部…就它吧" accepts
    wishes_beyond_titles = u.model_copy(update=words_only | {"mentions": []}).has_preferences()
    pointed = bool(u.references or u.refers_to_focus or u.refers_to_all)
    if has_shown and rejects and (pointed or not (wishes_beyond_titles or u.critiques)):
        return "reject"  # "第二部不要", "这个不行，我老婆不看恐怖片" (the wishes still count)
    if has_shown and contains_any(s, v["more"]) and not seen and not slots:
        return "refine"  # "没一个想看的，换换": show others
    accepts = accepted_at >= 0 and not rejects and not u.critiques
    if (has_shown or u.mentions) and accepts and not (is_question and not u.references) \
            and not (wishes_beyond_titles and not pointed):
        return "accept"
    return _closing(u, s, v, bare, slots, has_shown, rejects, wishes_beyond_titles, wishes)


def _opening(u: Understanding, s: str, v: dict, bare: str, slots: bool) -> str | None:
    """A reset, a bare greeting, a message out of scope, or talk about the assistant: before any taste counts."""
    if contains_any(s, v["reset"]):
        return "reset"
    if contains_any(s, v["greetings"]) and len(bare) <= 8 and not slots and not u.mentions \
            and not contains_any(s, v["request"]):
        u.scene.time_of_day = None  # "晚上好" is a greeting, not a scene
        return "greeting"
    injection = re.search(r"忽略|指令|提示词|扮演|越狱|system prompt|ignore|废物|傻逼|白痴|滚", s)
    about_films = slots or re.search(r"电影|片|想看", s)
    if contains_any(s, v["out_of_scope"]) and (injection or not about_films):
        return "out_of_scope"
    if re.match(r"^(你|您)(是|会|叫|能|喜欢|觉得|好|真|挺)", bare) and not slots and not u.mentions \
            and not contains_any(s, v["request"]):
        return "smalltalk"  # "你是机器人吗": about the assistant, no request
    return None


def _asks_about_item(u: Understanding, s: str, ctx: TurnContext, v: dict, is_question: bool) -> bool:
    """Whether the message asks about a film (named, pointed at, or the one in focus); sets ``u.question``."""
    has_shown = bool(ctx.last_shown)
    stated_taste = any(m.polarity not in ("neutral", "unseen") for m in u.mentions)
    item_ref = bool(u.references or ((u.refers_to_focus or u.refers_to_all) and (ctx.focus_item or has_shown))
                    or (u.mentions and not stated_taste))
    asks_for_more = not re.search(r"为什么|为啥|为何", s) and bool(re.search(r"(?<!为什么)(?<!为啥)推荐(?!这|那|给我)|类似|像|那样|一样的|还有|别的|其他|同类|有吗|有没有|来点|换", s))
    # "适合孩子看吗？" after a list: the subject (the film in focus) goes unsaid
    implicit = (ctx.focus_item or has_shown) and not u.mentions and not contains_any(s, v["request"]) \
        and any(contains_any(s, p) for p in v["questions"].values())
    if is_question and (item_ref or implicit) and not asks_for_more:
        for attr, phrases in v["questions"].items():
            if contains_any(s, phrases):
                u.question = attr
                break
        if u.question or not u.critiques:
            u.question = u.question or "general"
            u.critiques = []
            return True
    return False


def _closing(u: Understanding, s: str, v: dict, bare: str, slots: bool, has_shown: bool, rejects: bool,
             wishes_beyond_titles: bool, wishes: bool) -> str:
    """Thanks, a verdict on the list left over, a refinement, a recommendation, a greeting or small talk."""
    if contains_any(s, v["thanks"]) and not slots and not u.mentions:
        return "smalltalk"
    only_seen = u.mentions and all(m.polarity == "seen" for m in u.mentions)
    if has_shown and (rejects or only_seen) and not (wishes_beyond_titles or u.critiques):
        return "reject"
    if has_shown and u.critiques:
        return "refine"
    if has_shown and slots and re.search(r"(这些|那些|换|但|再|更|还是|改成|要|不要)", s):
        return "refine"
    if has_shown and not u.has_preferences() and contains_any(s, v["more"]):
        return "refine"
    if u.has_preferences() or u.unknown_titles:
        return "recommend"
    if contains_any(s, v["greetings"]) and not contains_any(s, v["request"]):
        return "greeting"
    if contains_any(s, v["request"]) or (wishes and re.search(r"不要|别|不想|想|要|的", s)) \
            or re.match(r"^(不要|别|不想|不看|想要|要)", bare):
        return "recommend"  # "不要太血腥的": a wish, even with nothing to fill a slot
    return "smalltalk"
