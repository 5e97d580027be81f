"""The Gradio web chat: a conversation, recommendation cards with feedback buttons, "Why this?"
under the card it explains, a user picker and a profile chart; the session is kept per browser tab."""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from agent.results import InterestSnapshot, RecommendedItem
from ui.api.auth import is_api_user
from ui.cards import CARD_CSS, render_card
from ui.chart import CHART_CSS, render_chart
from ui.render import evidence_words, moved, scene_words, why_words
from ui.words import ui_words

EXAMPLES = ui_words("en")["examples"]
GUEST = ui_words("en")["guest"]
GUEST_CHART = ui_words("en")["guest_chart"]
NOTES = ui_words("en")["notes"]
# Words only: emoji render as empty boxes where no emoji font is installed.
BUTTON_KINDS = ("like", "dislike", "seen", "why")
KEEP = object()  # a slot output left as it is


def profile_chart(snapshot: InterestSnapshot | None, words: dict | None = None) -> str:
    return render_chart(snapshot, (words or ui_words("en"))["guest_chart"])


def profile_caption(snapshot: InterestSnapshot | None) -> str:
    if not snapshot or not snapshot.user_id:
        return ""
    text = f"**{snapshot.user_id}**: {scene_words(snapshot)}, from {evidence_words(snapshot)}."
    changes = moved(snapshot)
    if changes:
        text += " This turn moved " + ", ".join(f"{name.split(': ', 1)[-1]} {d:+.1f} pts" for name, d in changes) + "."
    return text


def build_app(agent, max_cards: int | None = None, language: str | None = None) -> gr.Blocks:
    """``language``: of the UI's own words ('en', 'zh'; default: the ``ui_language`` setting)."""
    k = max_cards or agent.settings.top_k
    words = ui_words(language or getattr(agent.settings, "ui_language", "en"))
    calls = ChatCallbacks(agent, k, words)
    with gr.Blocks(title="SceneRec") as demo:
        view = _layout(words, k, calls)
        _wire(demo, view, calls)
    demo.scenerec_css = CARD_CSS + CHART_CSS
    return demo


class ChatCallbacks:
    """What the page's events run: the agent, the number of card slots and the UI's words they share."""

    def __init__(self, agent, k: int, words: dict):
        self.agent, self.k, self.words = agent, k, words
        self.guest, self.notes = words["guest"], words["notes"]

    def chart_of(self, snapshot):
        return profile_chart(snapshot, self.words)

    def user_choices(self):
        """The profiles to pick from, read when a page loads; API users belong to their key, never to this UI."""
        return gr.update(choices=[self.guest, *(u for u in self.agent.known_users() if not is_api_user(u))])

    def user_of(self, choice: str | None) -> str | None:
        choice = (choice or "").strip()
        return None if not choice or choice in (self.guest, GUEST) or is_api_user(choice) else choice

    def slot_updates(self, items: list[RecommendedItem] | None, notes: dict[int, str] | None = None,
                     why=None) -> list:
        """(group, card, why) per slot; ``items`` None leaves the cards as they are; ``why`` KEEP
        leaves the "Why this?" texts, else they are cleared."""
        out = []
        for n in range(self.k):
            if items is None:
                out += [gr.update(), gr.update(), gr.update() if why is KEEP else ""]
            elif n < len(items):
                out += [gr.update(visible=True), render_card(n + 1, items[n], (notes or {}).get(n, ""), self.words["card"]),
                        gr.update() if why is KEEP else ""]
            else:
                out += [gr.update(visible=False), "", ""]
        return out

    def respond(self, message: str, history: list, user_choice: str, session_id: str | None, items: list, snapshot):
        user = self.user_of(user_choice)
        result = self.agent.turn(message or "", session_id=session_id, user_id=user)
        history = list(history or []) + [
            {"role": "user", "content": message or ""},
            {"role": "assistant", "content": result.reply},
        ]
        fresh = result.interest or (snapshot if user else None)
        if result.items:  # new picks replace the cards; an answer about a card keeps them
            items = [it.model_dump() for it in result.items]
            cards, status = self.slot_updates(result.items), ""
        else:
            cards, status = self.slot_updates(None, why=KEEP), gr.update()
        return (history, *cards, self.chart_of(fresh), profile_caption(fresh), result.session_id, items or [],
                fresh, "", status)

    def feedback(self, position: float, kind: str, user_choice: str, session_id: str | None, items: list, snapshot):
        n, notes = int(position) - 1, self.notes
        if not session_id or not (0 <= n < len(items or [])) or kind not in notes:
            return (*self.slot_updates(None, why=KEEP), self.words["nothing_to_rate"],
                    self.chart_of(snapshot), profile_caption(snapshot), snapshot)
        shown = [RecommendedItem(**i) for i in items]
        self.agent.feedback(session_id, shown[n].id, kind)
        user = self.agent.session_user(session_id) or self.user_of(user_choice)  # whose session this is
        fresh = self.agent.interest(user, snapshot.scene if snapshot else None, snapshot) if user else snapshot
        status = f"{notes[kind]}: **{shown[n].title}**" + (self.words["profile_updated"] if user else ".")
        return (*self.slot_updates(shown, {n: notes[kind]}, why=KEEP), status, self.chart_of(fresh),
                profile_caption(fresh), fresh)

    def why(self, position: float, items: list) -> str:
        n = int(position) - 1
        if not (0 <= n < len(items or [])):
            return self.words["nothing_shown"]
        return why_words(RecommendedItem(**items[n]))

    def toggle_why(self, position: int, items: list, current: str) -> str:
        """Open the card's "Why this?", or close it when it is open."""
        return "" if (current or "").strip() else self.why(position, items)

    def reset(self, user_choice: str):
        user = self.user_of(user_choice)
        snapshot = self.agent.interest(user) if user else None
        return ([], *self.slot_updates([]), self.chart_of(snapshot), profile_caption(snapshot), None, [], snapshot,
                "", "")


def _layout(words: dict, k: int, calls: ChatCallbacks) -> SimpleNamespace:
    """The page's components (inside the open ``gr.Blocks``): the chat on the left, the cards on the right."""
    gr.Markdown(words["heading"])
    v = SimpleNamespace(session=gr.State(None), shown=gr.State([]), snapshot=gr.State(None))
    with gr.Row():
        with gr.Column(scale=3):
            v.chat = gr.Chatbot(label=words["conversation"], height=420)
            v.box = gr.Textbox(placeholder=words["placeholder"],
                               label=words["message"], max_lines=4, elem_id="sr-message")
            with gr.Row():
                v.send = gr.Button(words["send"], variant="primary", elem_id="sr-send")
                v.clear = gr.Button(words["new_conversation"], elem_id="sr-clear")
            gr.Examples(words["examples"], inputs=v.box, label=words["examples_label"])
            with gr.Accordion(words["profile_accordion"], open=True):
                v.caption = gr.Markdown(profile_caption(None), elem_id="sr-caption")
                v.chart = gr.HTML(calls.chart_of(None), elem_id="sr-chart-box")
        with gr.Column(scale=2):
            v.user = gr.Dropdown([words["guest"]], value=words["guest"], label=words["whos_watching"],
                                 allow_custom_value=True, elem_id="sr-user")
            v.status = gr.Markdown("", elem_id="sr-status")
            v.slots = [_card_slot(words, n) for n in range(k)]
            # API-only inputs and output for the feedback / why endpoints (the buttons fill them in)
            v.position = gr.Number(value=1, visible=False)
            v.kind = gr.Textbox(value="like", visible=False)
            v.api_why_text = gr.Markdown("", visible=False)
            v.api_feedback = gr.Button(visible=False)
            v.api_why = gr.Button(visible=False)
    return v


def _card_slot(words: dict, n: int) -> tuple:
    """Card slot ``n`` (hidden until it holds a pick): (position, group, card, why text, buttons by kind)."""
    with gr.Group(visible=False, elem_classes="sr-slot", elem_id=f"sr-slot-{n + 1}") as group:
        card = gr.HTML("")
        with gr.Row():
            buttons = {kind: gr.Button(words[kind], size="sm", min_width=0, elem_classes=f"sr-{kind}")
                       for kind in BUTTON_KINDS}
        why_md = gr.Markdown("", elem_classes="sr-why-text")
    return n + 1, group, card, why_md, buttons


def _wire(demo: gr.Blocks, v: SimpleNamespace, calls: ChatCallbacks) -> None:
    """The page's events: turns, new conversation, user switch, the card buttons and the API endpoints."""
    slot_outputs = [c for _, group, card, why_md, _ in v.slots for c in (group, card, why_md)]
    turn_outputs = [v.chat, *slot_outputs, v.chart, v.caption, v.session, v.shown, v.snapshot, v.box, v.status]
    demo.load(calls.user_choices, None, v.user, api_name=False)
    turn_inputs = [v.box, v.chat, v.user, v.session, v.shown, v.snapshot]
    v.send.click(calls.respond, turn_inputs, turn_outputs, api_name="chat")
    v.box.submit(calls.respond, turn_inputs, turn_outputs, api_name=False)
    v.clear.click(calls.reset, [v.user], turn_outputs, api_name=False)
    v.user.change(calls.reset, [v.user], turn_outputs, api_name=False)

    feedback_outputs = [*slot_outputs, v.status, v.chart, v.caption, v.snapshot]
    v.api_feedback.click(calls.feedback, [v.position, v.kind, v.user, v.session, v.shown, v.snapshot],
                         feedback_outputs, api_name="feedback")
    v.api_why.click(calls.why, [v.position, v.shown], [v.api_why_text], api_name="why")
    for pos, _, _, why_md, buttons in v.slots:
        for name, button in buttons.items():
            if name == "why":
                button.click(lambda items, current, p=pos: calls.toggle_why(p, items, current), [v.shown, why_md],
                             [why_md], api_name=False)
            else:
                button.click(lambda u, s, i, snap, p=pos, kd=name: calls.feedback(p, kd, u, s, i, snap),
                             [v.user, v.session, v.shown, v.snapshot], feedback_outputs, api_name=False)


def theme() -> gr.themes.Base:
    # System fonts only: the default theme would make the browser fetch web fonts.
    return gr.themes.Soft(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
