#!/usr/bin/env bash
# `make bench-graph`: the genealogy graph of a lot drawn in headless Chromium, from opening
# it to every node drawn. Runs on an existing database with lot_traceability (default
# lot_bench, built by `make bench-trace`; this command never builds it), updates the addon
# in it, then runs bench/bench_graph.py. Last line:
#   BENCH graph lot=<name> nodes=<n> edges=<e> render_ms=<t>
# BENCH_DB picks the database (e.g. BENCH_DB=lot_demo), BENCH_LOT the lot (default: the
# recall lot stored by bench/trace_data.py, else the lot with the largest graph); extra
# arguments go to bench/bench_graph.py (e.g. --direction upstream --repeat 5).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DB=${BENCH_DB:-lot_bench}

if ! db_exists "$DB"; then
    echo "bench: database $DB not found. Build lot_bench with 'make bench-trace' (long), or" \
        "draw a graph of the demo: BENCH_DB=lot_demo make bench-graph (after 'make demo')." >&2
    exit 1
fi
# The graph's code and assets may have changed since the database was made.
odoo_init "$DB" -u lot_traceability
exec "$PY" "$ROOT/bench/bench_graph.py" -c "$CONF" -d "$DB" ${BENCH_LOT:+--lot "$BENCH_LOT"} "$@"
