#!/usr/bin/env bash
# Compares SwarmEdge with nginx (static upstream and re-resolving), HAProxy and Caddy on the same swarm, under
# the same load, one proxy at a time. Usage: benchmarks/run.sh [--quick] [--only swarmedge,haproxy,...] [--warmup S]
#        benchmarks/run.sh --slow-clients [--only ...]: normal clients before and during 1,000 slow-header and
#        slow-body connections (slowhttptest), instead of the other scenarios (default: swarmedge,haproxy).
#        benchmarks/run.sh --https [--only ...]: every proxy terminating TLS with the same certificate: keep-alive
#        throughput and new TLS handshakes per second (default: swarmedge,haproxy,nginx-static,caddy).
# Results: benchmarks/results/latest.{md,csv,png} (--slow-clients: results/slow-clients.md, --https:
# results/https.md), written by benchmarks/SwarmEdge.BenchTool from what the run recorded in
# artifacts/bench/results.txt; raw wrk, hey and slowhttptest outputs and logs: artifacts/bench/.
# BENCH_FAIL_TIMEOUT (whole seconds, default 2): hey's per-request timeout in the failure scenarios.
# BENCH_SWARMEDGE_ARGS: settings added to SwarmEdge's command line (an A/B run of one setting).
# BENCH_SWARMEDGE_ENV: environment variables (NAME=value, space-separated) for SwarmEdge's process alone.
# BENCH_ADMIN_POLL=1: SwarmEdge's dashboard API read once a second during the throughput run (its cost on the proxy).
# BENCH_SCENARIOS: the scenarios to run, of "baseline throughput update kill scaleup" (default: all): an A/B of a
# setting that only changes the cost per request needs "baseline throughput".
# BENCH_PROFILE=1: the proxy profiled with perf during the throughput run: CPU by layer and system calls per request
# in artifacts/bench/raw/PROXY-layers.txt (totals of that run include the profiler's cost).
# BENCH_ALLOCATIONS=1: the .NET proxies' allocations during the throughput run (dotnet-counters and dotnet-trace):
# bytes per request and the types allocated most in artifacts/bench/raw/PROXY-allocations.txt (the JIT build of
# SwarmEdge only: a Native AOT binary has no diagnostics IPC).
# BENCH_SERVICE_LABELS: labels added to the benchmark service (key=value, space-separated: a middleware chain).
# BENCH_SWARMEDGE_DIR: a SwarmEdge published beforehand (its directory) instead of a fresh `dotnet publish`: a
# build variant, such as Native AOT (-p:PublishAot=true), measured against the usual one.
# See benchmarks/README.md.
set -euo pipefail
shopt -s lastpipe

root="$(cd "$(dirname "$0")/.." && pwd)"
here="$root/benchmarks"
work="$root/artifacts/bench"
raw="$work/raw"
results="$here/results"
RESULTS="$work/results.txt"   # what the run measured, one key=value line each (see bench-tool's ResultsReader)
ALL_PROXIES=(swarmedge yarp nginx-static nginx-resolve haproxy caddy)

quick=0
only=""
warmup=""
slow=0
https=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --only) only="${2:?--only needs a list, e.g. swarmedge,haproxy}"; shift ;;
    --only=*) only="${1#--only=}" ;;
    --warmup) warmup="${2:?--warmup needs seconds}"; shift ;;
    --warmup=*) warmup="${1#--warmup=}" ;;
    --slow-clients) slow=1 ;;
    --https) https=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "bench: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

proxies=()
if [ -n "$only" ]; then
  IFS=, read -r -a wanted <<<"$only"
  for p in "${ALL_PROXIES[@]}"; do
    for w in "${wanted[@]}"; do
      if [ "$w" = "$p" ] || { [ "$w" = nginx ] && [[ $p == nginx-* ]]; }; then proxies+=("$p"); break; fi
    done
  done
  for w in "${wanted[@]}"; do
    [[ " ${ALL_PROXIES[*]} nginx " == *" $w "* ]] || { echo "bench: unknown proxy '$w' (known: ${ALL_PROXIES[*]})" >&2; exit 2; }
  done
elif [ $slow = 1 ]; then
  proxies=(swarmedge haproxy)
elif [ $https = 1 ]; then
  proxies=(swarmedge haproxy nginx-static caddy)
else
  proxies=("${ALL_PROXIES[@]}")
fi

NPROC=$(nproc)
if [ $quick = 1 ]; then DUR=5; WARM=2; KILL_DUR=8; else DUR=20; WARM=20; KILL_DUR=15; fi
if [ -n "$warmup" ]; then
  [[ $warmup =~ ^[1-9][0-9]*$ ]] || { echo "bench: --warmup needs a whole number of seconds" >&2; exit 2; }
  WARM=$warmup
fi
CONNS=64            # throughput and baseline (wrk)
FAIL_CONNS=16       # hey workers in the failure scenarios: rolling update, SIGKILL, node loss
# hey's per-request timeout (s) in the failure scenarios: a request without a 2xx answer by then is failed.
BENCH_FAIL_TIMEOUT=${BENCH_FAIL_TIMEOUT:-2}
[[ $BENCH_FAIL_TIMEOUT =~ ^[1-9][0-9]*$ ]] || { echo "bench: BENCH_FAIL_TIMEOUT must be whole seconds (hey -t)" >&2; exit 2; }
KILL_AT=3           # seconds into the SIGKILL run
AFTER_UPDATE=3      # seconds of load after `service update` returns
SCALE_CAP=60
REPLICAS=3
SCALED=6
HOSTNAME_HDR=bench.local
declare -A PORT=([swarmedge]=18081 [nginx-static]=18082 [nginx-resolve]=18083 [haproxy]=18084 [caddy]=18085 [yarp]=18086)
# Every proxy also terminates TLS on its port + 1000, with the same certificate (made below, ECDSA P-256).
TLS_OFFSET=1000
ADMIN_PORT=18091
declare -A LABEL=([swarmedge]="SwarmEdge" [yarp]="YARP alone (static, reference)" [nginx-static]="nginx (static upstream)"
                  [nginx-resolve]="nginx (resolver + variable)" [haproxy]="HAProxy" [caddy]="Caddy")

log() { echo "bench: $*" >&2; }
die() { echo "bench: ERROR: $*" >&2; exit 1; }
now() { echo "$EPOCHREALTIME"; }
# benchmarks/SwarmEdge.BenchTool, published at the start: parses the wrk, hey and slowhttptest outputs, samples the
# proxies' CPU time and memory, and writes the results files.
BENCH="$work/bench-tool/bench-tool"
# hms SECONDS: a duration as the .NET tools take it (hh:mm:ss).
hms() { printf '%02d:%02d:%02d' $(( $1 / 3600 )) $(( $1 % 3600 / 60 )) $(( $1 % 60 )); }
# put KEY VALUE: one fact of the run for bench-tool (a newline in VALUE becomes a space).
put() { printf '%s=%s\n' "$1" "${2//$'\n'/ }" >>"$RESULTS"; }
[ "$(id -u)" = 0 ] || die "must run as root"

# ------------------------------------------------------------------------------------------- packages
install_packages() {
  local need=() pair
  for pair in wrk:wrk hey:hey slowhttptest:slowhttptest nginx:nginx-light haproxy:haproxy caddy:caddy gnuplot:gnuplot-nox jq:jq curl:curl \
              dig:dnsutils envsubst:gettext-base nsenter:util-linux unshare:util-linux flock:util-linux clang:clang; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
  done
  # SwarmEdge is published with Native AOT, as it ships: clang links it against zlib.
  [ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
  # gnuplot needs a PNG terminal (pngcairo or png).
  if command -v gnuplot >/dev/null && ! gnuplot -e 'set terminal' 2>&1 | grep -qE '^ *(pngcairo|png) '; then need+=(gnuplot-nox); fi
  [ ${#need[@]} -gt 0 ] || return 0
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The packages must not start their system services (nothing here may hold ports): a policy-rc.d that
  # refuses every start, unless one is already there.
  local policy=/usr/sbin/policy-rc.d added=0
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; added=1; fi
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$work/apt.log" 2>&1 \
    || { [ $added = 0 ] || rm -f "$policy"; tail -20 "$work/apt.log" >&2; die "apt-get install failed (log: $work/apt.log)"; }
  [ $added = 0 ] || rm -f "$policy"
}

# BENCH_ALLOCATIONS=1: the runtime team's diagnostics tools, as .NET global tools.
install_dotnet_tools() {
  [ "${BENCH_ALLOCATIONS:-0}" = 1 ] || return 0
  export PATH="$PATH:$HOME/.dotnet/tools"
  local tool
  for tool in dotnet-counters dotnet-trace; do
    command -v "$tool" >/dev/null 2>&1 || dotnet tool install -g "$tool" >"$work/$tool-install.log" 2>&1 \
      || { tail -5 "$work/$tool-install.log" >&2; die "dotnet tool install $tool failed"; }
  done
}

# Stop system instances the packages may have started anyway (a machine with systemd ignores policy-rc.d).
stop_system_services() {
  local s
  for s in nginx haproxy caddy; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$s" 2>/dev/null; then
      log "stopping the system $s service"; systemctl stop "$s" || true; systemctl disable "$s" >/dev/null 2>&1 || true
    elif [ -x "/etc/init.d/$s" ] && "/etc/init.d/$s" status >/dev/null 2>&1; then
      log "stopping the system $s service"; "/etc/init.d/$s" stop >/dev/null 2>&1 || true
    fi
  done
}

# ------------------------------------------------------------------------------------------- lab objects
SVC="" NET="" EDGE="" EDGE_PID=""
BG_PIDS=()          # processes this script started in the background (proxies, hey, samplers)
# Node-loss objects on the multi-node lab (own dockerd sockets): service, network, edge container; a cut link.
NL_HOST="" NL_SVC="" NL_NET="" NL_EDGE="" NL_EDGE_PID="" NL_CUT=""

kill_tree() { # kill_tree SIGNAL PID: the PID and its descendants
  local sig=$1 pid=$2 kids c
  kids=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
  kill "-$sig" "$pid" 2>/dev/null || true
  for c in $kids; do kill_tree "$sig" "$c"; done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  [ -n "${DOCKER_HOST:-}" ] && use_lab single     # interrupted during the node-loss scenario
  local p
  for p in "${BG_PIDS[@]}"; do kill_tree TERM "$p"; done
  sleep 0.5
  for p in "${BG_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && kill_tree KILL "$p"; done
  [ -n "$SVC" ] && docker service rm "$SVC" >/dev/null 2>&1
  [ -n "$EDGE" ] && docker rm -f "$EDGE" >/dev/null 2>&1
  if [ -n "$NET" ]; then
    for _ in $(seq 1 30); do docker network rm "$NET" >/dev/null 2>&1 && break; sleep 1; done
  fi
  node_loss_cleanup
  [ -n "$SVC" ] && log "removed $SVC, $EDGE, $NET"
  exit $rc
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

edge() { nsenter -t "$EDGE_PID" -n "$@"; }

# Task IPs as Docker's DNS has them.
task_ips() { edge dig +short +time=1 +tries=2 @127.0.0.11 "tasks.$SVC" 2>/dev/null | grep -E '^[0-9.]+$' | sort || true; }
# Host names of the running tasks (= what whoami answers): <service>.<slot>.<task id>.
task_names() {
  docker service ps "$SVC" --no-trunc --filter desired-state=running --format '{{.Name}}.{{.ID}} {{.CurrentState}}' 2>/dev/null \
    | awk '$2 == "Running" { print $1 }' | sort
}

# Waits (up to $2 s, default 120) until the service has exactly N running tasks, DNS lists exactly N IPs and
# each answers directly; returns 1 if that does not happen.
wait_replicas() {
  local n=$1 end=$(( SECONDS + ${2:-120} )) ips ip ok
  while :; do
    ok=0
    if [ "$(task_names | wc -l)" = "$n" ] \
       && [ "$(docker service ps "$SVC" --filter desired-state=running -q | wc -l)" = "$n" ]; then
      ips=$(task_ips)
      if [ "$(wc -l <<<"$ips")" = "$n" ] && [ -n "$ips" ]; then
        ok=1
        for ip in $ips; do edge curl -fsS -m 2 -o /dev/null "http://$ip/" || { ok=0; break; }; done
      fi
    fi
    [ $ok = 1 ] && return 0
    [ $SECONDS -ge $end ] && { log "service $SVC did not settle at $n healthy replicas"; return 1; }
    sleep 0.5
  done
}

setup_lab() {
  log "lab: tests/lab/swarm-up.sh"
  "$root/tests/lab/swarm-up.sh" 8>&-     # fd 8 is our lock: a dockerd started there must not inherit it
  # Leftovers of an earlier run that died hard (the lock makes sure no other run owns them).
  docker service ls -q --filter label=swarmedge-bench=1 | xargs -r docker service rm >/dev/null 2>&1 || true
  docker ps -aq --filter label=swarmedge-bench=1 | xargs -r docker rm -f >/dev/null 2>&1 || true
  local id=$(date +%s)-$RANDOM
  SVC="bench-web-$id" NET="bench-net-$id" EDGE="bench-edge-$id"
  log "lab: network $NET, service $SVC ($REPLICAS replicas), edge container $EDGE"
  docker network create -d overlay --attachable --label swarmedge-bench=1 "$NET" >/dev/null
  # BENCH_SERVICE_LABELS: more labels on the benchmark service (key=value words), for A/B runs of a middleware chain.
  local more_labels=() label
  for label in ${BENCH_SERVICE_LABELS:-}; do more_labels+=(--label "$label"); done
  docker service create --detach --name "$SVC" --network "$NET" --endpoint-mode dnsrr --replicas $REPLICAS \
    --hostname '{{.Task.Name}}' --label swarmedge-bench=1 \
    --label swarmedge.enable=true --label swarmedge.http.port=80 --label swarmedge.http.host=$HOSTNAME_HDR \
    "${more_labels[@]}" swarmedge-lab/whoami:latest >/dev/null 2>&1
  docker run -d --name "$EDGE" --network "$NET" --label swarmedge-bench=1 swarmedge-lab/base:bookworm sleep infinity >/dev/null
  EDGE_PID=$(docker inspect -f '{{.State.Pid}}' "$EDGE")
  # Processes that join the edge netns also get a mount namespace whose /etc/resolv.conf points at Docker's
  # DNS, as inside a container on the overlay (libc resolution of tasks.<service>: nginx's static upstream).
  printf 'nameserver 127.0.0.11\noptions ndots:0\n' >"$work/resolv.conf"
  wait_replicas $REPLICAS || die "the new service does not answer"
}

# Leftover networks of earlier runs can only go once their services are gone: try again at the end.
remove_stale_networks() {
  docker network ls -q --filter label=swarmedge-bench=1 | while read -r n; do
    [ "$n" = "$(docker network inspect -f '{{.ID}}' "$NET" 2>/dev/null | cut -c1-12)" ] && continue
    docker network rm "$n" >/dev/null 2>&1 || true
  done
}

# ------------------------------------------------------------------------------------------- proxies
PROXY_PID=""

render() { # render TEMPLATE OUT (fills ${NPROC} ${PORT} ${TLS_PORT} ${SVC} ${WORKDIR} ${CERT} ${KEY} ${PEM})
  NPROC=$NPROC PORT=$P_PORT TLS_PORT=$(( P_PORT + TLS_OFFSET )) SVC=$SVC WORKDIR=$P_DIR CERT="$TLS_DIR/bench.crt" KEY="$TLS_DIR/bench.key" \
    PEM="$work/tls-bench.pem" envsubst '${NPROC} ${PORT} ${TLS_PORT} ${SVC} ${WORKDIR} ${CERT} ${KEY} ${PEM}' <"$1" >"$2"
}

# Starts proxy $1 in the foreground of a background job, in the edge netns. Its PID (the proxy's own: nsenter,
# unshare and sh all exec) is PROXY_PID.
start_proxy() {
  local p=$1 scenario=$2 cmd=()
  P_PORT=${PORT[$p]} P_DIR="$work/proxies/$p"
  mkdir -p "$P_DIR"
  P_LOG="$P_DIR/proxy-$scenario.log"
  case "$p" in
    swarmedge)
      # BENCH_SWARMEDGE_ENV: environment for SwarmEdge alone (runtime settings: DOTNET_gcServer=0 ...), so that
      # the tools measuring it run as always.
      # The image's runtime settings first (Dockerfile ENV), so the benchmark runs what ships; later ones win.
      read -r -a se_env <<<"DOTNET_GCgen0size=0x400000 ${BENCH_SWARMEDGE_ENV:-}"
      cmd=(env "${se_env[@]}" "$work/swarmedge/SwarmEdge" --SwarmEdge:Networks:0="$NET" --SwarmEdge:Dns:Server=127.0.0.11
           --SwarmEdge:Proxy:Port="$P_PORT" --SwarmEdge:Admin:Port="$ADMIN_PORT"
           --SwarmEdge:Https:Port=$(( P_PORT + TLS_OFFSET )) --SwarmEdge:Https:CertificateDirectory="$TLS_DIR"
           --SwarmEdge:Https:DefaultCertificate=bench "${SE_EXTRA[@]}")
      # BENCH_SWARMEDGE_ARGS: more settings for SwarmEdge, for A/B runs of one setting (word-split on spaces).
      read -r -a se_more <<<"${BENCH_SWARMEDGE_ARGS:-}"
      cmd+=("${se_more[@]}") ;;
    yarp)
      cmd=("$work/yarp/YarpReference" --port "$P_PORT" --service "$SVC" --host "$HOSTNAME_HDR") ;;
    nginx-static|nginx-resolve)
      render "$here/$p.conf.tmpl" "$P_DIR/nginx.conf"
      cmd=(nginx -p "$P_DIR" -c "$P_DIR/nginx.conf" -g 'daemon off;') ;;
    haproxy)
      render "$here/haproxy.cfg.tmpl" "$P_DIR/haproxy.cfg"
      cmd=(haproxy -db -f "$P_DIR/haproxy.cfg") ;;
    caddy)
      render "$here/Caddyfile.tmpl" "$P_DIR/Caddyfile"
      cmd=(env GOMAXPROCS="$NPROC" HOME="$P_DIR" XDG_DATA_HOME="$P_DIR/data" XDG_CONFIG_HOME="$P_DIR/config"
           caddy run --config "$P_DIR/Caddyfile" --adapter caddyfile) ;;
  esac
  # BENCH_PROFILE=1: .NET writes /tmp/perf-PID.map, so that perf names the JIT's code (see scenario_throughput);
  # W^X off, or the code runs from a second mapping of a memfd that the map's addresses do not name.
  [ "${BENCH_PROFILE:-0}" != 1 ] || cmd=(env DOTNET_PerfMapEnabled=3 DOTNET_EnableWriteXorExecute=0 "${cmd[@]}")
  echo "${cmd[*]}" >"$P_DIR/command"
  nsenter -t "$EDGE_PID" -n unshare -m --propagation private \
    sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$work/resolv.conf" "${cmd[@]}" \
    </dev/null >>"$P_LOG" 2>&1 8>&- &
  PROXY_PID=$!
  BG_PIDS+=("$PROXY_PID")
}

# A proxy that died during a scenario (its numbers then measure a dead port) is flagged in the results.
check_proxy_alive() { # check_proxy_alive PROXY SCENARIO
  kill -0 "$PROXY_PID" 2>/dev/null && return 0
  put "$1.$2.exited" 1
  log "$1 EXITED during the $2 scenario; the last lines of $P_LOG:"
  tail -5 "$P_LOG" | cut -c1-400 >&2
}

stop_proxy() {
  [ -n "$PROXY_PID" ] || return 0
  kill -TERM "$PROXY_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$PROXY_PID" 2>/dev/null && kill_tree KILL "$PROXY_PID"
  wait "$PROXY_PID" 2>/dev/null || true
  PROXY_PID=""
}

# Distinct task host names answering through the proxy in one batch of keep-alive requests.
names_through_proxy() {
  local urls=() i
  for i in $(seq 1 ${1:-30}); do urls+=("http://127.0.0.1:$P_PORT/"); done
  edge curl -s -m 5 -H "Host: $HOSTNAME_HDR" "${urls[@]}" 2>/dev/null | awk '{ print $1 }' | sort -u || true
}

# Waits until the proxy serves every running task (and, for SwarmEdge, reports ready with all endpoints).
wait_proxy_ready() {
  local p=$1 end=$(( SECONDS + 60 )) want seen
  while :; do
    kill -0 "$PROXY_PID" 2>/dev/null || { tail -20 "$P_LOG" >&2; die "$p exited (log: $P_LOG)"; }
    if [ "$p" != swarmedge ] || { edge curl -fs -m 2 -o /dev/null "http://127.0.0.1:$ADMIN_PORT/readyz" \
         && [ "$(edge curl -fs -m 2 "http://127.0.0.1:$ADMIN_PORT/api/services" \
                 | jq --arg s "$SVC" '[.services[] | select(.name == $s) | .endpoints | length] | add // 0')" = "$(task_names | wc -l)" ]; }; then
      want=$(task_names)
      seen=$(names_through_proxy 30)
      [ -n "$want" ] && [ -z "$(comm -23 <(echo "$want") <(echo "$seen"))" ] && return 0
    fi
    [ $SECONDS -ge $end ] && { tail -20 "$P_LOG" >&2; die "$p did not serve all tasks within 60 s (log: $P_LOG)"; }
    sleep 0.5
  done
}

# ------------------------------------------------------------------------------------------- wrk
# Shell-quoted command line, for the report (arguments with spaces in single quotes).
shell_words() { local out="" a; for a; do [[ $a == *[[:space:]]* ]] && a="'$a'"; out+=" $a"; done; echo "${out# }"; }

# run_wrk NAME ARGS...: runs wrk in the edge netns, output to $raw/NAME.txt.
run_wrk() {
  local name=$1; shift
  put run.load_command "$name: $(shell_words wrk "$@")"
  edge wrk "$@" >"$raw/$name.txt" 2>&1 || true
}

# ------------------------------------------------------------------------------------------- hey
# The failure scenarios (rolling update, SIGKILL, node loss) use hey, not wrk: wrk's closed loop never counts a
# request that hangs (its connection just stops producing requests until the run ends), while hey gives up on
# a request after BENCH_FAIL_TIMEOUT s, counts it as an error and sends the next.

# start_hey_bg NAME SECONDS [NOTE]: hey through the proxy in the background, in the edge netns, output to
# $raw/NAME.txt; HEY_PID is hey's own PID (nsenter execs it). hey stops after SECONDS or on SIGINT and prints
# its summary either way, once the requests in flight have finished (at most BENCH_FAIL_TIMEOUT s later).
start_hey_bg() {
  local name=$1 cmd=(hey -z "$2s" -c $FAIL_CONNS -t $BENCH_FAIL_TIMEOUT -host "$HOSTNAME_HDR" "$(proxy_url)")
  put run.load_command "$name: $(shell_words "${cmd[@]}")${3:+   # $3}"
  nsenter -t "$EDGE_PID" -n "${cmd[@]}" >"$raw/$name.txt" 2>&1 &
  HEY_PID=$!; BG_PIDS+=("$HEY_PID")
}

proxy_url() { echo "http://127.0.0.1:$P_PORT/"; }

# ------------------------------------------------------------------------------------------- scenarios
# Each scenario records its raw outputs and samples with put; `bench-tool summary` gives the line to log.

scenario_baseline() {
  local p=$1 ip
  ip=$(task_ips | head -1)
  [ -n "$ip" ] || die "no task IP from DNS"
  run_wrk "$p-baseline-warmup" -t"$NPROC" -c$CONNS -d${WARM}s "http://$ip/"
  run_wrk "$p-baseline" -t"$NPROC" -c$CONNS -d${DUR}s --latency "http://$ip/"
  put "$p.baseline.wrk" "$raw/$p-baseline.txt"
  log "$p: direct to one task $ip: $("$BENCH" summary "$RESULTS" "$p" baseline)"
}

scenario_throughput() {
  local p=$1 samp
  run_wrk "$p-throughput-warmup" -t"$NPROC" -c$CONNS -d${WARM}s -H "Host: $HOSTNAME_HDR" "$(proxy_url)"
  # Memory sampler: every 0.5 s during the measured run, the highest value goes to a file.
  "$BENCH" watch-rss "$PROXY_PID" "$raw/$p-rss-peak" "$raw/$p-rss.log" 0.5 &
  samp=$!; BG_PIDS+=("$samp")
  # BENCH_ADMIN_POLL=1 (SwarmEdge only): a reader of every dashboard view once a second during the measured run,
  # more than an open page asks (the page reads the summary and the view it shows).
  local reader=""
  if [ "$p" = swarmedge ] && [ "${BENCH_ADMIN_POLL:-0}" = 1 ]; then
    edge bash -c 'while :; do for v in summary "services?page=1&size=50" traffic "events?limit=200"; do
                    curl -fs -m 2 -o /dev/null -w "%{http_code} %{time_total}\n" "http://127.0.0.1:$1/api/dashboard/$v"; done
                  sleep 1; done' _ "$ADMIN_PORT" >"$raw/$p-admin-poll.log" 2>&1 &
    reader=$!; BG_PIDS+=("$reader")
  fi
  # BENCH_PROFILE=1: where the proxy's CPU goes during the measured run (perf samples by symbol, grouped by layer
  # in benchmarks/layers.awk), and its system calls and context switches; the profiler's own cost is in the
  # numbers of that run, so a profile run is read for its shares, not its totals.
  local profilers=() jit_before=0
  if [ "${BENCH_PROFILE:-0}" = 1 ]; then
    perf record -F 999 -p "$PROXY_PID" -o "$raw/$p.perf.data" -- sleep "$DUR" >"$raw/$p.perf-record.log" 2>&1 &
    profilers+=($!)
    perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "$PROXY_PID" -o "$raw/$p.perf-stat.csv" -- sleep "$DUR" >/dev/null 2>&1 &
    profilers+=($!)
    # What the JIT compiled during the measured run (after the warm-up): the perf map grows by one line per method.
    # A Native AOT SwarmEdge has no JIT and no map (its code is named by the binary's own symbols).
    jit_before=0
    [ ! -f "/tmp/perf-$PROXY_PID.map" ] || jit_before=$(wc -l <"/tmp/perf-$PROXY_PID.map")
  fi
  # BENCH_ALLOCATIONS=1 (.NET proxies): what the runtime allocated over the whole measured run (dotnet-counters, which
  # has attached 1-2 s before wrk starts and stops 4-5 s after it ended: the idle seconds add ~0.1 MB to ~1 GB) and by type
  # (dotnet-trace's allocation ticks, during the run).
  local collectors=()
  if [ "${BENCH_ALLOCATIONS:-0}" = 1 ] && [[ $p == swarmedge || $p == yarp ]]; then
    dotnet-counters collect -p "$PROXY_PID" --counters System.Runtime --refresh-interval 1 --format csv \
      -o "$raw/$p-counters.csv" --duration "$(hms $(( DUR + 6 )))" >"$raw/$p-counters.log" 2>&1 &
    collectors+=($!)
    local attach=$(( SECONDS + 15 ))
    until grep -q total_allocated "$raw/$p-counters.csv" 2>/dev/null || [ $SECONDS -ge $attach ]; do sleep 0.2; done
  fi
  if [ ${#collectors[@]} -gt 0 ] && ! grep -q total_allocated "$raw/$p-counters.csv" 2>/dev/null; then
    log "$p: dotnet-counters did not attach (a Native AOT build has no diagnostics IPC; see $raw/$p-counters.log)"
    kill "${collectors[@]}" 2>/dev/null || true; wait "${collectors[@]}" 2>/dev/null || true
    collectors=()
  elif [ ${#collectors[@]} -gt 0 ]; then
    dotnet-trace collect -p "$PROXY_PID" --providers Microsoft-Windows-DotNETRuntime:0x1:5 -o "$raw/$p-alloc.nettrace" \
      --duration "$(hms $(( DUR > 4 ? DUR - 2 : DUR )))" >"$raw/$p-trace.log" 2>&1 &
    collectors+=($!)
  fi
  put "$p.throughput.cpu_before" "$("$BENCH" cpu "$PROXY_PID")"
  run_wrk "$p-throughput" -t"$NPROC" -c$CONNS -d${DUR}s --latency -H "Host: $HOSTNAME_HDR" "$(proxy_url)"
  put "$p.throughput.cpu_after" "$("$BENCH" cpu "$PROXY_PID")"
  local requests
  requests=$(awk '/requests in/ { print $1 }' "$raw/$p-throughput.txt")
  if [ ${#collectors[@]} -gt 0 ]; then
    wait "${collectors[@]}" 2>/dev/null || true
    "$BENCH" allocations "$raw/$p-counters.csv" "$raw/$p-alloc.nettrace" "$requests" 40 \
      >"$raw/$p-allocations.txt" || log "$p: no allocations (see $raw/$p-counters.log, $raw/$p-trace.log)"
    log "$p: $(head -1 "$raw/$p-allocations.txt") (by type: $raw/$p-allocations.txt)"
  fi
  if [ ${#profilers[@]} -gt 0 ]; then
    wait "${profilers[@]}" 2>/dev/null || true
    perf report -i "$raw/$p.perf.data" --no-children --sort dso,sym --stdio --percent-limit 0 2>/dev/null \
      | awk -f "$here/layers.awk" >"$raw/$p-layers.txt"
    awk -F, -v reqs="$requests" \
      '$3 ~ /sys_enter|context-switches/ && reqs > 0 { printf "%s per request: %.2f\n", $3, $1 / reqs }' \
      "$raw/$p.perf-stat.csv" >>"$raw/$p-layers.txt"
    tail -n +$(( jit_before + 1 )) "/tmp/perf-$PROXY_PID.map" 2>/dev/null | cut -d' ' -f3- >"$raw/$p-jitted-during-run.txt" || true
    echo "methods compiled during the run: $(wc -l <"$raw/$p-jitted-during-run.txt")" >>"$raw/$p-layers.txt"
    log "$p: profile: $(tr '\n' ';' <"$raw/$p-layers.txt")"
  fi
  kill -TERM "$samp" 2>/dev/null; wait "$samp" 2>/dev/null || true
  [ -z "$reader" ] || { kill_tree TERM "$reader"; wait "$reader" 2>/dev/null || true; }
  put "$p.throughput.wrk" "$raw/$p-throughput.txt"
  put "$p.throughput.rss_peak" "$raw/$p-rss-peak"
  log "$p: $("$BENCH" summary "$RESULTS" "$p" throughput)"
}

# Rolling update: hey from 1 s before `docker service update --force --detach=false` until AFTER_UPDATE s after
# it returned. hey starts with a -z far longer than any update and is stopped with SIGINT; it then lets the
# requests in flight finish or time out, counts them and prints its summary.
scenario_update() {
  local p=$1 t0 t1
  start_hey_bg "$p-update" 600 "stopped with SIGINT ${AFTER_UPDATE} s after the update returned"
  sleep 1
  t0=$SECONDS
  docker service update --force --detach=false "$SVC" >"$raw/$p-update-docker.txt" 2>&1 || log "$p: service update returned non-zero (see $raw/$p-update-docker.txt)"
  t1=$SECONDS
  sleep $AFTER_UPDATE
  kill -0 "$HEY_PID" 2>/dev/null || log "$p: hey had already ended when the update did (see $raw/$p-update.txt)"
  kill -INT "$HEY_PID" 2>/dev/null; wait "$HEY_PID" 2>/dev/null || true
  put "$p.update.hey" "$raw/$p-update.txt"
  log "$p: rolling update ($(( t1 - t0 )) s + ${AFTER_UPDATE} s): $("$BENCH" summary "$RESULTS" "$p" update)"
}

scenario_kill() {
  local p=$1 cid
  start_hey_bg "$p-sigkill" "$KILL_DUR" "one task SIGKILLed ${KILL_AT} s in"
  sleep $KILL_AT
  cid=$(docker ps -q --filter "label=com.docker.swarm.service.name=$SVC" | head -1)
  [ -n "$cid" ] && docker kill --signal KILL "$cid" >/dev/null
  wait "$HEY_PID" 2>/dev/null || true
  put "$p.kill.hey" "$raw/$p-sigkill.txt"
  log "$p: SIGKILL of one task: $("$BENCH" summary "$RESULTS" "$p" kill)"
}

# A small sampler: one curl after the other through the proxy, each answer logged with its time; seconds
# from the scale command until every new task has answered at least once.
scenario_scaleup() {
  local p=$1 before t0 samp new n first last secs="" deadline
  before=$(task_names)
  : >"$raw/$p-scaleup.log"
  nsenter -t "$EDGE_PID" -n bash -c 'while :; do b=$(curl -s -m 2 -H "Host: $1" "$2"); echo "$EPOCHREALTIME ${b%% *}"; done' _ \
    "$HOSTNAME_HDR" "$(proxy_url)" >>"$raw/$p-scaleup.log" 2>/dev/null &
  samp=$!; BG_PIDS+=("$samp")
  sleep 1
  t0=$(now)
  docker service scale --detach "$SVC=$SCALED" >/dev/null 2>&1
  deadline=$(awk -v t="$t0" -v c=$SCALE_CAP 'BEGIN { printf "%.3f", t + c }')
  while :; do
    new=$(comm -13 <(echo "$before") <(docker service ps "$SVC" --no-trunc --filter desired-state=running \
            --format '{{.Name}}.{{.ID}}' 2>/dev/null | sort))
    n=$(grep -c . <<<"$new" || true)
    if [ "$n" -ge $(( SCALED - REPLICAS )) ]; then
      last=$(awk -v t0="$t0" 'NR == FNR { want[$1] = 1; next }
                 ($2 in want) && !($2 in seen) && $1 >= t0 { seen[$2] = $1 }
                 END { n = 0; for (w in want) if (w in seen) { n++; if (seen[w] > m) m = seen[w] }
                       if (n == length(want)) printf "%.2f", m - t0 }' <(echo "$new") "$raw/$p-scaleup.log")
      [ -n "$last" ] && { secs=$last; break; }
    fi
    awk -v d="$deadline" -v n="$(now)" 'BEGIN { exit !(n > d) }' && break
    sleep 0.1
  done
  kill_tree TERM "$samp"; wait "$samp" 2>/dev/null || true
  secs=${secs:-">$SCALE_CAP"}
  put "$p.scaleup.seconds" "$secs"
  log "$p: scale $REPLICAS -> $SCALED: every new task answered after $secs s ($(wc -l <"$raw/$p-scaleup.log") sampler requests)"
  docker service scale --detach=false "$SVC=$REPLICAS" >/dev/null 2>&1 || true
}

# Slow clients: hey (FAIL_CONNS workers, BENCH_FAIL_TIMEOUT) through the proxy for SLOW_BEFORE s alone, then
# for SLOW_DURING s while slowhttptest, from the same network namespace, holds SLOW_CONNS connections that send a
# header line (-H, slowloris) or a body chunk (-B, R-U-Dead-Yet) every 5 s. The slow requests name the routed
# host through proxy mode (-d: an absolute-form request line for http://HOST/), so slow bodies reach a real route.
SLOW_CONNS=1000 SLOW_BEFORE=10 SLOW_DURING=25
scenario_slow() { # scenario_slow PROXY H|B
  local p=$1 m=$2 k="slow$2"
  start_hey_bg "$p-$k-before" $SLOW_BEFORE "normal clients before the slow ones"
  wait "$HEY_PID" 2>/dev/null || true
  put "$p.$k-before.hey" "$raw/$p-$k-before.txt"
  start_hey_bg "$p-$k-during" $SLOW_DURING "normal clients while $SLOW_CONNS slow ones (-$m) run"
  local cmd=(slowhttptest "-$m" -c $SLOW_CONNS -r 500 -i 5 -x 24 -s 65536 -l $SLOW_DURING -p 3 -d "127.0.0.1:$P_PORT" -u "http://$HOSTNAME_HDR/" -v 1)
  put run.load_command "$p-$k: $(shell_words "${cmd[@]}")"
  nsenter -t "$EDGE_PID" -n "${cmd[@]}" >"$raw/$p-$k-slowhttptest.txt" 2>&1 || true
  wait "$HEY_PID" 2>/dev/null || true
  put "$p.$k-during.hey" "$raw/$p-$k-during.txt"
  put "$p.$k.slowhttptest" "$raw/$p-$k-slowhttptest.txt"
  log "$p: slow -$m: $("$BENCH" summary "$RESULTS" "$p" "$k")"
}

# HTTPS: wrk over TLS through the proxy's TLS port, keep-alive (one handshake per connection) and then with
# Connection: close (one handshake per request, so requests/s = handshakes/s); CPU per request for both.
scenario_https() {
  local p=$1 url="https://127.0.0.1:$(( ${PORT[$1]} + TLS_OFFSET ))/" mode
  run_wrk "$p-https-warmup" -t"$NPROC" -c$CONNS -d${WARM}s -H "Host: $HOSTNAME_HDR" "$url"
  for mode in keepalive handshake; do
    local extra=(); [ $mode = handshake ] && extra=(-H "Connection: close")
    put "$p.https-$mode.cpu_before" "$("$BENCH" cpu "$PROXY_PID")"
    run_wrk "$p-https-$mode" -t"$NPROC" -c$CONNS -d${DUR}s --latency -H "Host: $HOSTNAME_HDR" "${extra[@]}" "$url"
    put "$p.https-$mode.cpu_after" "$("$BENCH" cpu "$PROXY_PID")"
    put "$p.https-$mode.wrk" "$raw/$p-https-$mode.txt"
    log "$p: HTTPS $mode: $("$BENCH" summary "$RESULTS" "$p" "https-$mode")"
  done
}

# ------------------------------------------------------------------------------------------- node loss
# Runs on tests/lab/multinode.sh's 3-node lab (3 managers, n1 labelled swarmedge.edge=true), only when that
# script exists, `status` passes and no other service runs there (someone else's test would be disturbed by a
# cut link, and would disturb the measurement). BENCH_NODE_LOSS=0 turns it off, =force skips the busy check.
# Per proxy: a dnsrr service of 3 replicas kept off n1 (at most 2 per node, so 2+1 on n2/n3), the edge container
# and the proxy on n1, hey (start_hey_bg) for NL_DUR s, and KILL_AT s in the link of the node that
# holds 2 tasks is cut (`ip link set selab-vN down`: its task IPs become black holes) until hey ends.
NODE_LOSS=skip
NODE_LOSS_WHY="no multi-node lab"
ML="$root/tests/lab/multinode.sh"
if [ $quick = 1 ]; then NL_DUR=20; else NL_DUR=30; fi
SE_EXTRA=()

node_loss_available() {
  [ "${BENCH_NODE_LOSS:-1}" != 0 ] || { NODE_LOSS_WHY="BENCH_NODE_LOSS=0"; return 1; }
  [ -x "$ML" ] || return 1
  "$ML" status >"$raw/multinode-status.txt" 2>&1 || return 1
  eval "$("$ML" env)"
  NL_HOST=$SELAB_N1_HOST
  local others
  others=$(docker -H "$NL_HOST" service ls --format '{{.Name}}' 2>/dev/null | grep -v '^bench-' | tr '\n' ' ' || true)
  if [ -n "$others" ] && [ "${BENCH_NODE_LOSS:-1}" != force ]; then
    NODE_LOSS_WHY="multi-node lab busy (services: ${others% })"; return 1
  fi
  return 0
}

node_loss_cleanup() {
  [ -n "$NL_CUT" ] && ip link set "$NL_CUT" up 2>/dev/null
  [ -n "$NL_HOST" ] || return 0
  [ -n "$NL_SVC" ] && docker -H "$NL_HOST" service rm "$NL_SVC" >/dev/null 2>&1
  [ -n "$NL_EDGE" ] && docker -H "$NL_HOST" rm -f "$NL_EDGE" >/dev/null 2>&1
  if [ -n "$NL_NET" ]; then
    for _ in $(seq 1 30); do docker -H "$NL_HOST" network rm "$NL_NET" >/dev/null 2>&1 && break; sleep 1; done
  fi
  return 0
}

wait_lab_healthy() {
  local end=$(( SECONDS + $1 ))
  until "$ML" status >"$raw/multinode-status.txt" 2>&1; do [ $SECONDS -ge $end ] && return 1; sleep 2; done
}

# Switches every helper (docker CLI, task lists, edge netns) between the single-node and the multi-node lab.
S_SVC="" S_NET="" S_EDGE="" S_EDGE_PID=""
use_lab() {
  if [ "$1" = multi ]; then
    S_SVC=$SVC S_NET=$NET S_EDGE=$EDGE S_EDGE_PID=$EDGE_PID
    SVC=$NL_SVC NET=$NL_NET EDGE=$NL_EDGE EDGE_PID=$NL_EDGE_PID
    export DOCKER_HOST=$NL_HOST
    SE_EXTRA=(--SwarmEdge:Docker:Endpoints:0="$SELAB_N1_HOST" --SwarmEdge:Docker:Endpoints:1="$SELAB_N2_HOST"
              --SwarmEdge:Docker:Endpoints:2="$SELAB_N3_HOST")
  else
    SVC=$S_SVC NET=$S_NET EDGE=$S_EDGE EDGE_PID=$S_EDGE_PID
    unset DOCKER_HOST
    SE_EXTRA=()
  fi
}

node_loss_setup() {
  local id image=swarmedge-lab/whoami:latest
  docker -H "$NL_HOST" image inspect "$image" >/dev/null 2>&1 || image=swarmedge-lab/whoami:1
  docker -H "$NL_HOST" service ls -q --filter label=swarmedge-bench=1 | xargs -r docker -H "$NL_HOST" service rm >/dev/null 2>&1 || true
  docker -H "$NL_HOST" ps -aq --filter label=swarmedge-bench=1 | xargs -r docker -H "$NL_HOST" rm -f >/dev/null 2>&1 || true
  id=$(date +%s)-$RANDOM
  NL_SVC="bench-nl-web-$id" NL_NET="bench-nl-net-$id" NL_EDGE="bench-nl-edge-$id"
  log "node loss: multi-node lab: network $NL_NET, service $NL_SVC ($REPLICAS replicas off n1), edge container $NL_EDGE on n1"
  docker -H "$NL_HOST" network create -d overlay --attachable --label swarmedge-bench=1 "$NL_NET" >/dev/null
  docker -H "$NL_HOST" service create --detach --name "$NL_SVC" --network "$NL_NET" --endpoint-mode dnsrr \
    --replicas $REPLICAS --replicas-max-per-node 2 --constraint 'node.labels.swarmedge.edge!=true' \
    --hostname '{{.Task.Name}}' --label swarmedge-bench=1 \
    --label swarmedge.enable=true --label swarmedge.http.port=80 --label swarmedge.http.host=$HOSTNAME_HDR \
    "$image" >/dev/null 2>&1
  docker -H "$NL_HOST" run -d --name "$NL_EDGE" --network "$NL_NET" --label swarmedge-bench=1 \
    swarmedge-lab/base:bookworm sleep infinity >/dev/null
  NL_EDGE_PID=$(docker -H "$NL_HOST" inspect -f '{{.State.Pid}}' "$NL_EDGE")
}

scenario_node_loss() {
  local p=$1 node n veth
  if ! wait_lab_healthy 150; then put "$p.nodeloss.skipped" "multi-node lab unhealthy"; return 0; fi
  [ -n "$NL_SVC" ] || node_loss_setup
  use_lab multi
  if ! wait_replicas $REPLICAS 180; then use_lab single; put "$p.nodeloss.skipped" "service not healthy on the multi-node lab"; return 0; fi
  # The node (not n1) that runs the most tasks of the service.
  node=$(docker service ps "$SVC" --filter desired-state=running --format '{{.Node}}' | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }')
  n=${node##*-n}
  veth=$(eval echo "\${SELAB_N${n}_VETH:-}")
  if [ -z "$veth" ] || [ "$n" = 1 ]; then use_lab single; put "$p.nodeloss.skipped" "cannot tell the node to cut ($node)"; return 0; fi
  start_proxy "$p" nodeloss
  wait_proxy_ready "$p"
  start_hey_bg "$p-nodeloss" "$NL_DUR" "multi-node lab; node $node's link cut ${KILL_AT} s in"
  sleep $KILL_AT
  NL_CUT=$veth
  ip link set "$veth" down
  wait "$HEY_PID" 2>/dev/null || true
  ip link set "$veth" up
  NL_CUT=""
  check_proxy_alive "$p" nodeloss
  stop_proxy
  put "$p.nodeloss.hey" "$raw/$p-nodeloss.txt"
  log "$p: node loss ($node cut ${KILL_AT} s into ${NL_DUR} s): $("$BENCH" summary "$RESULTS" "$p" nodeloss)"
  # Back to a healthy lab and 3 running tasks before the next proxy.
  wait_lab_healthy 150 || log "node loss: the multi-node lab is not healthy again after 150 s"
  wait_replicas $REPLICAS 180 || true
  use_lab single
}

# ------------------------------------------------------------------------------------------- report
# The run's settings and proxies, for the reports; the measurements were recorded as they were made.
record_run() {
  local p
  put run.quick "$quick"; put run.only "$only"; put run.warmup_arg "$warmup"; put run.proxies "${proxies[*]}"
  for p in "${proxies[@]}"; do put "$p.label" "${LABEL[$p]}"; done
  put run.cores "$NPROC"; put run.docker "$(docker version --format '{{.Server.Version}}' 2>/dev/null)"
  put run.replicas $REPLICAS; put run.scaled $SCALED; put run.scale_cap $SCALE_CAP
  put run.connections $CONNS; put run.duration $DUR; put run.warmup $WARM
  put run.fail_connections $FAIL_CONNS; put run.fail_timeout "$BENCH_FAIL_TIMEOUT"
  put run.kill_duration $KILL_DUR; put run.kill_at $KILL_AT; put run.after_update $AFTER_UPDATE
  put run.node_loss $NODE_LOSS; put run.node_loss_why "$NODE_LOSS_WHY"; put run.node_loss_duration $NL_DUR
  put run.slow_connections $SLOW_CONNS; put run.slow_before $SLOW_BEFORE; put run.slow_during $SLOW_DURING
}

write_results() {
  local dat="$work/plot.dat" vars
  record_run
  vars=$("$BENCH" report latest "$RESULTS" "$results" "$dat") || die "bench-tool could not write the results"
  gnuplot -e "datafile='$dat'; outfile='$results/latest.png'; $vars" \
    "$here/chart.gp" 2>"$work/gnuplot.log" || { cat "$work/gnuplot.log" >&2; log "gnuplot failed: no chart"; }
  log "results: $results/latest.md, $results/latest.csv, $results/latest.png"
}

write_https_results() {
  record_run
  "$BENCH" report https "$RESULTS" "$results" || die "bench-tool could not write the results"
  log "results: $results/https.md"
}

write_slow_results() {
  record_run
  "$BENCH" report slow "$RESULTS" "$results" || die "bench-tool could not write the results"
  log "results: $results/slow-clients.md"
}

# ------------------------------------------------------------------------------------------- main
mkdir -p "$work" "$raw"
exec 8>/var/run/swarmedge-bench.lock
flock -n 8 || die "another benchmarks/run.sh is running"
rm -rf "$raw"/* "$work/proxies"
: >"$RESULTS"

install_packages
install_dotnet_tools
stop_system_services
setup_lab
remove_stale_networks

# One certificate for every proxy's TLS port.
TLS_DIR="$work/tls"
mkdir -p "$TLS_DIR"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TLS_DIR/bench.key" -out "$TLS_DIR/bench.crt" \
  -days 7 -subj "/CN=$HOSTNAME_HDR" -addext "subjectAltName=DNS:$HOSTNAME_HDR" >/dev/null 2>&1 || die "openssl could not make the certificate"
cat "$TLS_DIR/bench.crt" "$TLS_DIR/bench.key" >"$work/tls-bench.pem"   # HAProxy wants both in one file

if [ -n "${BENCH_SWARMEDGE_DIR:-}" ]; then
  [ -x "$BENCH_SWARMEDGE_DIR/SwarmEdge" ] || die "BENCH_SWARMEDGE_DIR: no SwarmEdge executable in $BENCH_SWARMEDGE_DIR"
  log "SwarmEdge from $BENCH_SWARMEDGE_DIR"
  rm -rf "$work/swarmedge"
  cp -a "$BENCH_SWARMEDGE_DIR" "$work/swarmedge"
else
  log "publishing SwarmEdge"
  dotnet publish "$root/src/SwarmEdge" -c Release -r linux-x64 -o "$work/swarmedge" -nologo -v q >"$work/publish.log" 2>&1 \
    || { tail -20 "$work/publish.log" >&2; die "dotnet publish failed"; }
fi
log "publishing bench-tool"
dotnet publish "$here/SwarmEdge.BenchTool" -c Release -o "$work/bench-tool" -nologo -v q >"$work/publish-bench-tool.log" 2>&1 \
  || { tail -20 "$work/publish-bench-tool.log" >&2; die "dotnet publish of bench-tool failed"; }
if [[ " ${proxies[*]} " == *" yarp "* ]]; then
  log "publishing the YARP reference"
  dotnet publish "$here/YarpReference" -c Release -o "$work/yarp" -nologo -v q >"$work/publish-yarp.log" 2>&1 \
    || { tail -20 "$work/publish-yarp.log" >&2; die "dotnet publish of the YARP reference failed"; }
fi

if [ $https = 1 ]; then
  for p in "${proxies[@]}"; do
    log "=== $p: HTTPS ==="
    wait_replicas $REPLICAS || die "service $SVC is not back at $REPLICAS healthy replicas"
    start_proxy "$p" https
    wait_proxy_ready "$p"
    scenario_https "$p"
    check_proxy_alive "$p" https
    stop_proxy
  done
  write_https_results
  exit 0
fi

if [ $slow = 1 ]; then
  for p in "${proxies[@]}"; do
    log "=== $p: slow clients ==="
    for m in H B; do
      wait_replicas $REPLICAS || die "service $SVC is not back at $REPLICAS healthy replicas"
      start_proxy "$p" "slow$m"
      wait_proxy_ready "$p"
      scenario_slow "$p" "$m"
      check_proxy_alive "$p" "slow$m"
      stop_proxy
    done
  done
  write_slow_results
  exit 0
fi

if node_loss_available; then NODE_LOSS=run; else log "node loss: skipped: $NODE_LOSS_WHY"; fi

t_start=$SECONDS
for p in "${proxies[@]}"; do
  log "=== $p ==="
  for s in ${BENCH_SCENARIOS:-baseline throughput update kill scaleup}; do
    wait_replicas $REPLICAS || die "service $SVC is not back at $REPLICAS healthy replicas"
    if [ $s = baseline ]; then scenario_baseline "$p"; continue; fi
    start_proxy "$p" "$s"
    wait_proxy_ready "$p"
    "scenario_$s" "$p"
    check_proxy_alive "$p" "$s"
    stop_proxy
  done
  if [ $NODE_LOSS = run ]; then scenario_node_loss "$p"; else put "$p.nodeloss.skipped" "$NODE_LOSS_WHY"; fi
done
log "measured in $(( SECONDS - t_start )) s"
write_results
