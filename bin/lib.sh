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
# harvesters/sources.yaml names 5002; another port only for a second copy on one machine.
MAPSERVER_PORT="${JENA_MAPSERVER_PORT:-5002}"
# The portal's database (tests: ${DB_NAME}_test); another name only for a second copy.
DB_NAME="${JENA_DB_NAME:-ckan_jena}"
# CKAN, the jobs worker, the map server and Redis run as this unprivileged user.
SERVICE_USER="${JENA_SERVICE_USER:-jena}"
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

# The system user the services run as: no login, no home, its own group.
ensure_service_user() {
    if id -u "$SERVICE_USER" >/dev/null 2>&1; then
        info "system user $SERVICE_USER exists"
    else
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin --comment "Offene Daten Jena services" "$SERVICE_USER" \
            || die "useradd $SERVICE_USER failed" "read its message above"
        info "system user $SERVICE_USER created"
    fi
}

as_service_user() { setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups -- "$@"; }

# The services read the code, the virtualenv and its interpreter (which may
# live elsewhere, e.g. under pyenv in /root): every folder above them must let
# the service user pass. One that does not gets an ACL entry for that user
# alone: pass (x), not list or read; the files keep their own modes.
service_can_reach() {
    local dir="" part
    IFS=/ read -ra parts <<<"$(dirname "${1#/}")"
    for part in "${parts[@]}"; do
        [ -n "$part" ] || continue
        dir="$dir/$part"
        as_service_user test -x "$dir" && continue
        command -v setfacl >/dev/null || apt_install acl
        setfacl -m "u:$SERVICE_USER:x" "$dir" || die "$SERVICE_USER cannot enter $dir" \
            "clone the repository where other users may enter (e.g. /srv/jena), or: chmod o+x $dir"
        info "$SERVICE_USER may now pass through $dir (ACL u:$SERVICE_USER:x)"
    done
}

service_can_reach_code() {
    local python path
    python=$(readlink -f "$VENV/bin/python")
    for path in "$ROOT/bin/setup" "$python" \
            "$("$VENV/bin/python" -c 'import os, sys; print(os.path.join(sys.base_prefix, "lib"))')/x"; do
        service_can_reach "$path"
    done
    for path in "$python" "$VENV"/lib/python3*/site-packages/ckan/__init__.py \
            "$ROOT/ckanext-jena/ckanext/jena/__init__.py" "$ROOT/harvesters/samples/gis/jena.map"; do
        as_service_user test -r "$path" || die "$SERVICE_USER cannot read $path" \
            "the clone and the virtualenv must be readable by other users: chmod -R o+rX $ROOT (and clone with umask 022)"
    done
    as_service_user "$VENV/bin/python" -c 'import ckan, ckanext.jena' 2>/dev/null \
        || die "$SERVICE_USER cannot run the virtualenv's Python with CKAN" \
            "check that $python and the virtualenv are readable by other users"
}

# A service runs as $SERVICE_USER when started by root: no way back to more
# privileges (no-new-privs) and a clean environment, so it reads its settings
# from var/ckan.ini and never from the caller's CKAN_* variables. It opens
# (truncates) its log itself: root never writes into the service's folders.
# setpriv, env and sh all exec, so the pid started is the service's.
#   service_prefix; setsid "${SERVICE_PREFIX[@]}" LOG cmd… &     or     as_service LOG cmd…
# The user and the clean environment every service starts with.
_service_user_env() {
    SERVICE_PREFIX=()
    if [ "$(id -u)" = 0 ]; then
        SERVICE_PREFIX=(setpriv --reuid="$SERVICE_USER" --regid="$SERVICE_USER" --init-groups --no-new-privs --)
    fi
    SERVICE_PREFIX+=(env -i PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME=/nonexistent)
}
service_prefix() {
    _service_user_env
    SERVICE_PREFIX+=(/bin/sh -c 'cd "$1" && log="$2" && shift 2 && exec "$@" >"$log" 2>&1' sh "$ROOT")
}
as_service() { service_prefix; "${SERVICE_PREFIX[@]}" "$@"; }

# As service_prefix, but the output goes through ckanext.jena.logpipe, which
# rotates the file at JENA_LOG_MAX_BYTES (default 20 MB) and keeps
# JENA_LOG_KEEP (5) older ones, the previous start's as LOG.1. With OUTLOG
# other than -, stdout goes there and stderr to LOG (gunicorn: access log,
# error log). The service is then the shell's child: stop its process group.
#   service_prefix_rotating; setsid "${SERVICE_PREFIX[@]}" LOG OUTLOG|- cmd… &
service_prefix_rotating() {
    _service_user_env
    SERVICE_PREFIX+=(/bin/sh -c 'cd "$1" && pipe="$2 -m ckanext.jena.logpipe --max-bytes $3 --keep $4" && err="$5" && out="$6" && shift 6
            if [ "$out" = - ]; then "$@" 2>&1 | $pipe "$err"
            else { "$@" 2>&1 1>&3 | $pipe "$err"; } 3>&1 | $pipe "$out"; fi'
        sh "$ROOT" "$VENV/bin/python" "${JENA_LOG_MAX_BYTES:-20971520}" "${JENA_LOG_KEEP:-5}")
}

# Redis: a password (REDIS_PASSWORD in var/secrets.env), loopback only, run as
# $SERVICE_USER. The password reaches redis-cli through its environment, never
# its command line (which every local user can read in ps).
redis_conf() { echo "$VAR/redis-$REDIS_PORT.conf"; }
redis_dir() { echo "$VAR/redis/$REDIS_PORT"; }
redis_auth() { REDISCLI_AUTH="$REDIS_PASSWORD" timeout 10 redis-cli --no-auth-warning -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }
redis_open() { env -u REDISCLI_AUTH timeout 10 redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

# What listens on $REDIS_PORT: none, open (a Redis without password), ours
# (our password works), locked (a Redis with another password) or other.
redis_state() {
    local answer
    answer=$(redis_open ping 2>&1 || true)
    case "$answer" in
        PONG) echo open ;;
        *NOAUTH*)
            if [ -n "${REDIS_PASSWORD:-}" ] && [ "$(redis_auth ping 2>/dev/null)" = PONG ]; then echo ours; else echo locked; fi ;;
        *) if port_in_use "$REDIS_PORT"; then echo other; else echo none; fi ;;
    esac
}

redis_field() { redis_auth INFO server | tr -d '\r' | sed -n "s/^$1://p"; }

# Starts our Redis from var/redis-PORT.conf (bin/setup renders it).
launch_redis() {
    [ -n "${REDIS_PASSWORD:-}" ] && [ -f "$(redis_conf)" ] || die "Redis on port $REDIS_PORT is not configured" \
        "run bin/setup as root: it generates Redis's password and configuration"
    if [ "$(id -u)" = 0 ]; then
        install -d -o root -g "$SERVICE_USER" -m 750 "$VAR/redis"
        install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 700 "$(redis_dir)"
    else
        mkdir -p "$(redis_dir)"
    fi
    as_service "$(redis_dir)/start.log" redis-server "$(redis_conf)" \
        || die "redis-server did not start" "see $(redis_dir)/redis.log and $(redis_dir)/start.log"
    for _ in $(seq 50); do [ "$(redis_state)" = ours ] && break; sleep 0.1; done
    [ "$(redis_state)" = ours ] || die "Redis did not answer with its password after start" "see $(redis_dir)/redis.log"
    info "Redis started on 127.0.0.1:$REDIS_PORT (password set, user $(ps -o user= -p "$(redis_field process_id)" | tr -d ' '))"
}

# bin/run and bin/test: Redis as bin/setup configured it, started if down.
start_redis() {
    # bin/test does not load the secrets itself.
    [ -n "${REDIS_PASSWORD:-}" ] || [ ! -r "$VAR/secrets.env" ] || load_secrets
    case "$(redis_state)" in
        ours) info "Redis is running on port $REDIS_PORT (password set)" ;;
        open)
            [ -z "${REDIS_PASSWORD:-}" ] || die "Redis on port $REDIS_PORT answers without a password" \
                "run bin/setup as root: it restarts Redis with the password in var/secrets.env"
            # var/secrets.env from before Redis had a password: bin/setup adds one.
            info "Redis is running on port $REDIS_PORT WITHOUT a password (run bin/setup to set one)" ;;
        locked) die "Redis on port $REDIS_PORT wants a password other than the one in var/secrets.env" \
                "run bin/setup as root (it restarts a Redis it started), or set JENA_REDIS_PORT" ;;
        other) die "port $REDIS_PORT is taken by a program that is not Redis" \
                "stop it (ss -ltnp | grep $REDIS_PORT) or set JENA_REDIS_PORT" ;;
        none) launch_redis ;;
    esac
}

wait_port_free() {
    for _ in $(seq 100); do port_in_use "$1" || return 0; sleep 0.1; done
    return 1
}

# bin/setup: whatever Redis is found on the port ends up as ours. A Redis
# without password (an older set-up of ours, Debian's redis-server service) is
# stopped with its data saved, the data carried over, and ours started.
configure_redis() {
    local changed="$1" state pid user bind
    state=$(redis_state)
    case "$state" in
        none) launch_redis; return ;;
        other) die "port $REDIS_PORT is taken by a program that is not Redis" \
                "stop it (ss -ltnp | grep $REDIS_PORT) or set JENA_REDIS_PORT" ;;
        locked) stop_our_locked_redis; launch_redis; return ;;
        open) stop_open_redis; launch_redis; return ;;
    esac
    # ours: right user, loopback only, current configuration?
    pid=$(redis_field process_id)
    user=$(ps -o user= -p "$pid" 2>/dev/null | tr -d ' ' || true)
    bind=$(redis_auth CONFIG GET bind | tr -d '\r' | sed -n 2p)
    if [ "$user" = "$SERVICE_USER" ] && [ "$bind" = 127.0.0.1 ] && [ "$changed" = unchanged ]; then
        info "Redis is running on 127.0.0.1:$REDIS_PORT (password set, user $user)"
        return
    fi
    info "restarting Redis on port $REDIS_PORT (user ${user:-?}, bind ${bind:-?}, configuration $changed)"
    redis_auth SHUTDOWN >/dev/null 2>&1 || true
    # redis-cli exits 0 on "ERR Errors trying to SHUTDOWN" (its data folder is
    # gone or not writable): then without saving, the queue cannot be kept anyway.
    wait_port_free "$REDIS_PORT" || { redis_auth SHUTDOWN NOSAVE >/dev/null 2>&1 || true; wait_port_free "$REDIS_PORT"; } \
        || die "Redis on port $REDIS_PORT did not stop" "stop it by hand (redis-cli -p $REDIS_PORT shutdown)"
    launch_redis
}

stop_open_redis() {
    local pid dir file unit main
    pid=$(redis_open INFO server | tr -d '\r' | sed -n 's/^process_id://p')
    dir=$(redis_open CONFIG GET dir | tr -d '\r' | sed -n 2p)
    file=$(redis_open CONFIG GET dbfilename | tr -d '\r' | sed -n 2p)
    info "Redis on port $REDIS_PORT has no password (pid $pid): stopping it to start it with one"
    # Debian's own redis-server service would come back at the next boot.
    for unit in redis-server redis; do
        command -v systemctl >/dev/null && systemctl is-active --quiet "$unit" 2>/dev/null || continue
        main=$(systemctl show -p MainPID --value "$unit")
        [ "$main" = "$pid" ] || continue
        systemctl disable --now "$unit" >/dev/null 2>&1 || die "could not stop the $unit service" "systemctl stop $unit"
        info "Debian's $unit service stopped and disabled (the platform runs its own Redis)"
    done
    if port_in_use "$REDIS_PORT"; then
        redis_open SHUTDOWN >/dev/null 2>&1 || redis_open SHUTDOWN NOSAVE >/dev/null 2>&1 || true
    fi
    wait_port_free "$REDIS_PORT" || die "Redis on port $REDIS_PORT did not stop" "stop it by hand (redis-cli -p $REDIS_PORT shutdown)"
    # Queued jobs (validations, link checks) survive the change.
    # (Copied beside, then renamed into the service user's folder: a rename
    # replaces whatever is there and follows no link planted in it.)
    if [ -n "$dir" ] && [ -f "$dir/$file" ] && [ ! -e "$(redis_dir)/dump.rdb" ]; then
        install -d -o root -g "$SERVICE_USER" -m 750 "$VAR/redis"
        install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 700 "$(redis_dir)"
        install -o "$SERVICE_USER" -g "$SERVICE_USER" -m 600 "$dir/$file" "$VAR/redis/.dump-$REDIS_PORT.rdb"
        mv -T "$VAR/redis/.dump-$REDIS_PORT.rdb" "$(redis_dir)/dump.rdb"
        info "its data ($dir/$file) carried over"
    fi
}

# A Redis with a password we do not know: restarted only if we started it
# (its pid file is ours and names a redis-server of the service user).
stop_our_locked_redis() {
    local pidfile pid
    pidfile="$(redis_dir)/redis.pid"
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(ps -o user=,comm= -p "$pid" 2>/dev/null | awk '{print $1, $2}')" = "$SERVICE_USER redis-server" ]; then
        info "Redis on port $REDIS_PORT has another password (pid $pid, ours): restarting it"
        kill -TERM "$pid"
        wait_port_free "$REDIS_PORT" || die "Redis on port $REDIS_PORT did not stop" "kill $pid"
        return
    fi
    die "port $REDIS_PORT has a Redis with a password that is not ours" \
        "stop it, or set JENA_REDIS_PORT to a free port"
}

psql_super() { (cd /tmp && runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAt "$@"); }

load_secrets() {
    [ -f "$VAR/secrets.env" ] || die "$VAR/secrets.env is missing" "run bin/setup first"
    # shellcheck disable=SC1091
    . "$VAR/secrets.env"
}
