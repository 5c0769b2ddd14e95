#!/usr/bin/env bash
# `make test`: fresh database with the four addons and their demo data, then every test
# (addon tests and the cross-addon tests/) through pytest-odoo, HttpCase tours included.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
# shellcheck source=/dev/null
. "$ROOT/.local/env.sh"
DB=${TEST_DB:-lot_test}
ADDONS=lot_traceability,lot_fefo,lot_recall,lot_account
# Odoo modules some flows need (tested, skipped without them); the addons do not depend on them.
FLOW_MODULES=stock_dropshipping,mrp_subcontracting
CONF="$ROOT/.local/odoo.conf"

dropdb --if-exists "$DB"
echo "test: installing $ADDONS,$FLOW_MODULES into a fresh database $DB"
: > "$ROOT/.local/install-$DB.log"  # Odoo appends to its log file: check this install only
"$ROOT/.venv/bin/python" -m odoo -c "$CONF" -d "$DB" -i "$ADDONS,$FLOW_MODULES" --stop-after-init \
    --log-level=warn --logfile="$ROOT/.local/install-$DB.log" \
    || { tail -n 60 "$ROOT/.local/install-$DB.log"; exit 1; }
# Odoo installs a module whose demo data fails without it, with a mere warning
if grep -E " (ERROR|CRITICAL) |demo data failed to install" "$ROOT/.local/install-$DB.log"; then
    echo "test: errors while installing, see .local/install-$DB.log" >&2
    exit 1
fi

cd "$ROOT"
exec "$ROOT/.venv/bin/pytest" -p no:cacheprovider --odoo-config="$CONF" --odoo-database="$DB" \
    --odoo-http "$@" lot_traceability lot_fefo lot_recall lot_account tests
