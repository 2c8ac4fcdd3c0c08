#!/usr/bin/env bash
# Set up a real NetBox for tests/export/test_netbox_import.py, which imports NetBox bundles through
# NetBox's own import pages. Idempotent: a second run only starts the servers (and migrates if the
# version changed). Everything goes into .netbox/ (git-ignored); the servers are Debian's
# PostgreSQL and Redis on localhost. Needs root for apt-get and the servers, as CI has.
#
# NetBox 4.7 needs Python 3.12 or newer. Where none is installed (Debian 12 has 3.11), CPython 3.13
# is built from Debian 13's source package, fetched from the same Debian mirror apt uses and
# checked as apt checks it: the release file's signature against Debian's archive keyring, the
# source index against the release file, the tarball against the source index.
set -euo pipefail
cd "$(dirname "$0")/../.."

NETBOX_VERSION=4.7.3
HOME_DIR=${PRIMEFLEX_NETBOX:-$PWD/.netbox}
MIRROR=http://deb.debian.org/debian
mkdir -p "$HOME_DIR"
log() { echo "netbox setup: $*"; }
# while this runs, setup.pid holds its pid (the import test waits for it); ready marks success
rm -f "$HOME_DIR/ready"
echo $$ > "$HOME_DIR/setup.pid"
build=""
trap 'rm -f "$HOME_DIR/setup.pid"; [ -z "$build" ] || rm -rf "$build"' EXIT

packages="postgresql redis-server curl xz-utils gpgv debian-archive-keyring build-essential libssl-dev libffi-dev zlib1g-dev libbz2-dev liblzma-dev libsqlite3-dev libpq-dev"
if ! dpkg -s $packages >/dev/null 2>&1; then
  log "installing Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $packages >/dev/null
fi

# --- a Python of at least 3.12 -------------------------------------------------------------
python=""
for candidate in python3.14 python3.13 python3.12 "$HOME_DIR/python/bin/python3.13"; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys, ssl; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
    python=$(command -v "$candidate")
    break
  fi
done
if [ -z "$python" ]; then
  log "building CPython 3.13 from Debian 13's source (about 3 minutes on two cores)"
  build=$(mktemp -d)
  # the release file, signed by Debian's archive key (apt's keyring), names the source index's checksum
  curl -fsS -o "$build/InRelease" "$MIRROR/dists/trixie/InRelease"
  if ! gpgv --keyring /usr/share/keyrings/debian-archive-keyring.gpg --output "$build/Release" "$build/InRelease" 2> "$build/gpgv.log"; then
    cat "$build/gpgv.log"
    log "the Debian release file's signature did not verify"
    exit 1
  fi
  index_sha=$(awk 'length($1) == 64 && $3 == "main/source/Sources.xz" {print $1; exit}' "$build/Release")
  curl -fsS -o "$build/Sources.xz" "$MIRROR/dists/trixie/main/source/Sources.xz"
  echo "$index_sha  $build/Sources.xz" | sha256sum --check --quiet
  xz -dc "$build/Sources.xz" > "$build/Sources"
  # the orig tarball's line of the python3.13 stanza's Checksums-Sha256 field: "sha256 size name"
  read -r sha256 _ tarball < <(awk '/^Package: python3.13$/{p=1} p&&/^Checksums-Sha256:/{c=1;next} p&&c&&/orig.tar.xz$/{print;exit}' "$build/Sources")
  directory=$(awk '/^Package: python3.13$/{p=1} p&&/^Directory:/{print $2;exit}' "$build/Sources")
  curl -fsS -o "$build/$tarball" "$MIRROR/$directory/$tarball"
  echo "$sha256  $build/$tarball" | sha256sum --check --quiet
  tar -xJf "$build/$tarball" -C "$build"
  if ! (cd "$build"/Python-3.13.* && ./configure --prefix="$HOME_DIR/python" --without-ensurepip \
    && make -j"$(nproc)" && make install) > "$HOME_DIR/python-build.log" 2>&1; then
    tail -30 "$HOME_DIR/python-build.log"
    log "building CPython failed; the whole log is $HOME_DIR/python-build.log"
    exit 1
  fi
  python=$HOME_DIR/python/bin/python3.13
fi

# --- NetBox in its own virtual environment --------------------------------------------------
if [ ! -x "$HOME_DIR/venv/bin/netbox" ] || [ "$("$HOME_DIR/venv/bin/netbox" version 2>/dev/null)" != "$NETBOX_VERSION" ]; then
  log "installing NetBox $NETBOX_VERSION from PyPI"
  rm -rf "$HOME_DIR/venv"
  "$python" -m venv "$HOME_DIR/venv"
  # (the filter drops pip's notes about local index folders a machine's pip.conf may name)
  "$HOME_DIR/venv/bin/pip" install --quiet "netbox==$NETBOX_VERSION" 2>&1 | grep -v "is ignored: it is neither" || true
  [ "$("$HOME_DIR/venv/bin/netbox" version)" = "$NETBOX_VERSION" ]
fi

mkdir -p "$HOME_DIR/conf"
cat > "$HOME_DIR/conf/configuration.py" <<'EOF'
# Written by tools/netbox/setup.sh: a throw-away NetBox for primeflex-iac's import test.
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": {"NAME": "primeflex_netbox", "USER": "primeflex_netbox", "PASSWORD": "primeflex_netbox", "HOST": "localhost", "PORT": ""}}
REDIS = {
    "tasks": {"HOST": "localhost", "PORT": 6379, "USERNAME": "", "PASSWORD": "", "DATABASE": 0, "SSL": False},
    "caching": {"HOST": "localhost", "PORT": 6379, "USERNAME": "", "PASSWORD": "", "DATABASE": 1, "SSL": False},
}
SECRET_KEY = "primeflex-iac-netbox-import-test-not-a-secret-0123456789abcdef"
API_TOKEN_PEPPERS = {1: "primeflex-iac-netbox-import-test-pepper-not-a-secret-0123456789abcdef"}
EOF

# --- the servers ------------------------------------------------------------------------------
cluster=$(pg_lsclusters --no-header | awk 'NR==1{print $1" "$2}')
if [ -z "$cluster" ]; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_createcluster "$version" main >/dev/null
  cluster="$version main"
fi
pg_ctlcluster $cluster start >/dev/null 2>&1 || true
sql() { runuser -u postgres -- psql -q -tA -c "$1"; }
[ "$(sql "SELECT 1 FROM pg_roles WHERE rolname = 'primeflex_netbox'")" = 1 ] \
  || sql "CREATE ROLE primeflex_netbox LOGIN PASSWORD 'primeflex_netbox'"
[ "$(sql "SELECT 1 FROM pg_database WHERE datname = 'primeflex_netbox'")" = 1 ] \
  || sql "CREATE DATABASE primeflex_netbox OWNER primeflex_netbox"
redis-cli ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >/dev/null

export NETBOX_ROOT=$HOME_DIR
if ! "$HOME_DIR/venv/bin/netbox" migrate --check >/dev/null 2>&1; then
  log "creating NetBox's database (its migrations take about 6 minutes on this kind of machine)"
  "$HOME_DIR/venv/bin/netbox" migrate --no-input >/dev/null
fi
echo "$NETBOX_VERSION" > "$HOME_DIR/ready"
log "NetBox $NETBOX_VERSION ready in $HOME_DIR"
