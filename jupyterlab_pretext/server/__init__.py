"""Jupyter server extension: reads the configured MLflow tracking server for the side panel.

The browser cannot call MLflow itself (MLflow 3 accepts only its own host and origin), so the
panel asks this extension, which is authenticated by Jupyter's own token/XSRF like every
server extension and talks only to the configured tracking URI (PRETEXT_TRACKING_URI, else
MLFLOW_TRACKING_URI, else `trackingUri` in the user's Settings > Pretext file; settings.py). It
is not a proxy: a URL from the browser is refused.
"""

from .handlers import setup_handlers


def _load_jupyter_server_extension(server_app):
    setup_handlers(server_app)
    server_app.log.info("jupyterlab_pretext.server: tracking runs at /pretext/api/tracking")
