#!/usr/bin/env bash
# Runs redis-benchmark against redis-server (the reference, first) and
# redcurrent in the same run, so the ratio is meaningful on a noisy machine.
#   bench/run.sh [redis-benchmark args...]   default: -t ping,set,get -n 200000 -P 16 -q
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(-t ping,set,get -n 200000 -P 16 -q)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
rport=$(free_port); cport=$(free_port)
tmp=$(mktemp -d)
go build -o "$tmp/redcurrent" ./cmd/redcurrent
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" >/dev/null &
rpid=$!
"$tmp/redcurrent" --port "$cport" --loglevel warning >/dev/null &
cpid=$!
trap 'kill $rpid $cpid 2>/dev/null; rm -rf "$tmp"' EXIT
for p in "$rport" "$cport"; do
  for _ in $(seq 100); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.05; done
done
echo "== redis-server $(redis-server --version | awk '{print $3}') (reference): redis-benchmark ${args[*]}"
redis-benchmark -p "$rport" "${args[@]}" | tr '\r' '\n' | grep -v "rps=" | grep .
echo "== redcurrent: redis-benchmark ${args[*]}"
redis-benchmark -p "$cport" "${args[@]}" | tr '\r' '\n' | grep -v "rps=" | grep .
