#!/usr/bin/env bash
# Behaviour check for refactors: run every command on every spec in specs/ with the package of TREE
# and print the sha256 of every output file. Compare two trees' lists with diff:
#
#   tools/output_hashes.sh .            > after.sha
#   tools/output_hashes.sh ../old-clone > before.sha     # e.g. a `git worktree add ../old-clone REV`
#   diff before.sha after.sha && echo identical
#
# Output folders go to a fresh temporary folder (removed at the end); their paths are replaced by OUT
# in what the commands print, so two runs compare byte for byte.
set -euo pipefail
tree=$(cd "${1:?usage: tools/output_hashes.sh TREE}" && pwd)
python=${PYTHON:-$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/python}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cd "$tree"
pf() {
  PYTHONPATH=$tree "$python" -c '
import sys
try:
    from primeflex_iac.cli.main import main
except ImportError:  # trees before the cli/ package
    from primeflex_iac.cli import main
sys.argv[0] = "primeflex"; sys.exit(main())' "$@"
}
for spec in specs/customer.yaml specs/reference/*.yaml; do
  n=$(basename "$spec" .yaml)
  pf solve "$spec" -o "$out/solve/$n" --export all >"$out/$n.solve.stdout" 2>"$out/$n.solve.stderr" && rc=0 || rc=$?
  echo "rc=$rc" >>"$out/$n.solve.stdout"
  pf solve "$spec" -o "$out/json/$n" --no-render --json >"$out/$n.json.stdout" 2>/dev/null || true
  pf validate "$spec" --json >"$out/$n.validate.stdout" 2>&1 || true
  pf explain "$spec" --json >"$out/$n.explain.stdout" 2>&1 || true
  pf export "$out/solve/$n/plan.json" -o "$out/export/$n" >/dev/null 2>&1 || true
  pf render "$out/solve/$n/plan.json" -o "$out/render/$n" >/dev/null 2>&1 || true
done
pf schema --spec >"$out/schema.spec.json"
pf schema --plan >"$out/schema.plan.json"
pf estimate --model resnet50 --gpu a100-sxm4-40gb --nodes 4 --fabric ib-hdr --json >"$out/est1.json" 2>&1 || true
pf estimate --model bert-large --gpu v100-sxm2-32gb --nodes 2 --gpus-per-node 4 --fabric opa-100 --json >"$out/est2.json" 2>&1 || true
pf estimate --model gpt --parameters 1300000000 --gpu h100-sxm5-80gb --nodes 2 >"$out/est3.txt" 2>&1 || true
pf sweep specs/customer.yaml -o "$out/sweep/customer" --points 6 >"$out/sweep.stdout" 2>/dev/null || true
pf --help >"$out/help.txt" 2>&1 || true
for c in solve render schema export estimate sweep validate explain; do pf "$c" --help >"$out/help.$c.txt" 2>&1 || true; done
cd "$out"
find . -type f ! -name '*.png' ! -name '*.pdf' -print0 | xargs -0 sed -i "s#$out#OUT#g"
find . -type f | LC_ALL=C sort | xargs sha256sum
