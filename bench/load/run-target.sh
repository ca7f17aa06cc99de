#!/usr/bin/env bash
# One load target run against the real service in Kafka mode: N processor instances and the HTTP
# sink in a process of its own, each with its own data directory, on topics and an application id
# unique to the run; the topics are deleted afterwards.
#
#   bash bench/load/run-target.sh <rate> <subscriptions> <processors> <duration> [name] [note]
#
# Environment: KAFKA_BROKERS (127.0.0.1:9092), CPU_PROF=1 profiles the first processor
# (node --cpu-prof into bench/results/raw/profiles/, not committed), SINK_PROF=1 the HTTP sink
# (sink-<name>.cpuprofile there), HOPS=1 also runs the per-hop
# probe (bench/load/hop-probe.ts: <name>-hops.{json,md}), SETTLE (30) the seconds at most to wait
# for the subscriptions' handshakes before the load (0: start right after registering, as before),
# WARMUP (10) the seconds at the start of the load left out of the steady-state latency,
# PROCESSOR_NODE_FLAGS Node flags of the processors (space-separated), HARNESS_NODE_FLAGS those of
# the load harness (generator threads and receiver; --cpu-prof writes one profile per thread).
# GC_EVENTS=1 logs every process's garbage collections with wall-clock times to
# bench/results/raw/<name>-gc-<index>.log (bench/load/gc-events.ts; line them up with the arrivals
# by bench/load/latency-vs-gc.ts).
# MEMORY_SAMPLES=1 samples every process's V8 heap, old space and ArrayBuffer bytes every 20 ms to
# bench/results/raw/<name>-memory-<index>.log (bench/load/memory-samples.ts; with GC_EVENTS=1,
# bench/load/promotion-rates.ts gives what grew between full collections).
# ARRIVALS=1 writes every notification's arrival and latency to bench/results/raw/<name>-arrivals.csv.
# KEEP_LOGS=1 keeps the processes' logs in bench/results/raw/logs-<name>/ (with --trace-gc, say).
set -euo pipefail
RATE=${1:?rate}; SUBS=${2:?subscriptions}; PROCS=${3:-1}; DURATION=${4:-30}
NAME=${5:-load-${RATE}x${SUBS}-p${PROCS}}; NOTE=${6:-}
BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
P="bench-$(date +%s)-$$"
WORK=$(mktemp -d -t substream-load-XXXX)
PIDS=()
# The processes run the built service: build what is checked out now.
(cd "$ROOT" && npm run build --silent)

cleanup() {
  if [[ -n ${PROBE:-} ]]; then kill -INT "$PROBE" 2>/dev/null || true; wait "$PROBE" || true; fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [[ $alive == 0 ]] && break
    sleep 0.5
  done
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  (cd "$ROOT" && npx tsx bench/load/delete-topics.ts "$BROKERS" "$P") || true
  if [[ ${KEEP_LOGS:-0} == 1 ]]; then
    mkdir -p "$ROOT/bench/results/raw/logs-$NAME" && cp "$WORK"/*.log "$ROOT/bench/results/raw/logs-$NAME/" || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export APPLICATION_ID=$P TOPIC_CHANGELOG=$P.changelog TOPIC_CHANGELOG_DLQ=$P.changelog.dlq \
  TOPIC_SUBSCRIPTIONS=$P.subscriptions TOPIC_SUBSCRIPTION_TOPICS=$P.subscription-topics \
  TOPIC_NOTIFICATIONS_REST_HOOK=$P.notifications.rest-hook TOPIC_NOTIFICATIONS_MESSAGE=$P.notifications.message \
  TOPIC_NOTIFICATIONS_KAFKA=$P.notifications.kafka TOPIC_DELIVERY_OUTCOMES=$P.delivery-outcomes \
  TOPIC_DELIVERY_DLQ=$P.delivery-dlq KAFKA_BROKERS=$BROKERS HOST=127.0.0.1 ENDPOINT_ALLOWLIST=127.0.0.1 \
  LOG_LEVEL=warn

# start <index> <mode> <port> [node flags...]: starts one process, echoes nothing, records its pid.
start() {
  local i=$1 mode=$2 port=$3; shift 3
  local preloads=()
  if [[ ${GC_EVENTS:-0} == 1 ]]; then
    mkdir -p "$ROOT/bench/results/raw"
    preloads+=(--import "$ROOT/dist/bench/load/gc-events.js")
    export GC_EVENTS_FILE="$ROOT/bench/results/raw/$NAME-gc-$i.log"
    rm -f "$GC_EVENTS_FILE"
  fi
  if [[ ${MEMORY_SAMPLES:-0} == 1 ]]; then
    mkdir -p "$ROOT/bench/results/raw"
    preloads+=(--import "$ROOT/dist/bench/load/memory-samples.js")
    export MEMORY_SAMPLES_FILE="$ROOT/bench/results/raw/$NAME-memory-$i.log"
    rm -f "$MEMORY_SAMPLES_FILE"
  fi
  PORT=$port DATA_DIR=$WORK/data-$i nohup node "${preloads[@]}" "$@" "$ROOT/bin/substream.js" run "$mode" >"$WORK/$i.log" 2>&1 &
  echo $! >"$WORK/$i.pid"
}

# ready <index> <port>: waits for /readyz; a process that reports a failed instance (it happens on
# freshly created topics, or exits when their creation races, see docs/harness.md) is restarted once with the same settings.
ready() {
  local i=$1 port=$2
  for _ in $(seq 1 120); do
    body=$(curl -s "http://127.0.0.1:$port/readyz" || true)
    [[ $body == *'"ready"'* ]] && return 0
    [[ $body == *failed* ]] && { echo "$body" >&2; return 1; }
    kill -0 "$(cat "$WORK/$i.pid")" 2>/dev/null || { tail -3 "$WORK/$i.log" >&2; return 1; }
    sleep 0.5
  done
  return 1
}

launch() {
  local i=$1 mode=$2 port=$3; shift 3
  start "$i" "$mode" "$port" "$@"
  if ! ready "$i" "$port"; then
    echo "process $i ($mode) not ready; restarting it once" >&2
    kill -9 "$(cat "$WORK/$i.pid")" 2>/dev/null || true
    sleep 1
    start "$i" "$mode" "$port" "$@"
    ready "$i" "$port" || { tail -20 "$WORK/$i.log" >&2; exit 1; }
  fi
  PIDS+=("$(cat "$WORK/$i.pid")")
}

PROF=()
if [[ ${CPU_PROF:-0} == 1 ]]; then
  mkdir -p "$ROOT/bench/results/raw/profiles"
  PROF=(--cpu-prof --cpu-prof-dir="$ROOT/bench/results/raw/profiles")
fi
# Node flags of the processors for experiments (V8 heap sizes, GC tracing), space-separated.
read -r -a PFLAGS <<<"${PROCESSOR_NODE_FLAGS:-}"
launch 0 processor 18190 "${PROF[@]}" "${PFLAGS[@]}"
for ((n = 1; n < PROCS; n++)); do launch "$n" processor $((18190 + n)) "${PFLAGS[@]}"; done
SINK_FLAGS=()
if [[ ${SINK_PROF:-0} == 1 ]]; then
  mkdir -p "$ROOT/bench/results/raw/profiles"
  SINK_FLAGS=(--cpu-prof --cpu-prof-dir="$ROOT/bench/results/raw/profiles" --cpu-prof-name="sink-$NAME.cpuprofile")
fi
launch sink http-sink 18199 "${SINK_FLAGS[@]}"

cd "$ROOT"
if [[ ${HOPS:-0} == 1 ]]; then
  node --import tsx bench/load/hop-probe.ts --brokers "$BROKERS" --prefix "$P" --name "$NAME" &
  PROBE=$!
  sleep 3 # joined and at the end of its topics before the load starts
fi

# The processes on the machine's cores that the run drives, named for its CPU budget per change
# (the load harness adds itself and the machine as a whole).
ACCOUNT=()
for ((n = 0; n < PROCS; n++)); do ACCOUNT+=("processor-$n=${PIDS[$n]}"); done
ACCOUNT+=("http-sink=${PIDS[$PROCS]}")
BROKER_PID=$(pgrep -f 'kafka\.Kafka' | head -1 || true)
[[ -n $BROKER_PID ]] && ACCOUNT+=("kafka broker=$BROKER_PID")
RABBIT_PID=$(pgrep -x beam.smp | head -1 || true)
[[ -n $RABBIT_PID ]] && ACCOUNT+=("rabbitmq=$RABBIT_PID")
[[ -n ${PROBE:-} ]] && ACCOUNT+=("hop probe=$PROBE")
PROCESSOR_URLS=()
for ((n = 0; n < PROCS; n++)); do PROCESSOR_URLS+=("http://127.0.0.1:$((18190 + n))"); done
read -r -a HFLAGS <<<"${HARNESS_NODE_FLAGS:-}"
node "${HFLAGS[@]}" --import tsx bench/load/cli.ts --rate "$RATE" --duration "$DURATION" --subscriptions "$SUBS" \
  --brokers "$BROKERS" --topic "$P.changelog" --service http://127.0.0.1:18190 --group "$P" \
  --pids "$(IFS=,; echo "${PIDS[*]}")" --account "$(IFS=,; echo "${ACCOUNT[*]}")" --processors "$(IFS=,; echo "${PROCESSOR_URLS[*]}")" --drain 120 --settle "${SETTLE:-30}" --warmup "${WARMUP:-10}" --senders "${SENDERS:-2}" --lanes "${LANES:-16}" --batch "${BATCH:-1000}" --name "$NAME" \
  ${ARRIVALS:+--arrivals "bench/results/raw/$NAME-arrivals.csv"} \
  --note "processors: $PROCS (pids ${PIDS[*]}; the last is the HTTP sink), HTTP sink in its own process; $(uptime | sed 's/.*load/load/') before the run on 2 cores shared with other developers${NOTE:+; $NOTE}"
