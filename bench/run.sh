#!/usr/bin/env bash
# Runs redis-benchmark against redis-server (the reference, first) and
# redcurrent in the same run, so the ratio is meaningful on a noisy machine.
#   bench/run.sh [redis-benchmark args...]   default: -t ping,set,get -n 200000 -P 16 -q
#   ROUNDS=4 bench/run.sh ...   alternates the two servers 4 times and prints,
#                               per test, the median requests/s and their ratio
#                               (needs -q)
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
rounds=${ROUNDS:-1}
if [ "$rounds" -le 1 ]; then
  echo "== redis-server $(redis-server --version | awk '{print $3}') (reference): redis-benchmark ${args[*]}"
  redis-benchmark -p "$rport" "${args[@]}" | tr '\r' '\n' | grep -v "rps=" | grep .
  echo "== redcurrent: redis-benchmark ${args[*]}"
  redis-benchmark -p "$cport" "${args[@]}" | tr '\r' '\n' | grep -v "rps=" | grep .
  exit 0
fi
for _ in $(seq "$rounds"); do
  for who in redis:"$rport" redcurrent:"$cport"; do
    redis-benchmark -p "${who#*:}" "${args[@]}" | tr '\r' '\n' | grep -v "rps=" |
      sed -n "s/^\(.*\): \([0-9.]*\) requests per second.*/${who%%:*}\t\1\t\2/p"
  done
done > "$tmp/results"
echo "== redis-benchmark ${args[*]}: median of $rounds alternating rounds (redis-server $(redis-server --version | awk '{print $3}') first)"
python3 - "$tmp/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    who, test, rps = line.rstrip("\n").split("\t")
    runs.setdefault(test, {}).setdefault(who, []).append(float(rps))
for test, by in runs.items():
    r, c = statistics.median(by["redis"]), statistics.median(by["redcurrent"])
    print(f"{test}: redis-server {r:,.0f}/s, redcurrent {c:,.0f}/s, ratio {c / r:.2f}x")
PY
