"""SceneRec user interfaces: CLI, Gradio chat (and later the HTTP API and widget)."""
