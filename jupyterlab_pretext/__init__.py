"""Pretext: a self-supervised learning workbench for JupyterLab.

This Python package only ships the prebuilt JupyterLab extension; the
training code lives in the TypeScript kernel library (kernel/).
"""

try:
    from ._version import __version__
except ImportError:
    # _version.py is written by the hatch version hook at build time; a source
    # checkout that was never built (or installed) does not have it yet.
    import warnings

    warnings.warn("Importing 'jupyterlab_pretext' outside a proper installation.")
    __version__ = "dev"


def _jupyter_labextension_paths():
    """Tell JupyterLab where the prebuilt extension lives inside this package."""
    return [{"src": "labextension", "dest": "jupyterlab-pretext"}]


def _jupyter_server_extension_points():
    """The server extension that reads the tracking server for the side panel."""
    return [{"module": "jupyterlab_pretext.server"}]
