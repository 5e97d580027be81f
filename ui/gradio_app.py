"""The Gradio web chat: a conversation, recommendation cards, and a session kept per browser tab."""

from __future__ import annotations

import gradio as gr

from ui.cards import CARD_CSS, render_cards

EXAMPLES = [
    "something light and funny to watch with my two kids tonight, nothing scary",
    "a thrilling sci-fi movie from the 90s, under 2 hours",
    "date night, something romantic but not too long",
]


def build_app(agent) -> gr.Blocks:
    def respond(message: str, history: list, session_id: str | None):
        result = agent.turn(message or "", session_id=session_id)
        history = list(history or []) + [
            {"role": "user", "content": message or ""},
            {"role": "assistant", "content": result.reply},
        ]
        return history, render_cards(result.items), result.session_id, ""

    def reset():
        return [], render_cards([]), None, ""

    with gr.Blocks(title="SceneRec") as demo:
        gr.Markdown("## SceneRec\nTell me who's watching, the mood, and anything you've seen or loved.")
        session = gr.State(None)
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Conversation", height=420)
                box = gr.Textbox(placeholder="e.g. something funny with the kids, nothing scary",
                                 label="Message", max_lines=4, elem_id="sr-message")
                with gr.Row():
                    send = gr.Button("Send", variant="primary", elem_id="sr-send")
                    clear = gr.Button("New conversation")
                gr.Examples(EXAMPLES, inputs=box)
            with gr.Column(scale=2):
                cards = gr.HTML(render_cards([]), label="Recommendations", elem_id="sr-cards")
        outputs = [chat, cards, session, box]
        send.click(respond, [box, chat, session], outputs, api_name="chat")
        box.submit(respond, [box, chat, session], outputs, api_name=False)
        clear.click(reset, None, outputs, api_name=False)
    demo.scenerec_css = CARD_CSS
    return demo


def theme() -> gr.themes.Base:
    # System fonts only: the default theme would make the browser fetch web fonts.
    return gr.themes.Soft(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
