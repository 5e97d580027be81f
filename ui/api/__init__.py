"""The HTTP API, the widget assets and the mounted Gradio UI, served by one FastAPI app.

Example::

    app = create_app(build_agent(settings), settings)   # then: uvicorn.run(app)
"""

from ui.api.app import create_app

__all__ = ["create_app"]
