# Sourced by the bench scripts: the set-up they all start with, and their database steps.
# Sets ROOT, CONF and PY, with the virtualenv and PostgreSQL ready (scripts/bootstrap.sh,
# .local/env.sh).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/bootstrap.sh"
# shellcheck source=/dev/null
. "$ROOT/.local/env.sh"
CONF="$ROOT/.local/odoo.conf"
PY="$ROOT/.venv/bin/python"

# db_exists DB: whether the database DB exists.
db_exists() {
    psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1
}

# odoo_init DB ARGS...: run Odoo on DB with ARGS until its modules are loaded, logging to
# .local/install-DB.log, whose end is shown on failure.
odoo_init() {
    local db=$1
    shift
    "$PY" -m odoo -c "$CONF" -d "$db" "$@" --stop-after-init --log-level=warn \
        --logfile="$ROOT/.local/install-$db.log" || {
        tail -n 40 "$ROOT/.local/install-$db.log"
        return 1
    }
}

# bench_db DB MODULES [update]: create DB with MODULES and without demo data (dropped again
# if that fails) unless it exists (BENCH_RESET=1 drops it first); an existing DB gets
# MODULES updated with "update", as the addons' code may have changed since it was made
# (fields, indexes).
bench_db() {
    local db=$1 modules=$2
    [ "${BENCH_RESET:-0}" = 1 ] && dropdb --if-exists "$db"
    if ! db_exists "$db"; then
        echo "bench: creating database $db with $modules, without demo data"
        odoo_init "$db" -i "$modules" --without-demo=all || {
            dropdb --if-exists "$db"
            exit 1
        }
    elif [ "${3:-}" = update ]; then
        odoo_init "$db" -u "$modules" || exit 1
    fi
}
