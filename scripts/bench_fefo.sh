#!/usr/bin/env bash
# `make bench-fefo`: database lot_bench_fefo (lot_traceability and lot_fefo, no demo data)
# with 200 products x 100 lots (22,000 quants) and 1,000 confirmed delivery orders,
# generated on the first run and reused afterwards (BENCH_RESET=1 rebuilds it), then the
# reservation benchmark of each of lot_fefo's removal strategies against FEFO (the same
# rules on the same data): one line per strategy, and the last line is the worst
#   BENCH fefo moves=<n> quants=<q> ratio_vs_core=<r> queries_per_move=<k> strategies=<s>
# BENCH_FEFO_DB and BENCH_SEED change the database and its seed; extra arguments go to
# bench/bench_fefo.py (e.g. --repeat 5).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
# shellcheck source=/dev/null
. "$ROOT/.local/env.sh"
DB=${BENCH_FEFO_DB:-lot_bench_fefo}
CONF="$ROOT/.local/odoo.conf"
PY="$ROOT/.venv/bin/python"
LOG="$ROOT/.local/install-$DB.log"

[ "${BENCH_RESET:-0}" = 1 ] && dropdb --if-exists "$DB"
if ! psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    echo "bench: creating database $DB with lot_traceability and lot_fefo, without demo data"
    if ! "$PY" -m odoo -c "$CONF" -d "$DB" -i lot_traceability,lot_fefo --without-demo=all \
            --stop-after-init --log-level=warn --logfile="$LOG"; then
        tail -n 40 "$LOG"
        dropdb --if-exists "$DB"
        exit 1
    fi
else
    # the addons' code may have changed since the database was made (fields, indexes)
    "$PY" -m odoo -c "$CONF" -d "$DB" -u lot_traceability,lot_fefo --stop-after-init \
        --log-level=warn --logfile="$LOG" || { tail -n 40 "$LOG"; exit 1; }
fi
exec "$PY" "$ROOT/bench/bench_fefo.py" -c "$CONF" -d "$DB" --seed "${BENCH_SEED:-42}" "$@"
