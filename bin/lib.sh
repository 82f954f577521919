# Shared shell functions of bin/setup, bin/run and bin/test. Sourced, not run.
# Every failure names the step and says what to do, because a newcomer runs
# these scripts before reading any of them.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
VENV="$ROOT/.venv"
PG_VERSION=15
PG_CLUSTER=main
PG_PORT="${JENA_PG_PORT:-5432}"
REDIS_PORT="${JENA_REDIS_PORT:-6379}"
CKAN_PORT="${JENA_CKAN_PORT:-5000}"
MAPSERVER_PORT=5002  # fixed: harvesters/sources.yaml names it
PYTHON="${JENA_PYTHON:-python3}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
    # die "what failed" "what to do"
    printf '\n\033[31mFAILED: %s\033[0m\n' "$1" >&2
    [ -n "${2:-}" ] && printf 'What to do: %s\n' "$2" >&2
    exit 1
}

require_root() {
    [ "$(id -u)" = 0 ] || die "this step installs Debian packages and manages PostgreSQL, which needs root" \
        "run it as root (sudo $0)"
}

check_disk() {
    local free_kb
    free_kb=$(df -Pk "$ROOT" | awk 'NR==2 {print $4}')
    [ "${free_kb:-0}" -ge 2097152 ] || die "less than 2 GB free on the disk holding $ROOT" \
        "free some space (df -h $ROOT) and run again"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && { info "Debian packages present: $*"; return; }
    info "installing from Debian: ${missing[*]}"
    apt-get update -qq || die "apt-get update failed" "check the network to the Debian mirror and run again"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed" "read the apt output above; a full disk or a held package are the usual causes"
}

start_postgres() {
    if pg_lsclusters -h 2>/dev/null | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; then
        info "PostgreSQL $PG_VERSION/$PG_CLUSTER is running"
    else
        if port_in_use "$PG_PORT"; then
            die "port $PG_PORT is taken by another program, PostgreSQL $PG_VERSION cannot start" \
                "stop it (ss -ltnp | grep $PG_PORT) or set JENA_PG_PORT"
        fi
        pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$PG_VERSION/$PG_CLUSTER" \
            || pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -p "$PG_PORT" >/dev/null
        pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start \
            || die "PostgreSQL $PG_VERSION/$PG_CLUSTER did not start" "see /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log"
        info "PostgreSQL $PG_VERSION/$PG_CLUSTER started"
    fi
}

start_redis() {
    if redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
        info "Redis is running on port $REDIS_PORT"
        return
    fi
    port_in_use "$REDIS_PORT" && die "port $REDIS_PORT is taken by a program that is not Redis" \
        "stop it (ss -ltnp | grep $REDIS_PORT) or set JENA_REDIS_PORT"
    mkdir -p "$VAR/redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$VAR/redis" \
        --logfile "$VAR/redis/redis.log" --pidfile "$VAR/redis/redis.pid" >/dev/null \
        || die "redis-server did not start" "see $VAR/redis/redis.log"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG || die "Redis did not answer after start" "see $VAR/redis/redis.log"
    info "Redis started on port $REDIS_PORT"
}

psql_super() { (cd /tmp && runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAt "$@"); }

load_secrets() {
    [ -f "$VAR/secrets.env" ] || die "$VAR/secrets.env is missing" "run bin/setup first"
    # shellcheck disable=SC1091
    . "$VAR/secrets.env"
}
