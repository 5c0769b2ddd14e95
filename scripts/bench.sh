#!/usr/bin/env bash
# `make bench-trace`: database lot_bench (lot_traceability, no demo data) holding about a
# million done stock move lines, generated on the first run and reused afterwards
# (BENCH_RESET=1 rebuilds it), then the lot trace benchmark; its last line is
#   BENCH trace lines=<N> p50_ms=<x> p95_ms=<y> core_ratio=<r>
# BENCH_DB, BENCH_LINES and BENCH_SEED change the database, its size and its seed; extra
# arguments go to bench/bench_trace.py (e.g. --no-core, --core-cap 60).
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DB=${BENCH_DB:-lot_bench}

bench_db "$DB" lot_traceability update
"$PY" "$ROOT/bench/trace_data.py" -c "$CONF" -d "$DB" --lines "${BENCH_LINES:-1000000}" \
    --seed "${BENCH_SEED:-42}"
exec "$PY" "$ROOT/bench/bench_trace.py" -c "$CONF" -d "$DB" "$@"
