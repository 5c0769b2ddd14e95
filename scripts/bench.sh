#!/usr/bin/env bash
# `make bench-trace`: database lot_bench (lot_traceability, no demo data) holding about a
# million done stock move lines, generated on the first run and reused afterwards
# (BENCH_RESET=1 rebuilds it), then the lot trace benchmark; its last line is
#   BENCH trace lines=<N> p50_ms=<x> p95_ms=<y> core_ratio=<r>
# BENCH_DB, BENCH_LINES and BENCH_SEED change the database, its size and its seed; extra
# arguments go to bench/bench_trace.py (e.g. --no-core, --core-cap 60).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
# shellcheck source=/dev/null
. "$ROOT/.local/env.sh"
DB=${BENCH_DB:-lot_bench}
CONF="$ROOT/.local/odoo.conf"
PY="$ROOT/.venv/bin/python"
LOG="$ROOT/.local/install-$DB.log"

[ "${BENCH_RESET:-0}" = 1 ] && dropdb --if-exists "$DB"
if ! psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    echo "bench: creating database $DB with lot_traceability, without demo data"
    if ! "$PY" -m odoo -c "$CONF" -d "$DB" -i lot_traceability --without-demo=all \
            --stop-after-init --log-level=warn --logfile="$LOG"; then
        tail -n 40 "$LOG"
        dropdb --if-exists "$DB"
        exit 1
    fi
else
    # The addon's code may have changed since the database was made (fields, indexes).
    "$PY" -m odoo -c "$CONF" -d "$DB" -u lot_traceability --stop-after-init --log-level=warn \
        --logfile="$LOG" || { tail -n 40 "$LOG"; exit 1; }
fi
"$PY" "$ROOT/bench/trace_data.py" -c "$CONF" -d "$DB" --lines "${BENCH_LINES:-1000000}" \
    --seed "${BENCH_SEED:-42}"
exec "$PY" "$ROOT/bench/bench_trace.py" -c "$CONF" -d "$DB" "$@"
