#!/usr/bin/env bash
# Starts one Apache Kafka node in KRaft mode (broker + controller) on 127.0.0.1:9092 for tests and
# local runs. Kafka's jars are resolved by Maven from Maven Central into a cache outside git.
#
#   scripts/kafka.sh start|stop|status|restart|logs
#
# Settings (environment): KAFKA_VERSION (default 3.9.2), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# SUBSTREAM_CACHE (default ~/.cache/substream), KAFKA_HEAP (default 1g), KAFKA_GC (zgc, the default,
# or g1 for the flags of Kafka's own start scripts), KAFKA_JVM_OPTS (more JVM flags, appended).
# GC pauses are logged to gc.log beside kafka.log.
set -euo pipefail

KAFKA_VERSION="${KAFKA_VERSION:-3.9.2}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:-1g}"
CACHE="${SUBSTREAM_CACHE:-$HOME/.cache/substream}"
HOME_DIR="$CACHE/kafka-$KAFKA_VERSION"
LIBS="$HOME_DIR/libs"
RUN_DIR="$CACHE/kafka-run-$KAFKA_PORT"
DATA_DIR="$RUN_DIR/data"
PID_FILE="$RUN_DIR/kafka.pid"
LOG_FILE="$RUN_DIR/kafka.log"
CONFIG="$RUN_DIR/server.properties"

log() { printf '[kafka] %s\n' "$*" >&2; }

# A broker pause holds up every hop of the pipeline at once: G1's young pauses (10-24 ms every
# 2-3 s under load, with the pause target of Kafka's own start scripts) each left a spike of
# 100-140 ms in the notifications' latency. ZGC pauses for well under a millisecond.
case "${KAFKA_GC:=zgc}" in
  zgc) GC_FLAGS=(-XX:+UseZGC) ;;
  # The flags of kafka-run-class.sh: without a pause target G1 aims at 200 ms.
  g1) GC_FLAGS=(-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent) ;;
  *) log "KAFKA_GC must be zgc or g1, not '$KAFKA_GC'"; exit 2 ;;
esac

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

major() { echo "${KAFKA_VERSION%%.*}"; }

resolve() {
  if [[ -f "$LIBS/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || { log "Maven (mvn) is required to resolve Kafka $KAFKA_VERSION"; exit 1; }
  mkdir -p "$HOME_DIR"
  local logging
  if [[ "$(major)" -ge 4 ]]; then
    # Kafka 4 logs through log4j2 (slf4j 1.x API); the distribution ships the binding, the artifact does not.
    logging='<dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>
             <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>'
  else
    logging='<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>'
  fi
  cat >"$HOME_DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.substream</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    $logging
  </dependencies>
</project>
POM
  log "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION with Maven (first run only)"
  rm -rf "$LIBS"
  mvn -B -q -f "$HOME_DIR/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIBS" -DincludeScope=runtime >"$HOME_DIR/resolve.log" 2>&1 || {
    log "Maven failed; see $HOME_DIR/resolve.log"; tail -20 "$HOME_DIR/resolve.log" >&2; exit 1; }
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$RUN_DIR"
  cat >"$CONFIG" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR
num.partitions=1
default.replication.factor=1
# One node: internal topics must accept a replication factor and min ISR of 1, or transactions
# and group offsets cannot be written.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
log.cleaner.enable=true
log.segment.bytes=67108864
log.retention.check.interval.ms=60000
PROPS
  if [[ "$(major)" -ge 4 ]]; then
    cat >"$RUN_DIR/log4j2.properties" <<'L4J'
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
L4J
  else
    cat >"$RUN_DIR/log4j.properties" <<'L4J'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.controller=INFO
L4J
  fi
}

java_logging_opts() {
  if [[ "$(major)" -ge 4 ]]; then
    echo "-Dlog4j2.configurationFile=$RUN_DIR/log4j2.properties"
  else
    echo "-Dlog4j.configuration=file:$RUN_DIR/log4j.properties"
  fi
}

start() {
  if pid=$(running_pid); then
    log "already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
    return 0
  fi
  if port_open "$KAFKA_PORT"; then
    log "127.0.0.1:$KAFKA_PORT already answers (a broker not started by this script); using it"
    return 0
  fi
  resolve
  write_config
  # A fresh start: stale data from a crashed run would carry an old cluster id and old topics.
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"
  local cp="$LIBS/*" cluster_id
  cluster_id=$(java -cp "$cp" $(java_logging_opts) kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  java -cp "$cp" $(java_logging_opts) kafka.tools.StorageTool format -t "$cluster_id" -c "$CONFIG" \
    >"$RUN_DIR/format.log" 2>&1 || { log "formatting storage failed:"; cat "$RUN_DIR/format.log" >&2; exit 1; }
  log "starting Kafka $KAFKA_VERSION (KRaft) on 127.0.0.1:$KAFKA_PORT; log: $LOG_FILE"
  local jvm=("${GC_FLAGS[@]}" -XX:MaxInlineLevel=15 -Djava.awt.headless=true
    "-Xlog:gc:file=$RUN_DIR/gc.log:time,uptime:filecount=2,filesize=10M")
  read -r -a extra <<<"${KAFKA_JVM_OPTS:-}"
  nohup java -Xms256m -Xmx"$KAFKA_HEAP" "${jvm[@]}" "${extra[@]}" $(java_logging_opts) \
    -cp "$cp" kafka.Kafka "$CONFIG" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local deadline=$((SECONDS + 90))
  until grep -q "Kafka Server started" "$LOG_FILE" 2>/dev/null && port_open "$KAFKA_PORT"; do
    if ! running_pid >/dev/null; then log "Kafka exited during start:"; tail -30 "$LOG_FILE" >&2; exit 1; fi
    if ((SECONDS > deadline)); then log "Kafka did not start within 90 s:"; tail -30 "$LOG_FILE" >&2; exit 1; fi
    sleep 0.5
  done
  log "ready"
}

stop() {
  local pid
  if ! pid=$(running_pid); then
    log "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "did not stop in 30 s; killing"; kill -9 "$pid" || true; fi
  rm -f "$PID_FILE"
  log "stopped"
}

status() {
  if pid=$(running_pid); then
    echo "running (pid $pid) on 127.0.0.1:$KAFKA_PORT, Kafka $KAFKA_VERSION"
  elif port_open "$KAFKA_PORT"; then
    echo "a broker not started by this script answers on 127.0.0.1:$KAFKA_PORT"
  else
    echo "stopped"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) status ;;
  logs) tail -n "${2:-100}" "$LOG_FILE" ;;
  *) echo "usage: $0 start|stop|restart|status|logs [lines]" >&2; exit 2 ;;
esac
