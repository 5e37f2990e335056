#!/usr/bin/env bash
# Starts, stops or restarts the Docker daemon the way CI runs it: `dockerd` with no flags (its
# defaults: /var/run/docker.sock, pid file /var/run/docker.pid, live-restore off), detached, its
# output appended to $DOCKERD_LOG. Used by .ci/run and by the dockerd-restart suite
# (test/restart/), so both agree on how the daemon is started. Idempotent: `start` does nothing
# when an engine answers, `stop` nothing when none runs.
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/berth-ci-dockerd.log}"
PID_FILE=/var/run/docker.pid

answers() { docker info >/dev/null 2>&1; }

start() {
  if answers; then return 0; fi
  echo "starting dockerd (log: $DOCKERD_LOG)"
  # Its own session, so a test runner's process group ending does not take the daemon with it.
  setsid nohup dockerd </dev/null >>"$DOCKERD_LOG" 2>&1 &
  for _ in $(seq 1 240); do
    answers && return 0
    sleep 0.25
  done
  echo "dockerd did not answer within 60 s; the end of its log:" >&2
  tail -n 40 "$DOCKERD_LOG" >&2
  return 1
}

stop() {
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then return 0; fi
  echo "stopping dockerd (pid $pid)"
  kill -TERM "$pid"
  # dockerd stops its containers first (each within its stop timeout), then exits.
  for _ in $(seq 1 480); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  echo "dockerd (pid $pid) did not exit within 120 s" >&2
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop && start ;;
  *)
    echo "usage: $0 start|stop|restart" >&2
    exit 2
    ;;
esac
