"""papermill support for Pretext notebooks: a TypeScript parameter translator.

papermill looks translators up by kernel name, then by language, in a registry that has no
entry point of its own. It does load every ``papermill.engine`` entry point when it starts
(``papermill.engines`` runs ``register_entry_points()`` at import, before any notebook is
parameterised), so ``jupyterlab_pretext`` declares one, ``pretext``, pointing at
``PretextEngine`` below: loading it imports this module, which registers the translator for
the kernel ``pretext``. The engine hands every notebook to papermill's own nbclient engine,
so ``papermill -k pretext in.ipynb out.ipynb -p temperature 0.1`` works with the default
engine and ``--engine pretext`` is the same thing.

The injected cell hands the values to ``px.params`` (``injectParams`` in
kernel/src/util/params.ts), which checks names and types against the defaults the notebook
declared and updates the parameters object in place, so notebooks need no other change.
"""

import json
import math
import re

KERNEL_NAME = "pretext"


class _NBClientEngineType(type):
    def __getattr__(cls, name):
        # Everything papermill asks an engine for (execute_notebook, nb_kernel_name, ...) is
        # its nbclient engine's, looked up when asked.
        from papermill.engines import NBClientEngine

        return getattr(NBClientEngine, name)


class PretextEngine(metaclass=_NBClientEngineType):
    """papermill's nbclient engine under the entry-point name ``pretext``.

    Defined before anything imports papermill: importing papermill loads its engine entry
    points, this one included, so when this module is imported first papermill finds the
    class in the half-imported module instead of failing on a circular import.
    """


from papermill.models import Parameter  # noqa: E402
from papermill.translators import Translator, papermill_translators  # noqa: E402


class TypeScriptTranslator(Translator):
    """Parameters as one JSON object literal, which is also a valid TypeScript expression."""

    @classmethod
    def translate(cls, val):
        return cls.literal(val)

    @classmethod
    def literal(cls, val):
        # json.dumps escapes quotes, backslashes, control characters and non-ASCII text, so any
        # string a user passes stays one string literal; NaN/Infinity are written by hand as the
        # JavaScript values (json.dumps would write bare names that mean nothing in JSON).
        if isinstance(val, float) and not math.isfinite(val):
            return "NaN" if math.isnan(val) else ("Infinity" if val > 0 else "-Infinity")
        if isinstance(val, dict):
            items = ", ".join(f"{json.dumps(str(k))}: {cls.literal(v)}" for k, v in val.items())
            return "{" + items + "}"
        if isinstance(val, (list, tuple)):
            return "[" + ", ".join(cls.literal(v) for v in val) + "]"
        if val is None or isinstance(val, (bool, int, float, str)):
            return json.dumps(val)
        return json.dumps(str(val))

    @classmethod
    def inspect(cls, parameters_cell):
        """The keys of ``px.params({ small: {...} })`` with their default text (for
        ``papermill --help-notebook`` and papermill's unknown-parameter warning)."""
        source = parameters_cell.source
        match = re.search(r"\bsmall\s*:\s*\{", source)
        if not match:
            return []
        body = _balanced(source, match.end() - 1)
        return [
            Parameter(name=name, inferred_type_name=_kind(value), default=value, help="")
            for name, value in _entries(body)
        ]

    @classmethod
    def comment(cls, cmt_str):
        return f"// {cmt_str}".strip()

    @classmethod
    def codify(cls, parameters, comment="Parameters"):
        # A namespace import under a name notebooks do not use (tslab mangles names that start
        # with "__"), so the cell works however the notebook imported the library; the last
        # expression shows the values in force.
        values = cls.literal(dict(parameters))
        return (
            f"{cls.comment(comment)}\n"
            "import * as pretextInjected from 'pretext';\n"
            f"pretextInjected.injectParams({values});\n"
        )


def _balanced(text, start):
    """The text inside the bracket at ``start`` up to its matching close, strings skipped."""
    depth, quote, i = 0, None, start
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"`":
            quote = c
        elif c in "[{(":
            depth += 1
        elif c in "]})":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
        i += 1
    return text[start + 1 :]


def _entries(body):
    """``name: value`` pairs of an object literal's body, split at top-level commas."""
    parts, depth, quote, current = [], 0, None, ""
    for i, c in enumerate(body):
        if quote:
            if c == quote and body[i - 1] != "\\":
                quote = None
        elif c in "'\"`":
            quote = c
        elif c in "[{(":
            depth += 1
        elif c in "]})":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += c
    parts.append(current)
    pairs = []
    for part in parts:
        name, sep, value = part.partition(":")
        name = name.strip().strip("'\"")
        if sep and re.fullmatch(r"[A-Za-z_$][\w$]*", name):
            pairs.append((name, value.strip()))
    return pairs


def _kind(value):
    if re.fullmatch(r"-?[\d.]+(e-?\d+)?", value):
        return "number"
    if value in ("true", "false"):
        return "boolean"
    if value[:1] in "'\"`":
        return "string"
    if value == "null":
        return "NoneType"
    if value[:1] == "[":
        return "array"
    if value[:1] == "{":
        return "object"
    return "None"


def register():
    """Registers the TypeScript translator for the Pretext kernel (idempotent)."""
    papermill_translators.register(KERNEL_NAME, TypeScriptTranslator)


register()
