"""The Gradio web chat: a conversation, recommendation cards with feedback buttons, "Why this?"
under the card it explains, a user picker and a profile chart; the session is kept per browser tab."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import gradio as gr
import yaml

from agent.results import InterestSnapshot, RecommendedItem
from ui.api.auth import is_api_user
from ui.cards import CARD_CSS, render_card
from ui.chart import CHART_CSS, render_chart
from ui.render import evidence_words, moved, scene_words, why_words

@lru_cache(maxsize=4)
def ui_words(language: str = "en") -> dict:
    """The UI's own words in a language (``ui/locales/<language>.yaml``; English when unknown)."""
    language = language if language in ("en", "zh") else "en"
    return yaml.safe_load(resources.files("ui").joinpath(f"locales/{language}.yaml").read_text(encoding="utf-8"))


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
    guest, notes = words["guest"], words["notes"]

    def chart_of(snapshot):
        return profile_chart(snapshot, words)

    def user_choices():
        """The profiles to pick from, read when a page loads; API users belong to their key, never to this UI."""
        return gr.update(choices=[guest, *(u for u in agent.known_users() if not is_api_user(u))])

    def user_of(choice: str | None) -> str | None:
        choice = (choice or "").strip()
        return None if not choice or choice in (guest, GUEST) or is_api_user(choice) else choice

    def slot_updates(items: list[RecommendedItem] | None, notes: dict[int, str] | None = None,
                     why=None) -> list:
        """(group, card, why) per slot; ``items`` None leaves the cards as they are; ``why`` KEEP
        leaves the "Why this?" texts, else they are cleared."""
        out = []
        for n in range(k):
            if items is None:
                out += [gr.update(), gr.update(), gr.update() if why is KEEP else ""]
            elif n < len(items):
                out += [gr.update(visible=True), render_card(n + 1, items[n], (notes or {}).get(n, "")),
                        gr.update() if why is KEEP else ""]
            else:
                out += [gr.update(visible=False), "", ""]
        return out

    def respond(message: str, history: list, user_choice: str, session_id: str | None, items: list, snapshot):
        user = user_of(user_choice)
        result = agent.turn(message or "", session_id=session_id, user_id=user)
        history = list(history or []) + [
            {"role": "user", "content": message or ""},
            {"role": "assistant", "content": result.reply},
        ]
        fresh = result.interest or (snapshot if user else None)
        if result.items:  # new picks replace the cards; an answer about a card keeps them
            items = [it.model_dump() for it in result.items]
            cards, status = slot_updates(result.items), ""
        else:
            cards, status = slot_updates(None, why=KEEP), gr.update()
        return (history, *cards, chart_of(fresh), profile_caption(fresh), result.session_id, items or [],
                fresh, "", status)

    def feedback(position: float, kind: str, user_choice: str, session_id: str | None, items: list, snapshot):
        n = int(position) - 1
        if not session_id or not (0 <= n < len(items or [])) or kind not in notes:
            return (*slot_updates(None, why=KEEP), words["nothing_to_rate"],
                    chart_of(snapshot), profile_caption(snapshot), snapshot)
        shown = [RecommendedItem(**i) for i in items]
        agent.feedback(session_id, shown[n].id, kind)
        user = agent.session_user(session_id) or user_of(user_choice)  # whose session this is
        fresh = agent.interest(user, snapshot.scene if snapshot else None, snapshot) if user else snapshot
        status = f"{notes[kind]}: **{shown[n].title}**" + (words["profile_updated"] if user else ".")
        return (*slot_updates(shown, {n: notes[kind]}, why=KEEP), status, chart_of(fresh),
                profile_caption(fresh), fresh)

    def why(position: float, items: list) -> str:
        n = int(position) - 1
        if not (0 <= n < len(items or [])):
            return words["nothing_shown"]
        return why_words(RecommendedItem(**items[n]))

    def toggle_why(position: int, items: list, current: str) -> str:
        """Open the card's "Why this?", or close it when it is open."""
        return "" if (current or "").strip() else why(position, items)

    def reset(user_choice: str):
        user = user_of(user_choice)
        snapshot = agent.interest(user) if user else None
        return ([], *slot_updates([]), chart_of(snapshot), profile_caption(snapshot), None, [], snapshot,
                "", "")

    with gr.Blocks(title="SceneRec") as demo:
        gr.Markdown(words["heading"])
        session, shown, snapshot = gr.State(None), gr.State([]), gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label=words["conversation"], height=420)
                box = gr.Textbox(placeholder=words["placeholder"],
                                 label=words["message"], max_lines=4, elem_id="sr-message")
                with gr.Row():
                    send = gr.Button(words["send"], variant="primary", elem_id="sr-send")
                    clear = gr.Button(words["new_conversation"], elem_id="sr-clear")
                gr.Examples(words["examples"], inputs=box)
                with gr.Accordion(words["profile_accordion"], open=True):
                    caption = gr.Markdown(profile_caption(None), elem_id="sr-caption")
                    chart = gr.HTML(chart_of(None), elem_id="sr-chart-box")
            with gr.Column(scale=2):
                user = gr.Dropdown([guest], value=guest, label=words["whos_watching"],
                                   allow_custom_value=True, elem_id="sr-user")
                status = gr.Markdown("", elem_id="sr-status")
                slots = []
                for n in range(k):
                    with gr.Group(visible=False, elem_classes="sr-slot", elem_id=f"sr-slot-{n + 1}") as group:
                        card = gr.HTML("")
                        with gr.Row():
                            buttons = {kind: gr.Button(words[kind], size="sm", min_width=0, elem_classes=f"sr-{kind}")
                                       for kind in BUTTON_KINDS}
                        why_md = gr.Markdown("", elem_classes="sr-why-text")
                    slots.append((n + 1, group, card, why_md, buttons))
                # API-only inputs and output for the feedback / why endpoints (the buttons fill them in)
                position = gr.Number(value=1, visible=False)
                kind = gr.Textbox(value="like", visible=False)
                api_why_text = gr.Markdown("", visible=False)
                api_feedback = gr.Button(visible=False)
                api_why = gr.Button(visible=False)
        slot_outputs = [c for _, group, card, why_md, _ in slots for c in (group, card, why_md)]
        turn_outputs = [chat, *slot_outputs, chart, caption, session, shown, snapshot, box, status]
        demo.load(user_choices, None, user, api_name=False)
        turn_inputs = [box, chat, user, session, shown, snapshot]
        send.click(respond, turn_inputs, turn_outputs, api_name="chat")
        box.submit(respond, turn_inputs, turn_outputs, api_name=False)
        clear.click(reset, [user], turn_outputs, api_name=False)
        user.change(reset, [user], turn_outputs, api_name=False)

        feedback_outputs = [*slot_outputs, status, chart, caption, snapshot]
        api_feedback.click(feedback, [position, kind, user, session, shown, snapshot], feedback_outputs,
                           api_name="feedback")
        api_why.click(why, [position, shown], [api_why_text], api_name="why")
        for pos, _, _, why_md, buttons in slots:
            for name, button in buttons.items():
                if name == "why":
                    button.click(lambda items, current, p=pos: toggle_why(p, items, current), [shown, why_md],
                                 [why_md], api_name=False)
                else:
                    button.click(lambda u, s, i, snap, p=pos, kd=name: feedback(p, kd, u, s, i, snap),
                                 [user, session, shown, snapshot], feedback_outputs, api_name=False)
    demo.scenerec_css = CARD_CSS + CHART_CSS
    return demo


def theme() -> gr.themes.Base:
    # System fonts only: the default theme would make the browser fetch web fonts.
    return gr.themes.Soft(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
