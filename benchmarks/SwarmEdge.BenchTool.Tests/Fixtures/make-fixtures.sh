#!/usr/bin/env bash
# Regenerates the test fixtures: real wrk, hey and slowhttptest outputs against small local Python servers (one
# that answers, one that answers after 1.2 s, one that never answers, one that drops idle connections after 2 s,
# one that dies 1 s into the run) and a closed port; and /proc and cgroup files of this machine. The expectations
# in the tests are read off these files: after regenerating, update them. Not made here: dotnet-counters/, an excerpt
# of a real `dotnet-counters collect --format csv` of YARP alone under wrk (as run.sh's BENCH_ALLOCATIONS=1 takes it).
# Usage: benchmarks/SwarmEdge.BenchTool.Tests/Fixtures/make-fixtures.sh (needs wrk, hey, slowhttptest, python3).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
site=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$site"' EXIT
echo "hello from the fixture server" >"$site/index.html"

OK=28401 SLOW=28402 SILENT=28403 IMPATIENT=28404 CLOSED=28405 DYING=28406
for port in $OK $SLOW $SILENT $IMPATIENT $CLOSED $DYING; do
  ! ss -Hltn "sport = :$port" | grep -q . || { echo "port $port is taken" >&2; exit 1; }
done

python3 -m http.server $OK --bind 127.0.0.1 --directory "$site" >/dev/null 2>&1 &
pids+=($!)
python3 - $SLOW $SILENT $IMPATIENT >/dev/null 2>&1 <<'PY' &
import http.server, socket, sys, threading, time

class Slow(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(1.2)
        body = b"slow\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass

class Impatient(http.server.BaseHTTPRequestHandler):
    timeout = 2          # a connection that sends nothing for 2 s is closed
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass

def silent(port):
    held = []
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(512)
    while True:
        held.append(s.accept()[0])   # accepted, read from never, answered never

slow, silent_port, impatient = (int(p) for p in sys.argv[1:4])
threading.Thread(target=http.server.ThreadingHTTPServer(("127.0.0.1", slow), Slow).serve_forever, daemon=True).start()
threading.Thread(target=http.server.ThreadingHTTPServer(("127.0.0.1", impatient), Impatient).serve_forever, daemon=True).start()
silent(silent_port)
PY
pids+=($!)
for port in $OK $SLOW $SILENT $IMPATIENT; do
  for _ in $(seq 1 50); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.1; done
done

mkdir -p "$here/wrk" "$here/hey" "$here/slowhttptest"
wrk -t2 -c16 -d2s --latency "http://127.0.0.1:$OK/" >"$here/wrk/ok.txt" 2>&1 || true
wrk -t2 -c16 -d2s --latency "http://127.0.0.1:$OK/missing" >"$here/wrk/not-found.txt" 2>&1 || true
wrk -t2 -c8 -d3s --latency --timeout 5s "http://127.0.0.1:$SLOW/" >"$here/wrk/seconds.txt" 2>&1 || true
# Against a server that never answers, wrk counts no request and prints its summary all the same.
wrk -t2 -c8 -d4s --latency --timeout 1s "http://127.0.0.1:$SILENT/" >"$here/wrk/silent.txt" 2>&1 || true
wrk -t2 -c16 -d2s --latency "http://127.0.0.1:$CLOSED/" >"$here/wrk/refused.txt" 2>&1 || true

hey -z 2s -c 16 -t 2 "http://127.0.0.1:$OK/" >"$here/hey/ok.txt" 2>&1 || true
hey -z 2s -c 16 -t 2 "http://127.0.0.1:$OK/missing" >"$here/hey/not-found.txt" 2>&1 || true
hey -z 2s -c 4 -t 1 "http://127.0.0.1:$SILENT/" >"$here/hey/timeout.txt" 2>&1 || true
hey -z 2s -c 4 -t 1 "http://127.0.0.1:$CLOSED/" >"$here/hey/refused.txt" 2>&1 || true
# As run.sh stops hey after a rolling update: a long -z, then SIGINT.
hey -z 600s -c 16 -t 2 "http://127.0.0.1:$OK/" >"$here/hey/sigint.txt" 2>&1 &
hey_pid=$!
sleep 2; kill -INT $hey_pid; wait $hey_pid || true
# A server that dies 1 s into the run, as a proxy that exits during a scenario: answers, then refused connections.
dying_run() { # dying_run OUT COMMAND...
  local out=$1 server load; shift
  python3 -m http.server $DYING --bind 127.0.0.1 --directory "$site" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 50); do ss -Hltn "sport = :$DYING" | grep -q . && break; sleep 0.1; done
  "$@" >"$out" 2>&1 &
  load=$!
  sleep 1; kill $server; wait $server 2>/dev/null || true
  wait $load || true
}
dying_run "$here/wrk/server-died.txt" wrk -t2 -c16 -d3s --latency "http://127.0.0.1:$DYING/"
dying_run "$here/hey/server-died.txt" hey -z 3s -c 16 -t 2 "http://127.0.0.1:$DYING/"
# A run that never printed a summary.
hey -z 2s >"$here/hey/usage.txt" 2>&1 || true

slowhttptest -H -c 20 -r 20 -i 3 -x 24 -l 8 -p 2 -u "http://127.0.0.1:$IMPATIENT/" -v 1 >"$here/slowhttptest/closed.txt" 2>&1 || true
slowhttptest -H -c 20 -r 20 -i 3 -x 24 -l 8 -p 2 -u "http://127.0.0.1:$OK/" -v 1 >"$here/slowhttptest/open.txt" 2>&1 || true
# A /proc/PID/stat line whose command name holds spaces and parentheses (a process may set any name).
mkdir -p "$here/proc"
sh -c 'printf "%s" "x) (y z" >/proc/$$/comm; sleep 2' &
named=$!
sleep 0.5; cat "/proc/$named/stat" >"$here/proc/stat-odd-name.txt"; wait $named
cat /proc/$$/status >"$here/proc/status.txt"
# A process's cgroup ("0::PATH" is its cgroup v2), the cgroup mounts and that cgroup's cpu.stat: of a running
# container when there is one (a cgroup of its own), else of this script.
pid=$$
if command -v docker >/dev/null 2>&1 && id=$(docker ps -q 2>/dev/null | head -1) && [ -n "$id" ]; then
  pid=$(docker inspect -f '{{.State.Pid}}' "$id")
fi
cat "/proc/$pid/cgroup" >"$here/proc/cgroup.txt"
grep ' - cgroup' /proc/self/mountinfo >"$here/proc/mountinfo.txt"
mount=$(awk '$0 ~ / - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
cat "$mount$(sed -n 's/^0:://p' "/proc/$pid/cgroup")/cpu.stat" >"$here/proc/cpu.stat.txt"
echo "fixtures written to $here"
