#!/usr/bin/env bash
# Makes sure RabbitMQ answers on 127.0.0.1:5672 (guest/guest), starting the local server when it does not.
#   scripts/rabbitmq.sh start|status
set -euo pipefail
PORT="${RABBITMQ_PORT:-5672}"
log() { printf '[rabbitmq] %s\n' "$*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  if port_open "$PORT"; then log "answering on 127.0.0.1:$PORT"; return 0; fi
  command -v rabbitmq-server >/dev/null || { log "rabbitmq-server is not installed (apt-get install rabbitmq-server)"; exit 1; }
  log "starting rabbitmq-server -detached"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  local deadline=$((SECONDS + 90))
  until port_open "$PORT" && rabbitmqctl -q status >/dev/null 2>&1; do
    if ((SECONDS > deadline)); then log "RabbitMQ did not start within 90 s"; exit 1; fi
    sleep 1
  done
  log "ready"
}

case "${1:-}" in
  start) start ;;
  status) if port_open "$PORT"; then echo "answering on 127.0.0.1:$PORT"; else echo stopped; exit 3; fi ;;
  *) echo "usage: $0 start|status" >&2; exit 2 ;;
esac
