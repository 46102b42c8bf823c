#!/usr/bin/env bash
# Brings up everything the single-node tests and the demo need, on a fresh Debian machine as root or on
# one where an earlier run left state behind: Debian packages, dockerd, a one-node swarm, the lab images
# and the overlay network SwarmEdge shares with services. Idempotent and quick when all is already up.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
network="${SWARMEDGE_LAB_NETWORK:-selab-edge}"
logs=/var/log/swarmedge
mkdir -p "$logs"

need=()
for pair in dockerd:docker.io iptables:iptables socat:socat haproxy:haproxy promtool:prometheus chromium:chromium debootstrap:debootstrap wrk:wrk curl:curl dig:dnsutils ip:iproute2 nsenter:util-linux slowhttptest:slowhttptest lego:lego pebble:pebble clang:clang; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
# Native AOT links SwarmEdge with clang against zlib.
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "lab: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "lab: starting dockerd (log: $logs/dockerd.log)" >&2
  # No systemd here: dockerd runs in the background and starts its own containerd.
  rm -f /var/run/docker.pid
  nohup dockerd >"$logs/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "lab: dockerd did not come up; see $logs/dockerd.log" >&2; tail -20 "$logs/dockerd.log" >&2; exit 1; }
fi

state="$(docker info --format '{{.Swarm.LocalNodeState}}')"
if [ "$state" != "active" ] || ! docker node ls >/dev/null 2>&1; then
  echo "lab: initialising a one-node swarm (was: $state)" >&2
  docker swarm leave --force >/dev/null 2>&1 || true
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi

"$here/base-image.sh"

if ! docker network inspect "$network" >/dev/null 2>&1; then
  docker network create -d overlay --attachable "$network" >/dev/null
fi
echo "lab: swarm ready (network $network)" >&2
