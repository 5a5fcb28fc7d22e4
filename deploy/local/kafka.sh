#!/usr/bin/env bash
# Local single-node Apache Kafka broker (KRaft, no ZooKeeper, no Docker) for development and tests.
#
# The broker runs from the Apache Kafka jars on Maven Central, resolved once with Maven
# (deploy/local/kafka/pom.xml) into a cache directory. Needs java (17+) and, on first use, mvn.
#
# Usage: deploy/local/kafka.sh start|stop|status|wait|logs [-f]|reset|classpath|run-class CLASS [ARGS...]
#   start      resolve jars if needed, format storage if needed, start the broker in the background
#              and wait until it answers a Kafka ApiVersions request. Idempotent.
#   stop       SIGTERM, wait up to KAFKA_STOP_TIMEOUT s, then SIGKILL. Exit 0 if nothing was running.
#   status     print the bootstrap address and exit 0 if the broker is running and answering; else exit 1.
#   wait       wait (up to KAFKA_START_TIMEOUT s) until the broker answers; exit 1 on timeout.
#   logs       print the last 200 lines of <data dir>/broker.log (-f: follow).
#   reset      stop, then delete the data dir (topics, offsets, cluster id).
#   classpath  print the resolved classpath (resolving it first if needed).
#   run-class  run a Kafka tool class on that classpath, e.g.
#              run-class org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
#
# Settings (environment variables, with defaults):
#   KAFKA_VERSION          4.4.0        Apache Kafka version (org.apache.kafka:kafka_2.13), 3.x or 4.x. Tested with
#                                       kafkajs 2.2.4: see deploy/local/README.md. A data dir formatted by one
#                                       version is refused by another (run `reset` or use another KAFKA_DATA_DIR).
#   KAFKA_PORT             9092         PLAINTEXT listener on 127.0.0.1 (the bootstrap address for clients).
#   KAFKA_CONTROLLER_PORT  9093         KRaft CONTROLLER listener on 127.0.0.1.
#   KAFKA_SASL_USERS       (empty)      `name:password,...`: the client listener becomes SASL_PLAINTEXT (PLAIN,
#                                       SCRAM-SHA-256 and SCRAM-SHA-512) with these users; the first is the broker's
#                                       own and a super user. SCRAM users are created when the data dir is formatted
#                                       (a fresh KAFKA_DATA_DIR). Names and passwords: letters, digits, . _ -
#   KAFKA_ACLS             (empty)      `on` (with KAFKA_SASL_USERS): the StandardAuthorizer, nothing allowed without
#                                       an ACL except to super users. See deploy/README.md for Baton's ACLs.
#   KAFKA_DATA_DIR         <repo root>/.baton/kafka
#                                       server.properties, cluster.id, logs/ (topic data), broker.log, kafka.pid.
#   KAFKA_CACHE_DIR        ${XDG_CACHE_HOME:-$HOME/.cache}/baton/kafka-<KAFKA_VERSION>
#                                       resolved jars (lib/) and classpath.txt.
#   KAFKA_HEAP_OPTS        -Xms256m -Xmx768m
#   KAFKA_JVM_OPTS         G1 with short pauses, exit on OOM (replaces the defaults when set).
#   KAFKA_OPTS             (empty)      extra JVM options appended to the above.
#   KAFKA_START_TIMEOUT    90           seconds `start` / `wait` wait for the broker to answer.
#   KAFKA_STOP_TIMEOUT     30           seconds `stop` waits after SIGTERM before SIGKILL.
#   JAVA                   java         Java executable.
#   MVN                    mvn          Maven executable (only used while the jars are not cached).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CONF_DIR="$SCRIPT_DIR/kafka"
POM="$CONF_DIR/pom.xml"

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.baton/kafka}"
KAFKA_CACHE_DIR="${KAFKA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/baton/kafka-$KAFKA_VERSION}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true}"
KAFKA_OPTS="${KAFKA_OPTS:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
JAVA="${JAVA:-java}"
MVN="${MVN:-mvn}"

HOST=127.0.0.1
BOOTSTRAP="$HOST:$KAFKA_PORT"
log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The data and cache dirs are created, written and partly deleted (`reset`, re-resolution) by this
# script: refuse anything that is or contains a system, home or repository directory.
safe_dir() { # NAME VALUE -> prints the absolute path
  local dir protected
  [[ -n "$2" ]] || die "$1 is empty"
  dir="$(realpath -m -- "$2")"
  case "$dir" in
    /*/*) ;;
    *) die "refusing $1=$dir: use a dedicated directory at least two levels deep" ;;
  esac
  for protected in "$HOME" "$REPO_ROOT" "$SCRIPT_DIR"; do
    [[ -n "$protected" ]] || continue
    case "${protected%/}/" in
      "$dir/"*) die "refusing $1=$dir: it is or contains $protected" ;;
    esac
  done
  printf '%s\n' "$dir"
}
KAFKA_DATA_DIR="$(safe_dir KAFKA_DATA_DIR "$KAFKA_DATA_DIR")" || exit 1
KAFKA_CACHE_DIR="$(safe_dir KAFKA_CACHE_DIR "$KAFKA_CACHE_DIR")" || exit 1
DATA_MARKER="$KAFKA_DATA_DIR/.kafka-sh-data-dir"
PID_FILE="$KAFKA_DATA_DIR/kafka.pid"
LOG_FILE="$KAFKA_DATA_DIR/broker.log"
PROPS_FILE="$KAFKA_DATA_DIR/server.properties"
LOG_DIRS="$KAFKA_DATA_DIR/logs"
CLUSTER_ID_FILE="$KAFKA_DATA_DIR/cluster.id"
VERSION_FILE="$KAFKA_DATA_DIR/kafka.version"

KAFKA_MAJOR="${KAFKA_VERSION%%.*}"
if [[ "$KAFKA_MAJOR" -ge 4 ]]; then
  LOGGING=log4j2
  LOG_OPTS="-Dlog4j2.configurationFile=$CONF_DIR/log4j2.xml"
else
  LOGGING=reload4j
  LOG_OPTS="-Dlog4j.configuration=file:$CONF_DIR/log4j.properties"
fi

# ---------------------------------------------------------------------------------------------
# Jar resolution

# Fingerprint of what the cache was resolved from; a changed pom or version re-resolves.
cache_stamp() {
  printf '%s %s %s\n' "$KAFKA_VERSION" "$LOGGING" "$(sha256sum "$POM" | cut -d' ' -f1)"
}

classpath_ready() {
  [[ -f "$KAFKA_CACHE_DIR/.resolved" && -f "$KAFKA_CACHE_DIR/classpath.txt" ]] &&
    [[ "$(cat "$KAFKA_CACHE_DIR/.resolved")" == "$(cache_stamp)" ]]
}

resolve_classpath() {
  classpath_ready && return 0
  command -v "$MVN" >/dev/null || die "jars for Kafka $KAFKA_VERSION are not cached in $KAFKA_CACHE_DIR and '$MVN' is not installed"
  if [[ ! -d "$KAFKA_CACHE_DIR" || -z "$(ls -A "$KAFKA_CACHE_DIR")" ]]; then
    mkdir -p "$KAFKA_CACHE_DIR"
    touch "$KAFKA_CACHE_DIR/.kafka-sh-cache"
  fi
  [[ -e "$KAFKA_CACHE_DIR/.kafka-sh-cache" ]] ||
    die "$KAFKA_CACHE_DIR is not empty and was not created by kafka.sh; choose another KAFKA_CACHE_DIR"
  exec 8>"$KAFKA_CACHE_DIR/.lock"
  flock -w 600 8 || die "timed out waiting for the lock on $KAFKA_CACHE_DIR"
  if classpath_ready; then exec 8>&-; return 0; fi

  local tmp mvn_log started
  tmp="$(mktemp -d "$KAFKA_CACHE_DIR/lib.tmp.XXXXXX")"
  chmod 755 "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  mvn_log="$KAFKA_CACHE_DIR/mvn.log"
  local args=(-B -f "$POM" -Dkafka.version="$KAFKA_VERSION" -Dkafka.logging="$LOGGING"
    -Dbaton.build.dir="$KAFKA_CACHE_DIR/mvn-build"
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp")
  started=$SECONDS
  log "resolving Kafka $KAFKA_VERSION jars into $KAFKA_CACHE_DIR"
  if ! "$MVN" -q -o "${args[@]}" >"$mvn_log" 2>&1; then
    log "not all in the local Maven repository; resolving online (Maven Central)"
    if ! "$MVN" -q "${args[@]}" >"$mvn_log" 2>&1; then
      tail -n 40 "$mvn_log" >&2
      rm -rf "$tmp"
      die "Maven could not resolve Kafka $KAFKA_VERSION (full log: $mvn_log)"
    fi
  fi
  compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || { rm -rf "$tmp"; die "Maven resolved no kafka_2.13 jar (log: $mvn_log)"; }
  rm -rf "${KAFKA_CACHE_DIR:?}/lib"
  mv "$tmp" "$KAFKA_CACHE_DIR/lib"
  trap - EXIT
  (
    shopt -s nullglob
    jars=("$KAFKA_CACHE_DIR"/lib/*.jar)
    IFS=:
    printf '%s\n' "${jars[*]}"
  ) >"$KAFKA_CACHE_DIR/classpath.txt"
  cache_stamp >"$KAFKA_CACHE_DIR/.resolved"
  log "resolved $(tr ':' '\n' <"$KAFKA_CACHE_DIR/classpath.txt" | grep -c .) jars in $((SECONDS - started)) s"
  exec 8>&-
}

classpath() { cat "$KAFKA_CACHE_DIR/classpath.txt"; }

# ---------------------------------------------------------------------------------------------
# Process and readiness checks

# Pid of the broker started by this script for this data dir, or nothing.
broker_pid() {
  local pid="" args
  [[ -f "$PID_FILE" ]] && pid="$(tr -dc '0-9' <"$PID_FILE")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
    if [[ "$args" == *"kafka.Kafka $PROPS_FILE"* ]]; then
      echo "$pid"
      return 0
    fi
  fi
  # Pid file lost or stale: look for a broker running on exactly this data dir's config.
  if command -v pgrep >/dev/null; then
    pid="$(pgrep -f -- "kafka\.Kafka $PROPS_FILE\$" | head -n1 || true)"
    [[ -n "$pid" ]] && { echo "$pid"; return 0; }
  fi
  return 1
}

# A real Kafka protocol round trip: ApiVersions v0 (api key 18, correlation id 42) on the
# PLAINTEXT listener. The broker only processes requests once it has fully started.
kafka_answers() {
  local out
  # shellcheck disable=SC2016 # expanded by the inner bash
  out="$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "\x00\x00\x00\x15\x00\x12\x00\x00\x00\x00\x00\x2a\x00\x0bbaton-probe" >&3
    od -An -tx1 -N10 <&3
  ' "$HOST" "$KAFKA_PORT" 2>/dev/null)" || return 1
  out="${out//[[:space:]]/}"
  # int32 size, int32 correlation id (= 42), int16 error code
  [[ "${out:8:8}" == "0000002a" ]]
}

port_open() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$1" 2>/dev/null
}

wait_ready() {
  local pid="${1:-}" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 2
    fi
    kafka_answers && return 0
    sleep 0.25
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# Commands

write_config() {
  mkdir -p "$LOG_DIRS"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
    -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@KAFKA_LOG_DIRS@|$LOG_DIRS|g" \
    "$CONF_DIR/server.properties.template" >"$PROPS_FILE.tmp"
  if [[ "$KAFKA_MAJOR" -ge 4 ]]; then
    # Share groups (KIP-932) keep their state in an internal topic with replication factor 3 by default.
    printf '%s\n' '' '# Kafka 4.x: share-group state topic on a single node.' \
      'share.coordinator.state.topic.replication.factor=1' \
      'share.coordinator.state.topic.min.isr=1' >>"$PROPS_FILE.tmp"
  fi
  [[ -n "${KAFKA_SASL_USERS:-}" ]] && sasl_config "$PROPS_FILE.tmp"
  mv "$PROPS_FILE.tmp" "$PROPS_FILE"
}

# KAFKA_SASL_USERS as lines `name password`, refusing what the JAAS config cannot quote.
sasl_users() {
  local entry
  IFS=',' read -ra entries <<<"$KAFKA_SASL_USERS"
  for entry in "${entries[@]}"; do
    [[ "$entry" =~ ^([A-Za-z0-9._-]+):([A-Za-z0-9._-]+)$ ]] ||
      die "KAFKA_SASL_USERS: '$entry' is not name:password (letters, digits, . _ -)"
    printf '%s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  done
}

sasl_config() { # FILE: the client listener becomes SASL_PLAINTEXT; the controller stays on loopback
  local file="$1" broker password name secret plain_users=""
  read -r broker password < <(sasl_users | head -n 1)
  while read -r name secret; do plain_users+=" user_$name=\"$secret\""; done < <(sasl_users)
  sed -i -e 's|^listeners=PLAINTEXT://|listeners=SASL_PLAINTEXT://|' \
    -e 's|^advertised.listeners=PLAINTEXT://|advertised.listeners=SASL_PLAINTEXT://|' \
    -e 's|^listener.security.protocol.map=.*|listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT|' \
    -e 's|^inter.broker.listener.name=.*|inter.broker.listener.name=SASL_PLAINTEXT|' "$file"
  {
    echo ''
    echo '# KAFKA_SASL_USERS: clients authenticate (PLAIN or SCRAM); the broker talks to itself as the first user.'
    echo 'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512'
    echo 'sasl.mechanism.inter.broker.protocol=PLAIN'
    echo "listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$broker\" password=\"$password\"$plain_users;"
    echo 'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;'
    echo 'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;'
    if [[ "${KAFKA_ACLS:-}" == on ]]; then
      echo '# KAFKA_ACLS=on: nothing without an ACL, except the super users. The controller listener'
      echo '# (loopback, unauthenticated: User:ANONYMOUS) is the node talking to itself.'
      echo 'authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer'
      echo "super.users=User:$broker;User:ANONYMOUS"
      echo 'allow.everyone.if.no.acl.found=false'
    fi
  } >>"$file"
}

format_storage() {
  if [[ -f "$LOG_DIRS/meta.properties" ]]; then
    local formatted
    formatted="$(cat "$VERSION_FILE" 2>/dev/null || echo unknown)"
    if [[ "$formatted" != "$KAFKA_VERSION" ]]; then
      die "$KAFKA_DATA_DIR was formatted by Kafka $formatted, not $KAFKA_VERSION; run '$0 reset' (deletes its data) or use another KAFKA_DATA_DIR"
    fi
    return 0
  fi
  local cluster_id
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    cluster_id="$(cat "$CLUSTER_ID_FILE")"
  else
    # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding (22 characters). It may
    # start with '-', hence --cluster-id=<id> below rather than -t <id> (read as an option).
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    echo "$cluster_id" >"$CLUSTER_ID_FILE"
  fi
  log "formatting $LOG_DIRS (cluster id $cluster_id)"
  local scram=() name secret
  if [[ -n "${KAFKA_SASL_USERS:-}" ]]; then
    while read -r name secret; do
      scram+=(--add-scram "SCRAM-SHA-256=[name=$name,password=$secret]"
        --add-scram "SCRAM-SHA-512=[name=$name,password=$secret]")
    done < <(sasl_users)
  fi
  # shellcheck disable=SC2086
  if ! "$JAVA" -Xmx256m $LOG_OPTS -cp "$(classpath)" kafka.tools.StorageTool \
    format --cluster-id="$cluster_id" -c "$PROPS_FILE" "${scram[@]}" >"$KAFKA_DATA_DIR/format.log" 2>&1; then
    cat "$KAFKA_DATA_DIR/format.log" >&2
    die "formatting the KRaft storage failed"
  fi
  echo "$KAFKA_VERSION" >"$VERSION_FILE"
}

lock_data_dir() {
  if [[ -d "$KAFKA_DATA_DIR" && ! -e "$DATA_MARKER" ]] && [[ -n "$(ls -A "$KAFKA_DATA_DIR")" ]]; then
    die "$KAFKA_DATA_DIR exists, is not empty and was not created by kafka.sh; choose another KAFKA_DATA_DIR"
  fi
  mkdir -p "$KAFKA_DATA_DIR"
  touch "$DATA_MARKER"
  exec 9>"$KAFKA_DATA_DIR/.lock"
  flock -w $((KAFKA_START_TIMEOUT + KAFKA_STOP_TIMEOUT + 60)) 9 || die "timed out waiting for the lock on $KAFKA_DATA_DIR"
}

cmd_start() {
  command -v "$JAVA" >/dev/null || die "'$JAVA' not found: install a Java 17+ runtime"
  lock_data_dir
  local pid started=$SECONDS rc
  if pid="$(broker_pid)"; then
    if kafka_answers; then
      log "already running (pid $pid) on $BOOTSTRAP"
      echo "$BOOTSTRAP"
      return 0
    fi
    log "broker pid $pid is running but not answering yet; waiting"
    rc=0; wait_ready "$pid" || rc=$?
    if ((rc == 0)); then echo "$BOOTSTRAP"; return 0; fi
    tail -n 60 "$LOG_FILE" >&2 || true
    die "broker pid $pid did not answer on $BOOTSTRAP within ${KAFKA_START_TIMEOUT}s (stop it with '$0 stop')"
  fi
  if port_open "$KAFKA_PORT"; then
    die "port $KAFKA_PORT is already in use by another process (not a broker started by this script for $KAFKA_DATA_DIR); set KAFKA_PORT"
  fi
  if port_open "$KAFKA_CONTROLLER_PORT"; then
    die "port $KAFKA_CONTROLLER_PORT is already in use by another process; set KAFKA_CONTROLLER_PORT"
  fi

  # Checked here: the functions that read the users run in subshells, where die cannot stop us.
  if [[ -n "${KAFKA_SASL_USERS:-}" ]]; then sasl_users >/dev/null || exit 1; fi
  resolve_classpath
  write_config
  format_storage

  [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
  log "starting Kafka $KAFKA_VERSION on $BOOTSTRAP (data: $KAFKA_DATA_DIR)"
  # shellcheck disable=SC2086
  nohup setsid "$JAVA" $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS $LOG_OPTS $KAFKA_OPTS \
    -Dkafka.logs.dir="$KAFKA_DATA_DIR" -cp "$(classpath)" \
    kafka.Kafka "$PROPS_FILE" >"$LOG_FILE" 2>&1 </dev/null 9>&- &
  pid=$!
  echo "$pid" >"$PID_FILE"
  # nohup and setsid exec into java, so $! is the broker's pid. Should setsid have forked
  # instead, record the java process found by its command line.
  local real
  sleep 0.3
  if ! kill -0 "$pid" 2>/dev/null || [[ "$(ps -o args= -p "$pid" 2>/dev/null)" != *kafka.Kafka* ]]; then
    if real="$(broker_pid)"; then pid="$real"; echo "$pid" >"$PID_FILE"; fi
  fi

  rc=0; wait_ready "$pid" || rc=$?
  if ((rc == 0)); then
    log "ready on $BOOTSTRAP (pid $pid) after $((SECONDS - started)) s"
    echo "$BOOTSTRAP"
    return 0
  fi
  if ((rc == 2)); then
    log "the broker exited during startup; last lines of $LOG_FILE:"
    tail -n 60 "$LOG_FILE" >&2 || true
    rm -f "$PID_FILE"
    exit 1
  fi
  log "the broker did not answer on $BOOTSTRAP within ${KAFKA_START_TIMEOUT}s; last lines of $LOG_FILE:"
  tail -n 60 "$LOG_FILE" >&2 || true
  stop_broker >/dev/null 2>&1 || true
  exit 1
}

stop_broker() {
  local pid deadline
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping broker pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_stop() {
  [[ -d "$KAFKA_DATA_DIR" ]] || { log "not running"; return 0; }
  lock_data_dir
  stop_broker
}

cmd_status() {
  local pid
  if pid="$(broker_pid)"; then
    if kafka_answers; then
      log "running: Kafka $(cat "$VERSION_FILE" 2>/dev/null || echo "?"), pid $pid, data $KAFKA_DATA_DIR"
      echo "$BOOTSTRAP"
      return 0
    fi
    log "pid $pid is running but not answering on $BOOTSTRAP"
    return 1
  fi
  if kafka_answers; then
    log "not running from this script, but something answers Kafka requests on $BOOTSTRAP"
  else
    log "not running"
  fi
  return 1
}

cmd_wait() {
  local pid="" rc=0
  pid="$(broker_pid || true)"
  wait_ready "$pid" || rc=$?
  case $rc in
    0) echo "$BOOTSTRAP" ;;
    2) die "the broker exited (see '$0 logs')" ;;
    *) die "nothing answered on $BOOTSTRAP within ${KAFKA_START_TIMEOUT}s" ;;
  esac
}

cmd_logs() {
  [[ -f "$LOG_FILE" ]] || die "no log at $LOG_FILE"
  if [[ "${1:-}" == "-f" ]]; then exec tail -n 200 -F "$LOG_FILE"; fi
  tail -n 200 "$LOG_FILE"
}

cmd_reset() {
  if [[ ! -d "$KAFKA_DATA_DIR" ]]; then
    log "nothing to reset at $KAFKA_DATA_DIR"
    return 0
  fi
  lock_data_dir
  stop_broker
  # Only what this script creates; a directory with anything else in it is left in place.
  rm -rf -- "$LOG_DIRS"
  rm -f -- "$PROPS_FILE" "$PROPS_FILE.tmp" "$CLUSTER_ID_FILE" "$VERSION_FILE" "$PID_FILE" \
    "$LOG_FILE" "$LOG_FILE.1" "$KAFKA_DATA_DIR/format.log" "$KAFKA_DATA_DIR/.lock" "$DATA_MARKER"
  if rmdir -- "$KAFKA_DATA_DIR" 2>/dev/null; then
    log "deleted $KAFKA_DATA_DIR"
  else
    log "deleted the broker data; $KAFKA_DATA_DIR still holds other files, left in place"
  fi
}

cmd_run_class() {
  [[ $# -ge 1 ]] || die "usage: $0 run-class CLASS [ARGS...]"
  resolve_classpath
  # shellcheck disable=SC2086
  exec "$JAVA" -Xmx512m $LOG_OPTS -cp "$(classpath)" "$@"
}

usage() {
  sed -n '/^# Usage:/,/^# Settings/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  wait) cmd_wait ;;
  logs) cmd_logs "$@" ;;
  reset) cmd_reset ;;
  classpath) resolve_classpath && classpath ;;
  run-class) cmd_run_class "$@" ;;
  -h | --help | help) usage 0 ;;
  *) usage ;;
esac
