"""The Gradio web chat: a conversation, recommendation cards with feedback buttons, "Why this?",
a user picker and a profile panel; the session is kept per browser tab."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import gradio as gr
import yaml
import pandas as pd

from agent.results import InterestSnapshot, RecommendedItem
from ui.api.auth import is_api_user
from ui.cards import CARD_CSS, render_card
from ui.render import moved, scene_words, why_lines

@lru_cache(maxsize=4)
def ui_words(language: str = "en") -> dict:
    """The UI's own words in a language (``ui/locales/<language>.yaml``; English when unknown)."""
    language = language if language in ("en", "zh") else "en"
    return yaml.safe_load(resources.files("ui").joinpath(f"locales/{language}.yaml").read_text(encoding="utf-8"))


EXAMPLES = ui_words("en")["examples"]
GUEST = ui_words("en")["guest"]
NOTES = ui_words("en")["notes"]
CHART_COLUMNS = ["attribute", "share %", "population %", "change", "moved pts"]


def profile_frame(snapshot: InterestSnapshot | None) -> pd.DataFrame:
    """Bars of the interest distribution, coloured by how this turn moved each attribute."""
    rows = []
    for a in snapshot.attributes if snapshot else []:
        delta = 100 * (a.share - a.before) if a.before is not None else 0.0
        change = "rose this turn" if delta >= 0.05 else "fell this turn" if delta <= -0.05 else "steady"
        rows.append([f"{a.family}: {a.value}", round(100 * a.share, 1), round(100 * a.prior, 1), change, round(delta, 2)])
    return pd.DataFrame(rows, columns=CHART_COLUMNS)


def profile_caption(snapshot: InterestSnapshot | None, words: dict | None = None) -> str:
    if not snapshot or not snapshot.user_id:
        return (words or ui_words("en"))["pick_user"]
    text = f"**{snapshot.user_id}** — {scene_words(snapshot)}; evidence ≈ {snapshot.evidence:g} ratings."
    changes = moved(snapshot)
    if changes:
        text += " This turn moved: " + ", ".join(f"{name} {d:+.1f} pts" for name, d in changes) + "."
    return text


def build_app(agent, max_cards: int | None = None, language: str | None = None) -> gr.Blocks:
    """``language``: of the UI's own words ('en', 'zh'; default: the ``ui_language`` setting)."""
    k = max_cards or agent.settings.top_k
    words = ui_words(language or getattr(agent.settings, "ui_language", "en"))
    guest, notes = words["guest"], words["notes"]

    def caption_of(snapshot):
        return profile_caption(snapshot, words)

    def user_choices():
        """The profiles to pick from, read when a page loads; API users belong to their key, never to this UI."""
        return gr.update(choices=[guest, *(u for u in agent.known_users() if not is_api_user(u))])

    def user_of(choice: str | None) -> str | None:
        choice = (choice or "").strip()
        return None if not choice or choice in (guest, GUEST) or is_api_user(choice) else choice

    def slot_updates(items: list[RecommendedItem], notes: dict[int, str] | None = None) -> list:
        out = []
        for n in range(k):
            if n < len(items):
                out += [gr.update(visible=True), render_card(n + 1, items[n], (notes or {}).get(n, ""))]
            else:
                out += [gr.update(visible=False), ""]
        return out

    def respond(message: str, history: list, user_choice: str, session_id: str | None):
        user = user_of(user_choice)
        result = agent.turn(message or "", session_id=session_id, user_id=user)
        history = list(history or []) + [
            {"role": "user", "content": message or ""},
            {"role": "assistant", "content": result.reply},
        ]
        snapshot = result.profile
        items = result.items if result.items else []
        return (history, *slot_updates(items), "", profile_frame(snapshot), caption_of(snapshot),
                result.session_id, [it.model_dump() for it in items], snapshot, "")

    def feedback(position: float, kind: str, user_choice: str, session_id: str | None, items: list, snapshot):
        n = int(position) - 1
        if not session_id or not (0 <= n < len(items or [])) or kind not in notes:
            return (*slot_updates([RecommendedItem(**i) for i in items or []]), words["nothing_to_rate"],
                    profile_frame(snapshot), caption_of(snapshot), snapshot)
        shown = [RecommendedItem(**i) for i in items]
        agent.feedback(session_id, shown[n].id, kind)
        user = agent.sessions.load(session_id)[1] or user_of(user_choice)  # whose session this is
        fresh = agent.interest(user, snapshot.scene if snapshot else None, snapshot) if user else snapshot
        status = f"{notes[kind]}: **{shown[n].title}**" + (words["profile_updated"] if user else ".")
        return (*slot_updates(shown, {n: notes[kind]}), status, profile_frame(fresh), caption_of(fresh), fresh)

    def why(position: float, items: list):
        n = int(position) - 1
        if not (0 <= n < len(items or [])):
            return words["nothing_shown"]
        lines = why_lines(RecommendedItem(**items[n]))
        return "**" + lines[0] + "**\n\n" + "\n".join(
            ("- " + ln.strip().lstrip("• ")) if ln.strip().startswith("•") else f"    {ln.strip()}" for ln in lines[1:])

    def reset(user_choice: str):
        user = user_of(user_choice)
        snapshot = agent.interest(user) if user else None
        return ([], *slot_updates([]), "", profile_frame(snapshot), caption_of(snapshot), None, [], snapshot, "")

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
                    clear = gr.Button(words["new_conversation"])
                gr.Examples(words["examples"], inputs=box)
                with gr.Accordion(words["profile_accordion"], open=True):
                    caption = gr.Markdown(caption_of(None))
                    chart = gr.BarPlot(profile_frame(None), x="attribute", y="share %", color="change",
                                       tooltip=CHART_COLUMNS, x_label_angle=-40, height=300,
                                       color_map={"rose this turn": "#1a7f37", "fell this turn": "#cf222e",
                                                  "steady": "#8c959f"}, label=words["interests"])
            with gr.Column(scale=2):
                user = gr.Dropdown([guest], value=guest, label=words["whos_watching"],
                                   allow_custom_value=True, elem_id="sr-user")
                status = gr.Markdown("")
                slots = []
                for n in range(k):
                    with gr.Group(visible=False, elem_classes="sr-slot") as group:
                        card = gr.HTML("")
                        with gr.Row():
                            buttons = {kind: gr.Button(label, size="sm", min_width=0) for kind, label in
                                       (("like", words["like"]), ("dislike", words["dislike"]), ("seen", words["seen"]),
                                        ("why", words["why"]))}
                    slots.append((n + 1, group, card, buttons))
                why_box = gr.Markdown("", elem_id="sr-why")
                # API-only inputs for the feedback / why endpoints (the buttons fill them in)
                position = gr.Number(value=1, visible=False)
                kind = gr.Textbox(value="like", visible=False)
                api_feedback = gr.Button(visible=False)
                api_why = gr.Button(visible=False)
        slot_outputs = [c for _, group, card, _ in slots for c in (group, card)]
        turn_outputs = [chat, *slot_outputs, why_box, chart, caption, session, shown, snapshot, box]
        demo.load(user_choices, None, user, api_name=False)
        send.click(respond, [box, chat, user, session], turn_outputs, api_name="chat")
        box.submit(respond, [box, chat, user, session], turn_outputs, api_name=False)
        clear.click(reset, [user], turn_outputs, api_name=False)
        user.change(reset, [user], turn_outputs, api_name=False)

        feedback_outputs = [*slot_outputs, status, chart, caption, snapshot]
        api_feedback.click(feedback, [position, kind, user, session, shown, snapshot], feedback_outputs,
                           api_name="feedback")
        api_why.click(why, [position, shown], [why_box], api_name="why")
        for pos, _, _, buttons in slots:
            for name, button in buttons.items():
                if name == "why":
                    button.click(lambda items, p=pos: why(p, items), [shown], [why_box], api_name=False)
                else:
                    button.click(lambda u, s, i, snap, p=pos, kd=name: feedback(p, kd, u, s, i, snap),
                                 [user, session, shown, snapshot], feedback_outputs, api_name=False)
    demo.scenerec_css = CARD_CSS
    return demo


def theme() -> gr.themes.Base:
    # System fonts only: the default theme would make the browser fetch web fonts.
    return gr.themes.Soft(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
