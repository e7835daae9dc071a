#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 for the tests, starting them if installed.
set -euo pipefail

fail() {
    echo "ensure-services: $*" >&2
    exit 1
}

# Debian's service commands need root; sudo only when not root already.
if [ "$(id -u)" -eq 0 ]; then
    as_root=()
else
    as_root=(sudo)
fi

# Retry a check for up to 30 seconds.
wait_for() {
    for _ in $(seq 30); do
        if "$@"; then
            return 0
        fi
        sleep 1
    done
    return 1
}

postgres_answers() { pg_isready --quiet -h 127.0.0.1; }
redis_answers() { [ "$(redis-cli -h 127.0.0.1 ping 2>/dev/null)" = PONG ]; }

# PostgreSQL
command -v pg_isready >/dev/null 2>&1 ||
    fail "PostgreSQL is not installed. Install it with: sudo apt-get install -y postgresql"
if ! postgres_answers; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$version" ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
        fail "PostgreSQL does not answer on 127.0.0.1:5432 and no server is installed." \
            "Install it with: sudo apt-get install -y postgresql"
    fi
    echo "Starting PostgreSQL $version"
    "${as_root[@]}" pg_ctlcluster --skip-systemctl-redirect "$version" main start ||
        fail "Could not start PostgreSQL $version (see /var/log/postgresql/)."
    wait_for postgres_answers || fail "PostgreSQL $version started but does not answer on 127.0.0.1:5432."
fi
psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1 ||
    fail "PostgreSQL answers but user postgres cannot sign in from 127.0.0.1 without a password." \
        "Allow it in pg_hba.conf: host all postgres 127.0.0.1/32 trust"
database=${TEST_DB:-consultation}
if [ -z "$(psql -h 127.0.0.1 -U postgres -d postgres -Atqc \
    "select 1 from pg_database where datname = '$database'")" ]; then
    createdb -h 127.0.0.1 -U postgres "$database"
fi

# Redis
if ! command -v redis-cli >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
    fail "Redis is not installed. Install it with: sudo apt-get install -y redis-server"
fi
if ! redis_answers; then
    echo "Starting Redis"
    "${as_root[@]}" redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
        --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log ||
        fail "Could not start Redis (see /var/log/redis/ci.log)."
    wait_for redis_answers || fail "Redis started but does not answer on 127.0.0.1:6379."
fi
