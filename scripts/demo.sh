#!/usr/bin/env bash
# `make demo`: database lot_demo with the four addons and their demo data, served on
# http://localhost:8069 (admin/admin).  The database is reused; `make demo-reset` rebuilds it.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
# shellcheck source=/dev/null
. "$ROOT/.local/env.sh"
DB=${DEMO_DB:-lot_demo}
CONF="$ROOT/.local/odoo.conf"
ODOO=("$ROOT/.venv/bin/python" -m odoo)
ADDONS=lot_traceability,lot_fefo,lot_recall,lot_account

[ "${1:-}" = "--reset" ] && dropdb --if-exists "$DB"
if ! psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    echo "demo: creating database $DB with the four addons and demo data"
    "${ODOO[@]}" -c "$CONF" -d "$DB" -i "$ADDONS" --stop-after-init --log-level=warn
else
    # update the addons, and install those added to the suite since the database was made
    "${ODOO[@]}" -c "$CONF" -d "$DB" -i "$ADDONS" -u "$ADDONS" --stop-after-init --log-level=warn
fi
PORT=${HTTP_PORT:-8069}
echo "demo: Odoo is starting on http://localhost:$PORT  (login admin, password admin; Ctrl+C stops)"
exec "${ODOO[@]}" -c "$CONF" -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" --log-level=warn
