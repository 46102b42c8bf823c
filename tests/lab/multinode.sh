#!/usr/bin/env bash
# A 3-node Docker Swarm lab on one machine, for integration tests and benchmarks.
#
#   multinode.sh up       create (or repair) the lab; fast no-op when it is already healthy
#   multinode.sh down     stop everything and remove all lab state
#   multinode.sh status   one line per node; exit 0 only if all 3 nodes are Ready managers
#   multinode.sh env      shell exports (eval "$(tests/lab/multinode.sh env)")
#   multinode.sh restart-daemon N   stop node N's dockerd (SIGTERM, as a service restart does) and start it
#                         again on the same state: its swarm membership stays, its containers do not
#   multinode.sh step-down N   if node N is the Raft leader, make another manager the leader: Swarm has no
#                         leadership transfer, so N's dockerd is stopped until the other two have elected a
#                         leader, then started again (it rejoins as a follower; a cut link instead would let
#                         it campaign meanwhile and win again)
#
# Layout: bridge selab0 (10.77.0.1/24) on the host; netns selab-nN with eth0 = 10.77.0.1N, joined to the
# bridge by a veth whose host end is selab-vN (cut a node with `ip link set selab-vN down`). One dockerd per
# namespace (own data-root, exec-root, socket, pidfile, managed containerd, UTS namespace with hostname
# selab-nN), all three are swarm managers; n1 carries the label swarmedge.edge=true. The images
# swarmedge-lab/base:bookworm and swarmedge-lab/whoami:latest (built by base-image.sh, which `up` runs: it is
# idempotent) are copied from the host dockerd into every node (from n1 if the host dockerd is not running).
#
# Rule for `up`: if the swarm is not healthy (3 reachable, Ready managers) and a short repair (bring the
# veths up, wait) does not fix it, tear everything down and rebuild from scratch. The host's own dockerd
# (/var/run/docker.sock) and its swarm are never touched; it is only read from (docker save).
set -euo pipefail

NODES=(1 2 3)
BR=selab0
BR_ADDR=10.77.0.1
LAB=/var/lib/swarmedge-lab
LOGDIR=/var/log/swarmedge
# Images copied into every node: those base-image.sh builds, plus whoami:1 (older tag) when the source has it.
# SELAB_IMAGES="img ..." replaces both lists.
if [ -n "${SELAB_IMAGES:-}" ]; then read -r -a IMAGES <<<"$SELAB_IMAGES"; OPT_IMAGES=()
else IMAGES=(swarmedge-lab/base:bookworm swarmedge-lab/whoami:latest); OPT_IMAGES=(swarmedge-lab/whoami:1); fi
HOST_SOCK=${SELAB_HOST_SOCK:-/var/run/docker.sock}
LOCK=/var/run/selab.lock
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

ns()      { echo "selab-n$1"; }
veth()    { echo "selab-v$1"; }
node_ip() { echo "10.77.0.1$1"; }
sock()    { echo "/var/run/selab-n$1.sock"; }
execroot(){ echo "/var/run/selab-n$1"; }
dataroot(){ echo "$LAB/n$1/data"; }
pidfile() { echo "/var/run/selab-n$1.pid"; }
logfile() { echo "$LOGDIR/selab-n$1.log"; }
# Local (non-swarm) address space per node, away from the host's 172.17/16 and 172.18/16.
node_pool(){ echo "172.2$1.0.0/16"; }
node_bip() { echo "172.2$1.0.1/24"; }

dk()   { local n=$1; shift; timeout 60 docker -H "unix://$(sock "$n")" "$@"; }
hdk()  { docker -H "unix://$HOST_SOCK" "$@"; }
log()  { echo "multinode: $*" >&2; }
die()  { echo "multinode: ERROR: $*" >&2; exit 1; }
now()  { date +%s; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

take_lock() {
  exec 9>"$LOCK"
  flock -w 900 9 || die "another multinode.sh holds $LOCK"
}

ensure_packages() {
  local missing=()
  for c in docker dockerd containerd runc; do command -v "$c" >/dev/null || { missing+=(docker.io); break; }; done
  command -v ip >/dev/null || missing+=(iproute2)
  command -v iptables >/dev/null || missing+=(iptables)
  for c in nsenter unshare flock timeout; do command -v "$c" >/dev/null || die "missing $c (util-linux/coreutils)"; done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } >&2 || die "apt-get install ${missing[*]} failed"
  fi
}

# ---------------------------------------------------------------------------------------------- network
iptables_rule() { iptables "$1" FORWARD -i "$BR" -o "$BR" -j ACCEPT; }

setup_net() {
  # The host bridges with br_netfilter on and FORWARD policy DROP (host dockerd), so bridged traffic between
  # the veths needs an explicit ACCEPT.
  ip link show "$BR" >/dev/null 2>&1 || ip link add "$BR" type bridge || die "cannot create bridge $BR"
  ip addr replace "$BR_ADDR/24" dev "$BR"
  ip link set "$BR" up
  iptables_rule -C 2>/dev/null || iptables_rule -I || die "cannot add iptables FORWARD rule for $BR"
  local n
  for n in "${NODES[@]}"; do
    local nsn; nsn=$(ns "$n")
    if [ -e "/var/run/netns/$nsn" ] && ! nsenter --net="/var/run/netns/$nsn" true 2>/dev/null; then
      rm -f "/var/run/netns/$nsn"        # stale file left by a reboot (/run is not a tmpfs here)
    fi
    [ -e "/var/run/netns/$nsn" ] || ip netns add "$nsn" || die "cannot create netns $nsn"
    if ! ip link show "$(veth "$n")" >/dev/null 2>&1; then
      nsenter --net="/var/run/netns/$nsn" ip link del eth0 2>/dev/null || true
      ip link add "$(veth "$n")" type veth peer name eth0 netns "$nsn" || die "cannot create veth $(veth "$n")"
    fi
    ip link set "$(veth "$n")" master "$BR" up
    nsenter --net="/var/run/netns/$nsn" sh -ec "
      ip link set lo up
      ip addr replace $(node_ip "$n")/24 dev eth0
      ip link set eth0 up
      ip route replace default via $BR_ADDR dev eth0" || die "cannot configure eth0 in $nsn"
  done
}

teardown_net() {
  local n
  for n in "${NODES[@]}"; do
    ip link del "$(veth "$n")" 2>/dev/null || true
    local f="/var/run/netns/$(ns "$n")"
    if [ -e "$f" ]; then
      ip netns del "$(ns "$n")" 2>/dev/null || { umount -l "$f" 2>/dev/null || true; rm -f "$f"; }
    fi
  done
  ip link del "$BR" 2>/dev/null || true
  while iptables_rule -C 2>/dev/null; do iptables_rule -D; done
}

# ---------------------------------------------------------------------------------------------- daemons
# PIDs of the lab processes of node n: its dockerd, its containerd and that containerd's shims.
lab_pids() {
  # One grep over all cmdlines (NUL-separated args, -z): dockerd has the exec-root as a whole argument,
  # containerd and the shims have paths below <exec-root>/containerd/. "[c]" keeps grep from matching itself.
  local er; er=$(execroot "$1")
  grep -lszE "^$er\$|^$er/[c]ontainerd/|[ =]$er/[c]ontainerd/" /proc/[0-9]*/cmdline 2>/dev/null |
    sed -n 's|^/proc/\([0-9]*\)/cmdline$|\1|p' || true
}

wait_gone() { # wait_gone SECONDS PID...
  local t=$1 end p alive; shift; end=$(( $(now) + t ))
  while :; do
    alive=0
    for p in "$@"; do   # a zombie (state Z) counts as gone
      kill -0 "$p" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && alive=1
    done
    [ $alive = 0 ] && return 0
    [ "$(now)" -ge "$end" ] && return 1
    sleep 0.2
  done
}

umount_under() {
  local root mp
  root=$(realpath -m "$1")   # mountinfo shows /run/..., not the /var/run symlink
  awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r mp; do umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || true; done
}

stop_node() {
  local n=$1 pids p rr
  # dockerd first: it stops its containers (shutdown-timeout 3 s) and its managed containerd.
  pids=$(lab_pids "$n" | while read -r p; do
           [ "$(cat "/proc/$p/comm" 2>/dev/null)" = dockerd ] && echo "$p"; done || true)
  if [ -n "$pids" ]; then
    kill -TERM $pids 2>/dev/null || true
    wait_gone 30 $pids || { log "n$n: dockerd did not stop, killing"; kill -KILL $pids 2>/dev/null || true; wait_gone 5 $pids || true; }
  fi
  # Containers left by a dockerd that died uncleanly.
  rr="$(execroot "$n")/runtime-runc/moby"
  if [ -d "$rr" ]; then
    for c in $(runc --root "$rr" list -q 2>/dev/null || true); do runc --root "$rr" delete -f "$c" >/dev/null 2>&1 || true; done
  fi
  # Leftover containerd / shims, then anything else still running in the node's netns.
  pids=$(lab_pids "$n" || true)
  if [ -n "$pids" ]; then
    kill -TERM $pids 2>/dev/null || true
    wait_gone 10 $pids || { kill -KILL $pids 2>/dev/null || true; wait_gone 5 $pids || true; }
  fi
  if [ -e "/var/run/netns/$(ns "$n")" ]; then
    pids=$(ip netns pids "$(ns "$n")" 2>/dev/null || true)
    [ -z "$pids" ] || { kill -KILL $pids 2>/dev/null || true; wait_gone 5 $pids || true; }
  fi
  umount_under "$(execroot "$n")"
  umount_under "$LAB/n$n"
  rm -rf "$(execroot "$n")" "${LAB:?}/n$n"
  rm -f "$(sock "$n")" "$(pidfile "$n")"
}

dockerd_cmd() {
  local n=$1
  # DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1: the swarm agent otherwise tries a registry pull before EVERY task
  # start and, with no registry/DNS reachable from the namespaces, each task then sits ~10-20 s in
  # "Preparing" (DNS timeout) before falling back to the local image.
  echo "env DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 nsenter --net=/var/run/netns/$(ns "$n")" \
       "dockerd --config-file $LAB/n$n/daemon.json --data-root $(dataroot "$n") --exec-root $(execroot "$n")" \
       "-H unix://$(sock "$n") --pidfile $(pidfile "$n")" \
       "--bip $(node_bip "$n") --default-address-pool base=$(node_pool "$n"),size=24 --shutdown-timeout 3"
}

start_node() {
  local n=$1 cmd; cmd=$(dockerd_cmd "$n")
  mkdir -p "$(dataroot "$n")" "$(execroot "$n")" "$LOGDIR"
  echo '{}' >"$LAB/n$n/daemon.json"      # never pick up the host's /etc/docker/daemon.json
  echo "$cmd" >"$LAB/n$n/dockerd.cmd"   # `up` rebuilds when this script starts dockerd differently
  [ -f "$(logfile "$n")" ] && mv -f "$(logfile "$n")" "$(logfile "$n").1"
  # Own UTS namespace so the swarm node's hostname is selab-nN; nsenter (not `ip netns exec`, which
  # remounts /sys and breaks dockerd) for the network namespace. dockerd starts its own containerd under
  # --exec-root (sockets, state) and --data-root (content), so the three do not clash with each other
  # or with the host's. fd 9 (the lock) must not leak into the daemons.
  setsid unshare --uts /bin/sh -c "echo selab-n$n > /proc/sys/kernel/hostname && exec $cmd" \
    </dev/null >>"$(logfile "$n")" 2>&1 9>&- &
}

wait_daemon() {
  local n=$1 end; end=$(( $(now) + 60 ))
  until dk "$n" version --format '{{.Server.Version}}' >/dev/null 2>&1; do
    if [ "$(now)" -ge "$end" ] || [ -z "$(lab_pids "$n")" ]; then
      tail -20 "$(logfile "$n")" >&2 || true
      die "dockerd of n$n did not come up (log: $(logfile "$n"))"
    fi
    sleep 0.3
  done
}

# ---------------------------------------------------------------------------------------------- health
# Prints one line per node to stdout; returns 0 only if all nodes are reachable, Ready, reachable managers
# and the swarm has exactly these 3 nodes.
report() {
  local n ok=0 info list="" h
  declare -A nid=() lstate=() up=()
  for n in "${NODES[@]}"; do
    h="unix://$(sock "$n")"
    timeout 5 docker -H "$h" version --format '{{.Server.Version}}' >/dev/null 2>&1 || continue
    up[$n]=1
    # `info` on a manager that lost its quorum blocks for ~20 s: do not wait for it.
    info=$(timeout 5 docker -H "$h" info --format '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}' 2>/dev/null) || info="unresponsive "
    lstate[$n]=${info%% *}; nid[$n]=${info#* }
  done
  for n in "${NODES[@]}"; do
    [ "${lstate[$n]:-}" = active ] || continue
    list=$(timeout 5 docker -H "unix://$(sock "$n")" node inspect $(timeout 5 docker -H "unix://$(sock "$n")" node ls -q 2>/dev/null) \
      --format '{{.ID}} {{.Status.State}} {{.Spec.Availability}} {{if .ManagerStatus}}{{if .ManagerStatus.Leader}}leader{{else}}{{.ManagerStatus.Reachability}}{{end}}{{else}}worker{{end}}' 2>/dev/null) && break
    list=""
  done
  for n in "${NODES[@]}"; do
    local line="n$n $(node_ip "$n")" st="" role="" av=""
    if [ -z "${up[$n]:-}" ]; then
      line+=" daemon=unreachable"; ok=1
    else
      line+=" daemon=up swarm=${lstate[$n]}"
      if [ -n "${nid[$n]}" ] && [ -n "$list" ]; then
        read -r _ st av role < <(grep "^${nid[$n]} " <<<"$list" || echo "x unknown unknown unknown")
      fi
      line+=" node=${st:-unknown} availability=${av:-unknown} manager=${role:-unknown}"
      [ "${lstate[$n]}" = active ] && [ "$st" = ready ] && { [ "$role" = leader ] || [ "$role" = reachable ]; } || ok=1
    fi
    echo "$line"
  done
  if [ -z "$list" ]; then
    echo "swarm: no manager answers node ls"; ok=1
  elif [ "$(wc -l <<<"$list")" != "${#NODES[@]}" ]; then
    echo "swarm: $(wc -l <<<"$list") nodes in the node list (want ${#NODES[@]})"; ok=1
  fi
  return $ok
}

healthy() { report >/dev/null 2>&1; }

# The running daemons were started with the current dockerd_cmd (else the lab is stale: rebuild).
current() {
  local n
  for n in "${NODES[@]}"; do [ "$(cat "$LAB/n$n/dockerd.cmd" 2>/dev/null)" = "$(dockerd_cmd "$n")" ] || return 1; done
}

wait_healthy() { # wait_healthy SECONDS
  local end=$(( $(now) + $1 ))
  until healthy; do [ "$(now)" -ge "$end" ] && return 1; sleep 1; done
}

# ---------------------------------------------------------------------------------------------- swarm
form_swarm() {
  dk 1 swarm init --advertise-addr "$(node_ip 1)" --listen-addr "$(node_ip 1):2377" \
    --default-addr-pool 10.10.0.0/16 --default-addr-pool-mask-length 24 >/dev/null \
    || die "swarm init on n1 failed"
  local token n; token=$(dk 1 swarm join-token -q manager) || die "cannot read the manager join token"
  for n in "${NODES[@]:1}"; do
    dk "$n" swarm join --token "$token" --advertise-addr "$(node_ip "$n")" --listen-addr "$(node_ip "$n"):2377" \
      "$(node_ip 1):2377" >/dev/null || die "n$n could not join the swarm"
  done
  wait_healthy 60 || { report >&2 || true; die "swarm did not become healthy (3 Ready managers) within 60 s"; }
}

ensure_labels() {
  local id; id=$(dk 1 info --format '{{.Swarm.NodeID}}') || die "cannot read n1 node id"
  [ "$(dk 1 node inspect "$id" --format '{{index .Spec.Labels "swarmedge.edge"}}' 2>/dev/null)" = true ] \
    || dk 1 node update --label-add swarmedge.edge=true "$id" >/dev/null || die "cannot label n1"
}

load_images() {
  local img n src="unix://$HOST_SOCK" todo=() hid imgs=()
  if ! hdk version >/dev/null 2>&1; then
    log "host dockerd ($HOST_SOCK) not reachable: building the images in n1 instead"
    src="unix://$(sock 1)"
  fi
  # base-image.sh is idempotent (fast when nothing changed) and rebuilds whoami when its sources change.
  DOCKER_HOST="$src" "$HERE/base-image.sh" || die "base-image.sh failed"
  imgs=("${IMAGES[@]}")
  for img in "${OPT_IMAGES[@]}"; do docker -H "$src" image inspect "$img" >/dev/null 2>&1 && imgs+=("$img"); done
  for n in "${NODES[@]}"; do
    for img in "${imgs[@]}"; do
      hid=$(docker -H "$src" image inspect -f '{{.Id}}' "$img") || die "image $img missing (after base-image.sh)"
      [ "$(dk "$n" image inspect -f '{{.Id}}' "$img" 2>/dev/null)" = "$hid" ] || { todo+=("$n"); break; }
    done
  done
  [ ${#todo[@]} -gt 0 ] || return 0
  local tar="$LAB/images.tar" pids=() p
  log "loading ${imgs[*]} into ${todo[*]/#/n}"
  docker -H "$src" save -o "$tar" "${imgs[@]}" || die "docker save failed"
  for n in "${todo[@]}"; do dk "$n" load -q -i "$tar" >/dev/null & pids+=($!); done
  local rc=0; for p in "${pids[@]}"; do wait "$p" || rc=1; done
  rm -f "$tar"
  [ $rc = 0 ] || die "docker load into a lab node failed"
}

# ---------------------------------------------------------------------------------------------- commands
do_down() {
  local n pids=()
  for n in "${NODES[@]}"; do stop_node "$n" & pids+=($!); done
  for p in "${pids[@]}"; do wait "$p" || true; done
  teardown_net
}

cmd_up() {
  need_root; take_lock; ensure_packages
  local t0; t0=$(now)
  if ! current; then
    [ -d "$LAB/n1" ] && log "lab was started by another version of this script"
  elif ! healthy; then
    # Cheap repair first: a test may have left a veth down.
    local all_up=1 n
    for n in "${NODES[@]}"; do [ -S "$(sock "$n")" ] && dk "$n" version >/dev/null 2>&1 || all_up=0; done
    if [ $all_up = 1 ] && ip link show "$BR" >/dev/null 2>&1; then
      # A manager that was cut off comes back with a higher raft term and, as swarmkit has no raft
      # PreVote, keeps forcing elections it cannot win: the swarm can stay leaderless ~45 s after a cut.
      log "daemons up but swarm unhealthy: bringing the links up and waiting up to 75 s"
      setup_net
      wait_healthy 75 || true
    fi
  fi
  if current && healthy; then
    setup_net
    ensure_labels
    load_images
    log "lab already up ($(( $(now) - t0 )) s)"
    return 0
  fi
  if [ -d "$LAB/n1" ] || [ -e "/var/run/netns/$(ns 1)" ] || ip link show "$BR" >/dev/null 2>&1; then
    log "lab not healthy: tearing down and rebuilding from scratch"
  else
    log "building the lab from scratch"
  fi
  do_down
  setup_net
  local n
  for n in "${NODES[@]}"; do start_node "$n"; done
  for n in "${NODES[@]}"; do wait_daemon "$n"; done
  form_swarm
  ensure_labels
  load_images
  report >&2 || true
  log "lab up ($(( $(now) - t0 )) s)"
}

cmd_down() {
  need_root; take_lock
  do_down
  log "lab down"
}

cmd_status() {
  need_root
  report
}

stop_daemon() { # stop_daemon N WHY: SIGTERM node N's dockerd (as a service restart does), SIGKILL after 30 s
  local n=$1 pid
  [ -f "$(pidfile "$n")" ] || die "n$n: no dockerd pidfile; run up first"
  pid=$(cat "$(pidfile "$n")")
  log "n$n: stopping dockerd (pid $pid) $2"
  kill -TERM "$pid" 2>/dev/null || true
  wait_gone 30 "$pid" || { kill -KILL "$pid" 2>/dev/null || true; wait_gone 5 "$pid" || true; }
}

cmd_restart_daemon() {
  local n=$1
  need_root
  stop_daemon "$n" "to restart it"
  start_node "$n"
  wait_daemon "$n"
  log "n$n: dockerd is back"
}

leader_seen_by() { # leader_seen_by N -> the number of the leader as node N sees it; nothing when none
  dk "$1" node ls --filter role=manager --format '{{.Hostname}} {{.ManagerStatus}}' 2>/dev/null \
    | awk '$2 == "Leader" { sub("selab-n", "", $1); print $1 }'
}

cmd_step_down() {
  local n=$1 other leader="" i
  need_root
  other=$(( n == 1 ? 2 : 1 ))
  [ "$(leader_seen_by "$other")" = "$n" ] || { log "n$n is not the leader; nothing to do"; return 0; }
  stop_daemon "$n" "until another manager leads"
  for i in $(seq 1 60); do
    leader=$(leader_seen_by "$other")
    [ -n "$leader" ] && [ "$leader" != "$n" ] && break
    sleep 1
  done
  start_node "$n"
  wait_daemon "$n"
  [ -n "$leader" ] && [ "$leader" != "$n" ] || die "no other leader within 60 s"
  log "n$leader leads; n$n is back"
}

cmd_env() {
  local n
  echo "export SELAB_BRIDGE=$BR"
  echo "export SELAB_BRIDGE_IP=$BR_ADDR"
  echo "export SELAB_NODES=\"${NODES[*]/#/n}\""
  for n in "${NODES[@]}"; do
    echo "export SELAB_N${n}_SOCK=$(sock "$n")"
    echo "export SELAB_N${n}_HOST=unix://$(sock "$n")"
    echo "export SELAB_N${n}_IP=$(node_ip "$n")"
    echo "export SELAB_N${n}_NETNS=$(ns "$n")"
    echo "export SELAB_N${n}_VETH=$(veth "$n")"
  done
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  restart-daemon) cmd_restart_daemon "${2:?usage: multinode.sh restart-daemon N}" ;;
  step-down) cmd_step_down "${2:?usage: multinode.sh step-down N}" ;;
  *) echo "usage: $0 up|down|status|env|restart-daemon N|step-down N" >&2; exit 2 ;;
esac
