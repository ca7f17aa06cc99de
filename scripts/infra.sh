#!/usr/bin/env bash
# The test infrastructure: Kafka (KRaft) and RabbitMQ on loopback.
#   scripts/infra.sh start|stop|status
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
case "${1:-}" in
  start) bash "$here/kafka.sh" start && bash "$here/rabbitmq.sh" start ;;
  stop) bash "$here/kafka.sh" stop ;;
  status) bash "$here/kafka.sh" status || true; bash "$here/rabbitmq.sh" status || true ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
