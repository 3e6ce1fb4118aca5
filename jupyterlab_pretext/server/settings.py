"""Which tracking server the panel reads, and where that choice came from.

Precedence: PRETEXT_TRACKING_URI, then MLFLOW_TRACKING_URI (the Jupyter server's environment),
then the user's `trackingUri` in Settings > Pretext. The setting is read from the user-settings
file JupyterLab itself writes, never from a request, so the browser cannot point this extension
at another host. The file is read on every call: a change in Settings applies at the next poll.
"""

import os
from dataclasses import dataclass
from typing import Optional
from urllib.parse import urlsplit, urlunsplit

from jupyter_core.paths import jupyter_config_dir

try:  # JupyterLab writes user settings as JSON5 (comments, trailing commas); it depends on json5.
    import json5 as _json_reader
except ImportError:  # pragma: no cover - jupyterlab_server always brings json5
    import json as _json_reader

SETTINGS_PLUGIN = ("jupyterlab-pretext", "plugin.jupyterlab-settings")
ENV_NAMES = ("PRETEXT_TRACKING_URI", "MLFLOW_TRACKING_URI")


@dataclass
class Tracking:
    """The tracking server to read, or why there is none."""

    uri: str = ""
    #: 'PRETEXT_TRACKING_URI', 'MLFLOW_TRACKING_URI', 'settings', or '' when nothing is set.
    source: str = ""
    #: Why `uri` is empty although something was set (a value that is not http(s)...).
    problem: Optional[str] = None


def settings_dir():
    """JupyterLab's user-settings folder, found the way JupyterLab finds it."""
    folder = os.environ.get("JUPYTERLAB_SETTINGS_DIR") or os.path.join(
        jupyter_config_dir(), "lab", "user-settings"
    )
    return os.path.abspath(folder)


def settings_file():
    return os.path.join(settings_dir(), *SETTINGS_PLUGIN)


def redacted(uri):
    """The URI without credentials, query or fragment: safe to show and to log."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", "")).rstrip("/")


def _setting():
    """(value, problem) of `trackingUri` in the user's settings file; ('', None) when unset."""
    path = settings_file()
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return "", None
    except OSError as error:
        return "", f"The Pretext settings file {path} could not be read ({error.strerror})."
    try:
        values = _json_reader.loads(text) if text.strip() else {}
    except ValueError as error:
        return "", f"The Pretext settings file {path} is not valid JSON5 ({error}); fix it in Settings > Pretext."
    value = values.get("trackingUri", "") if isinstance(values, dict) else ""
    if not isinstance(value, str):
        return "", "The trackingUri setting must be a string like http://127.0.0.1:5000."
    return value.strip(), None


def resolve_tracking(environ=None):
    """The tracking server the panel reads (see the module docstring for the precedence)."""
    environ = os.environ if environ is None else environ
    for name in ENV_NAMES:
        value = (environ.get(name) or "").strip()
        if value:
            return _checked(value, name)
    value, problem = _setting()
    if problem:
        return Tracking(source="settings", problem=problem)
    if value:
        return _checked(value, "settings")
    return Tracking()


def _checked(value, source):
    if value.startswith(("http://", "https://")) and urlsplit(value).hostname:
        return Tracking(uri=value, source=source)
    where = "Settings > Pretext (trackingUri)" if source == "settings" else source
    shown = redacted(value) if "://" in value else value.split("@")[-1]
    return Tracking(
        source=source,
        problem=(
            f"The tracking URI '{shown}' from {where} is not an http(s) address of an MLflow "
            "server, so the panel cannot read it; use e.g. http://127.0.0.1:5000."
        ),
    )
