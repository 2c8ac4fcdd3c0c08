"""Report templates: Jinja2, the package's own (``render/templates/``) or a folder of the user's
(``--template DIR``) whose report.html.j2 and report.md.j2 replace the defaults one by one.

A user's template may extend the default (``{% extends "default/report.html.j2" %}``) and replace
single blocks; its own files are found first, then the defaults (also as ``default/<name>``). The
environment is sandboxed (a template reads the context, calls no unsafe method and changes no
list or dict of it) and strict: an undefined name is an error. HTML templates are autoescaped;
every value a ``.html.j2`` template writes goes through ``xml_text`` (one line, ``& < > " '`` as
entities) unless it is marked safe. Markdown templates escape with the ``md`` filter.

A template that cannot be read or rendered is a :class:`TemplateError` (an input error, exit 2)
naming the file and line. jinja2 is imported only when a report is rendered.
"""

from __future__ import annotations

import functools
import html
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from primeflex_iac.common.escape import markdown_text, one_line, xml_text
from primeflex_iac.common.units import format_duration
from primeflex_iac.errors import InputError, Problem

if TYPE_CHECKING:
    from collections.abc import Mapping

    import jinja2

__all__ = ["DEFAULT_TEMPLATES", "HTML_TEMPLATE", "MARKDOWN_TEMPLATE", "TemplateError", "check_template_dir", "render_template"]

DEFAULT_TEMPLATES = Path(__file__).parent / "templates"
HTML_TEMPLATE = "report.html.j2"
MARKDOWN_TEMPLATE = "report.md.j2"
REPORT_TEMPLATES = (HTML_TEMPLATE, MARKDOWN_TEMPLATE)


class TemplateError(InputError):
    """A report template that cannot be read or rendered: the problem names its file and line."""


def _problem(where: Path | str, line: int | None, message: str) -> TemplateError:
    return TemplateError([Problem(str(where), line, None, "", one_line(message, 500))])


def check_template_dir(directory: Path) -> None:
    """Raise TemplateError unless ``directory`` is a folder holding report.html.j2 or report.md.j2, each of which parses."""
    expected = f"expected a folder holding {' and/or '.join(REPORT_TEMPLATES)}"
    if not directory.exists():
        raise _problem(directory, None, f"the template folder does not exist; {expected}")
    if not directory.is_dir():
        raise _problem(directory, None, f"the template path is not a folder; {expected}")
    present = [name for name in REPORT_TEMPLATES if (directory / name).is_file()]
    if not present:
        raise _problem(directory, None, f"the template folder holds neither {' nor '.join(REPORT_TEMPLATES)}")
    for name in present:
        _template(name, directory)


def render_template(name: str, context: Mapping[str, Any], template_dir: Path | None = None) -> str:
    """``name`` (report.html.j2 or report.md.j2) rendered with ``context``: the one in ``template_dir`` if it holds it, else the default."""
    template = _template(name, template_dir)
    try:
        return template.render(context)
    except Exception as error:
        if template_dir is None:  # the package's own templates: a bug, not an input error
            raise
        raise _located(error, template_dir, name) from None


def _template(name: str, template_dir: Path | None) -> jinja2.Template:
    environment = _environment(None if template_dir is None else str(template_dir.resolve()))
    try:
        return environment.get_template(name)
    except Exception as error:
        if template_dir is None:
            raise
        raise _located(error, template_dir, name) from None


def _located(error: Exception, template_dir: Path, name: str) -> TemplateError:
    """The error at its template file and line: a syntax error's own, else the innermost template frame of the traceback.

    A file of ``template_dir`` is named as the user named the folder (not resolved).
    """
    import jinja2

    where: str | None = None
    line: int | None = None
    if isinstance(error, jinja2.TemplateSyntaxError):
        where, line = error.filename, error.lineno
    else:
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if not frame.filename.endswith(".py")]
        if frames:
            where, line = frames[-1].filename, frames[-1].lineno
    path = template_dir / name if where is None else Path(where)
    if path.is_relative_to(template_dir.resolve()):
        path = template_dir / path.relative_to(template_dir.resolve())
    if isinstance(error, jinja2.TemplateNotFound):
        message = f"template not found: {error.name}"
    elif isinstance(error, jinja2.TemplateError):
        message = error.message or type(error).__name__
    else:
        message = f"{type(error).__name__}: {error}"
    return _problem(path, line, message)


def _html_value(eval_context: jinja2.nodes.EvalContext, value: object) -> object:
    """What ``{{ value }}`` writes: in an HTML template, text escaped as xml_text unless marked safe."""
    if not eval_context.autoescape or hasattr(value, "__html__"):
        return value
    from markupsafe import Markup

    return Markup(xml_text(value))


def _multiline(text: object) -> object:
    """Text of many lines for a ``<pre>`` (the DOT source): entities, lines kept."""
    from markupsafe import Markup

    return Markup(html.escape(str(text)))


def _number(value: float, decimals: int = 0) -> str:
    """A figure with thousands separators: ``{{ plan.totals.cost|number }}`` is 287,105."""
    return f"{value:,.{decimals}f}"


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith((".html.j2", ".html", ".htm"))


@functools.lru_cache(maxsize=8)
def _environment(template_dir: str | None) -> jinja2.Environment:
    """One environment per template folder (None: the defaults only); it caches the compiled templates."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    defaults = jinja2.FileSystemLoader(DEFAULT_TEMPLATES)
    loaders: list[jinja2.BaseLoader] = [] if template_dir is None else [jinja2.FileSystemLoader(template_dir)]
    loaders += [jinja2.PrefixLoader({"default": defaults}), defaults]
    environment = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        finalize=jinja2.pass_eval_context(_html_value),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(md=markdown_text, multiline=_multiline, number=_number, duration=format_duration)
    return environment
