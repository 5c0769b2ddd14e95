#!/usr/bin/env bash
# Prepare what `make test` and `make demo` need, on a fresh machine or again (fast):
#   1. a virtualenv in .venv, rebuilt only when a requirements file changed;
#   2. Odoo 18.0 at $ODOO_SRC (default /opt/odoo/18.0), shallow-cloned when missing;
#   3. Odoo's requirements, this repo's requirements and the test tools;
#   4. a reachable PostgreSQL (PG* variables, else an embedded server);
# then writes .local/odoo.conf and .local/env.sh for the other scripts.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL="$ROOT/.local"
VENV="$ROOT/.venv"
ODOO_SRC=${ODOO_SRC:-/opt/odoo/18.0}
ODOO_GIT=${ODOO_GIT:-https://github.com/odoo/odoo.git}
PYTHON=${PYTHON:-python3}
mkdir -p "$LOCAL"

# 2. Odoo source: the official git layout (addons/ + odoo/addons/) or the nightly one (odoo/addons/ only)
if [ ! -f "$ODOO_SRC/odoo/release.py" ]; then
    echo "bootstrap: no Odoo at $ODOO_SRC, shallow-cloning the official 18.0 branch"
    if ! git clone --quiet --depth 1 --branch 18.0 "$ODOO_GIT" "$ODOO_SRC"; then
        echo "bootstrap: could not find or clone Odoo 18.0." >&2
        echo "  Set ODOO_SRC to an Odoo 18.0 source tree (the folder holding odoo/release.py)," >&2
        echo "  e.g. ODOO_SRC=\$HOME/src/odoo make test" >&2
        exit 1
    fi
fi
if ! grep -q "^version_info = (18, 0" "$ODOO_SRC/odoo/release.py"; then
    echo "bootstrap: $ODOO_SRC is not Odoo 18.0 ($(grep '^version_info' "$ODOO_SRC/odoo/release.py"))" >&2
    exit 1
fi
ADDONS_PATH="$ROOT,$ODOO_SRC/odoo/addons"
[ -d "$ODOO_SRC/addons" ] && ADDONS_PATH="$ADDONS_PATH,$ODOO_SRC/addons"

# 1 + 3. virtualenv and Python packages, skipped when nothing changed since the last run
REQS="$LOCAL/odoo-requirements.txt"
# Pins of Odoo's requirements.txt that cannot be installed on every Python:
#  - cbor2 5.4.2 does not build on Python 3.11 (5.6.2, the 3.12 pin, does);
#  - python-ldap needs the OpenLDAP headers and serves only the auth_ldap addon.
sed -e 's/^cbor2==5\.4\.2 *;.*$/cbor2==5.6.2/' -e '/^python-ldap/d' \
    "$ODOO_SRC/requirements.txt" > "$REQS"
STAMP=$(cat "$REQS" "$ROOT/requirements.txt" "$ROOT/requirements-test.txt" \
        <(echo "$ODOO_SRC" "$("$PYTHON" --version 2>&1)") | sha256sum | cut -c1-16)
if [ "$(cat "$VENV/.bootstrap-stamp" 2>/dev/null)" != "$STAMP" ]; then
    echo "bootstrap: installing Python packages into $VENV (cbor2 pinned to 5.6.2, python-ldap left out: see README)"
    "$PYTHON" -m venv "$VENV"
    pip_install() {
        "$VENV/bin/python" -m pip install --disable-pip-version-check "$@" >> "$LOCAL/pip.log" 2>&1 \
            || { tail -n 40 "$LOCAL/pip.log" >&2; echo "bootstrap: pip failed, see .local/pip.log" >&2; exit 1; }
    }
    : > "$LOCAL/pip.log"
    # Odoo's older pins ship as sdists that need setuptools<70 and no build isolation.
    pip_install "setuptools<70" wheel
    pip_install --no-build-isolation -r "$REQS" -r "$ROOT/requirements.txt" -r "$ROOT/requirements-test.txt"
    pip_install --no-build-isolation --no-deps -e "$ODOO_SRC"
    echo "$STAMP" > "$VENV/.bootstrap-stamp"
fi

# Headless Chromium runs the HttpCase tours; wkhtmltopdf renders the PDF reports.
missing=()
command -v chromium >/dev/null || command -v google-chrome >/dev/null || missing+=(chromium)
command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    echo "bootstrap: installing ${missing[*]} with apt-get"
    if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            $SUDO apt-get install -y -qq "${missing[@]}"; } > "$LOCAL/apt.log" 2>&1; then
        echo "bootstrap: could not install ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
        exit 1
    fi
fi

# 4. PostgreSQL
"$VENV/bin/python" "$ROOT/scripts/pg_ensure.py" "$LOCAL/pgdata" > "$LOCAL/env.sh"
# shellcheck source=/dev/null
. "$LOCAL/env.sh"

cat > "$LOCAL/odoo.conf" <<CONF
[options]
addons_path = $ADDONS_PATH
data_dir = $LOCAL/data
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_password = ${PGPASSWORD:-False}
admin_passwd = admin
http_port = ${HTTP_PORT:-8069}
CONF
echo "bootstrap: ready (Odoo $ODOO_SRC, PostgreSQL $PGHOST:$PGPORT as $PGUSER)"
