"""The report from Jinja2 templates: the defaults write the report as it was (golden files written
by the code before templates), a user's folder replaces a block or a whole template, data stays
escaped in a user's template too, and a bad template is an input error at its file and line that
writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from primeflex_iac import Catalog, Plan, load_spec, solve
from primeflex_iac.cli.main import main
from primeflex_iac.errors import InputError
from primeflex_iac.render.report import report_html, report_markdown
from primeflex_iac.render.template import TemplateError, check_template_dir
from primeflex_iac.render.topology import topology_dot
from tests.conftest import ROOT, SPECS
from tests.export.test_hostile_names import ACCEPTED, _html_shape, _markdown_shape, _plain, _renamed

GOLDEN = ROOT / "tests" / "golden" / "reports"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
# a topology as `dot` writes it (with an XML prolog, which the page drops), racks in two rows
TOPOLOGY_SVG = "<?xml version='1.0' encoding='UTF-8'?>\n<svg id=\"topology-stand-in\"></svg>"
RACK_ROWS = ['<svg id="rack-row-1"></svg>', '<svg id="rack-row-2"></svg>']
GOLDEN_CASES = ("customer", "llm-7b-hopper", "lifetime-cost", "hostile-html")
_plans: dict[str, Plan] = {}

OVERRIDE_HTML = """{% extends "default/report.html.j2" %}
{% block style %}{{ super() }}.cover{break-after:page}{% endblock %}
{% block cover %}
<section class="cover" title="{{ plan.name }}"><div class="logo">{% include "logo.svg" %}</div>
<h1>Offer: {{ plan.name }}</h1><p>{{ summary[1][1] }}</p></section>
{% endblock %}
"""
OVERRIDE_MARKDOWN = """{% extends "default/report.md.j2" %}
{% block cover %}
# Offer: {{ plan.name|md }}

{% endblock %}
"""
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="#c00"/></svg>\n'


def golden_case(case: str) -> tuple[Plan, tuple[str | None, list[str], str]]:
    """A plan and the pictures its HTML page gets (stand-ins, so the page does not depend on Graphviz's version)."""
    from primeflex_iac import load_catalog

    if case not in _plans:
        catalog = load_catalog()
        if case.startswith("hostile-"):
            _plans[case] = _renamed(_plain(catalog), catalog, ACCEPTED[case.removeprefix("hostile-")])[0]
        else:
            _plans[case] = solve(load_spec(SPECS / f"{case}.yaml"), catalog)
    plan = _plans[case]
    topology = None if case == "customer" else TOPOLOGY_SVG  # without Graphviz: the DOT source in a <pre>
    return plan, (topology, RACK_ROWS, topology_dot(plan))


def _golden(path: Path, text: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text, f"{path.name} changed; if intended, regenerate with UPDATE_GOLDEN=1"


@pytest.mark.slow
@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_the_default_templates_write_the_report_as_before(case: str) -> None:
    plan, pictures = golden_case(case)
    _golden(GOLDEN / f"{case}.md", report_markdown(plan))
    _golden(GOLDEN / f"{case}.html", report_html(plan, *pictures))


def _folder(tmp_path: Path, subfolder: str = "templates", **files: str) -> Path:
    folder = tmp_path / subfolder
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name.replace("_", ".")).write_text(text)
    return folder


def _overrides(tmp_path: Path) -> Path:
    return _folder(tmp_path, report_html_j2=OVERRIDE_HTML, report_md_j2=OVERRIDE_MARKDOWN, logo_svg=LOGO)


def test_an_override_replaces_one_block_of_each_report(catalog: Catalog, tmp_path: Path) -> None:
    plan = _plain(catalog)
    folder = _overrides(tmp_path)
    pictures = (TOPOLOGY_SVG, RACK_ROWS, "digraph {}")
    default_html, html = report_html(plan, *pictures), report_html(plan, *pictures, template_dir=folder)
    assert '<section class="cover" title="plain"><div class="logo"><svg xmlns=' in html and "<h1>Offer: plain</h1>" in html
    assert "}\n.cover{break-after:page}</style>" in html and "<h1>Cluster proposal" not in html
    # everything after the cover is the default's
    assert html.split("</section>\n", 1)[1] == default_html.split("</h1>\n", 1)[1]
    default_markdown, markdown = report_markdown(plan), report_markdown(plan, folder)
    assert markdown.startswith("# Offer: plain\n\n| | |\n")
    assert markdown.split("\n", 1)[1] == default_markdown.split("\n", 1)[1]


def test_a_template_the_folder_lacks_is_the_default(catalog: Catalog, tmp_path: Path) -> None:
    plan = _plain(catalog)
    folder = _folder(tmp_path, report_md_j2="{{ plan.name|md }} only\n")
    assert report_markdown(plan, folder) == "plain only\n"
    assert report_html(plan, None, [], "", folder) == report_html(plan, None, [], "")


@pytest.mark.parametrize("key", ["html", "quotes", "markdown-link", "markdown-block", "jinja", "entity"])
def test_names_stay_escaped_in_an_override(key: str, catalog: Catalog, tmp_path: Path) -> None:
    plain, _ = _renamed(_plain(catalog), catalog, "plain name")
    hostile, _ = _renamed(_plain(catalog), catalog, ACCEPTED[key])
    folder = _overrides(tmp_path)
    pictures = (TOPOLOGY_SVG, RACK_ROWS, "digraph {}")
    html = report_html(hostile, *pictures, template_dir=folder)
    assert _html_shape(html) == _html_shape(report_html(plain, *pictures, template_dir=folder))
    assert "<script" not in html and "alert(1)</b>" not in html
    markdown = report_markdown(hostile, folder)
    assert _markdown_shape(markdown) == _markdown_shape(report_markdown(plain, folder))


def _error(tmp_path: Path, catalog: Catalog, render: str, **files: str) -> TemplateError:
    folder = _folder(tmp_path, **files)
    plan = _plain(catalog)
    with pytest.raises(TemplateError) as error:
        report_markdown(plan, folder) if render == "md" else report_html(plan, None, [], "", folder)
    assert isinstance(error.value, InputError)
    return error.value


def test_a_syntax_error_names_the_file_and_line(catalog: Catalog, tmp_path: Path) -> None:
    error = _error(tmp_path, catalog, "html", report_html_j2="<p>\n{% if plan.name %}\n{{ plan.name }\n")
    (problem,) = error.problems
    assert (Path(problem.file).name, problem.line) == ("report.html.j2", 3)
    assert str(problem).startswith(f"{tmp_path / 'templates' / 'report.html.j2'}:3:")
    # in a file it includes, that file
    error = _error(tmp_path, catalog, "md", report_md_j2='a\n{% include "part.md.j2" %}\n', part_md_j2="\n\n{% for x in %}\n")
    assert (Path(error.problems[0].file).name, error.problems[0].line) == ("part.md.j2", 3)


def test_an_undefined_name_names_the_file_and_line(catalog: Catalog, tmp_path: Path) -> None:
    error = _error(tmp_path, catalog, "md", report_md_j2="# {{ plan.name }}\n\n{{ plan.nmae }}\n")
    (problem,) = error.problems
    assert (problem.file, problem.line) == (str(tmp_path / "templates" / "report.md.j2"), 3)
    assert "nmae" in problem.message
    # in a block of a template that extends the default
    override = '{% extends "default/report.html.j2" %}\n{% block cover %}\n<h1>{{ logo_url }}</h1>\n{% endblock %}\n'
    error = _error(tmp_path, catalog, "html", report_html_j2=override)
    assert (Path(error.problems[0].file).name, error.problems[0].line) == ("report.html.j2", 3)
    assert "logo_url" in error.problems[0].message


def test_the_sandbox_keeps_the_plan_unchanged(catalog: Catalog, tmp_path: Path) -> None:
    plan = _plain(catalog)
    before = plan.to_json()
    for index, text in enumerate(("{{ plan.assumptions.append('x') }}\n", "{{ plan.__class__ }}\n", "{{ summary.clear() }}\n")):
        folder = _folder(tmp_path, f"templates-{index}", report_md_j2=text)
        with pytest.raises(TemplateError):
            report_markdown(plan, folder)
    assert plan.to_json() == before


def test_a_template_folder_is_checked(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="does not exist"):
        check_template_dir(tmp_path / "missing")
    (tmp_path / "file").write_text("")
    with pytest.raises(TemplateError, match="not a folder"):
        check_template_dir(tmp_path / "file")
    with pytest.raises(TemplateError, match=r"neither report\.html\.j2 nor report\.md\.j2"):
        check_template_dir(tmp_path)
    check_template_dir(_overrides(tmp_path))


def test_solve_and_render_write_the_report_from_the_template(tmp_path: Path) -> None:
    folder = _overrides(tmp_path)
    out = tmp_path / "out"
    assert main(["solve", str(SPECS / "customer.yaml"), "-o", str(out), "--template", str(folder)]) == 0
    assert "<h1>Offer: customer</h1>" in (out / "report.html").read_text()
    assert (out / "report.md").read_text().startswith("# Offer: customer\n")
    again = tmp_path / "again"
    assert main(["render", str(out / "plan.json"), "-o", str(again), "--template", str(folder)]) == 0
    for name in ("report.html", "report.md"):
        assert (again / name).read_bytes() == (out / name).read_bytes()
    # without --template, the default report
    assert main(["render", str(out / "plan.json"), "-o", str(again)]) == 0
    assert "<h1>Cluster proposal: customer</h1>" in (again / "report.html").read_text()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("command", ["solve", "render"])
def test_a_bad_template_writes_nothing(command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(SPECS / "reference" / "sample-small-air.yaml"), "-o", str(out)]) == 0
    before = _snapshot(out)
    first = [str(SPECS / "reference" / "sample-small-air.yaml")] if command == "solve" else [str(out / "plan.json")]
    capsys.readouterr()
    # a folder that is not there: refused before solving, nothing created
    assert main([command, *first, "-o", str(out), "--template", str(tmp_path / "nowhere")]) == 2
    assert f"{tmp_path / 'nowhere'}: the template folder does not exist" in capsys.readouterr().err
    assert main([command, *first, "-o", str(tmp_path / "new"), "--template", str(tmp_path / "nowhere")]) == 2
    assert not (tmp_path / "new").exists()
    # an undefined name, found while rendering: the folder is as it was
    folder = _folder(tmp_path, report_md_j2="line\n{{ plan.nmae }}\n")
    assert main([command, *first, "-o", str(out), "--template", str(folder)]) == 2
    assert f"{folder / 'report.md.j2'}:2: " in capsys.readouterr().err
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "templates"]  # no staging folder or lock left


PROBE = """
import sys
from primeflex_iac.cli.main import main
from primeflex_iac.errors import InputError
main(sys.argv[1:])
print("LOADED" if "jinja2" in sys.modules else "LEAN", file=sys.stderr)
"""


def test_jinja2_loads_only_to_render_a_report() -> None:
    lean = subprocess.run(
        [sys.executable, "-c", PROBE, "validate", str(SPECS / "customer.yaml")], capture_output=True, text=True, check=False
    )
    assert lean.stderr.strip().endswith("LEAN"), lean.stderr
    probe = "import sys, primeflex_iac.render.bundle; print(*sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert "primeflex_iac.render.template" in loaded and "jinja2" not in loaded


def test_the_documented_example_renders(catalog: Catalog, tmp_path: Path) -> None:
    """docs/report-templates.md's logo and cover page, as written there."""
    text = (ROOT / "docs" / "report-templates.md").read_text().split("## Example", 1)[1]
    html_template, markdown_template = (block.split("\n", 1)[1] for block in text.split("```jinja")[1:3])
    folder = _folder(
        tmp_path,
        report_html_j2=html_template.split("```", 1)[0],
        report_md_j2=markdown_template.split("```", 1)[0],
        logo_svg=LOGO,
    )
    check_template_dir(folder)
    plan = _plain(catalog)
    html = report_html(plan, TOPOLOGY_SVG, RACK_ROWS, "digraph {}", folder)
    assert '<section class="cover">\n<div class="logo"><svg' in html and "<h1>GPU training cluster for plain</h1>" in html
    assert "@media print{.cover{break-after:page;min-height:250mm}}" in html
    assert report_markdown(plan, folder).startswith("# GPU training cluster for plain\n\nProposal by ACME Systems")
