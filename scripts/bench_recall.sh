#!/usr/bin/env bash
# `make bench-recall`: on the data of `make bench-trace` (database lot_bench, built on the
# first run exactly as scripts/bench.sh does, reused afterwards; BENCH_RESET=1 rebuilds it),
# install or update lot_fefo and lot_recall, then time a mock recall of the raw lot reaching
# the most customer deliveries: scope, then the FDA FSMA 204 spreadsheet; then, in a copy of
# the database, block, notify and returns of a real recall of it as background jobs. Last
# line:
#   BENCH recall deliveries=<n> scope_s=<x> fsma_s=<y> actions_s=<z>
# BENCH_DB, BENCH_LINES and BENCH_SEED as for bench-trace; extra arguments go to
# bench/bench_recall.py (e.g. --profile).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DB=${BENCH_DB:-lot_bench}

# The data is generated with lot_traceability only (as scripts/bench.sh does): the
# generator writes lots and move lines directly and knows nothing of later addons.
bench_db "$DB" lot_traceability
"$PY" "$ROOT/bench/trace_data.py" -c "$CONF" -d "$DB" --lines "${BENCH_LINES:-1000000}" \
    --seed "${BENCH_SEED:-42}"
echo "bench: installing/updating lot_fefo and lot_recall in $DB"
odoo_init "$DB" -i lot_fefo,lot_recall -u lot_traceability,lot_fefo,lot_recall \
    --without-demo=all
exec "$PY" "$ROOT/bench/bench_recall.py" -c "$CONF" -d "$DB" "$@"
