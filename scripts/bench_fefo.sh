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
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DB=${BENCH_FEFO_DB:-lot_bench_fefo}

bench_db "$DB" lot_traceability,lot_fefo update
exec "$PY" "$ROOT/bench/bench_fefo.py" -c "$CONF" -d "$DB" --seed "${BENCH_SEED:-42}" "$@"
