"""A small Sphinx extension for the book's website.

sphinx-thebe and sphinx-togglebutton (loaded by Jupyter Book even with Thebe off) can
register their inline configuration scripts twice, which makes browsers throw
"Identifier 'THEBE_JS_URL' has already been declared"; MathJax can be listed twice too.
The page's script list is de-duplicated before rendering.
"""

from __future__ import annotations


def _unique_scripts(app, pagename, templatename, context, doctree):
    """Keep the first of scripts that load the same file or run the same inline code
    (extensions register some twice, once with ``None`` and once with ``''`` as file)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        filename = str(getattr(script, "filename", script) or "")
        key = filename if filename else ("inline", getattr(script, "attributes", {}).get("body", ""))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _unique_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
