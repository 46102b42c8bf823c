#!/usr/bin/env bash
# Runs SwarmEdge for real on this machine, as root, on a fresh Debian or on one already set up:
#   - installs and starts what is missing (Debian packages, dockerd, a one-node swarm, local images);
#   - creates the overlay network SwarmEdge shares with services, and a demo dnsrr service "whoami"
#     (3 replicas, answering at Host whoami.localhost) when no service has opted in yet;
#   - publishes SwarmEdge and runs it in the foreground inside the network namespace of an "edge"
#     container on that network (the way a host process joins an overlay), with the proxy published on
#     the host's port $SWARMEDGE_PORT (default 80) and the admin API on 127.0.0.1:$SWARMEDGE_ADMIN_PORT (8081),
#     which needs the bearer token this script keeps in artifacts/admin-token (made once).
# Then:  curl -H 'Host: whoami.localhost' http://127.0.0.1/
#        curl -H "Authorization: Bearer $(cat artifacts/admin-token)" http://127.0.0.1:8081/api/services
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
network="${SWARMEDGE_NETWORK:-swarmedge}"
port="${SWARMEDGE_PORT:-80}"
admin_port="${SWARMEDGE_ADMIN_PORT:-8081}"
edge=swarmedge-edge

SWARMEDGE_LAB_NETWORK="$network" "$root/tests/lab/swarm-up.sh"

if [ -z "$(docker service ls -q --filter label=swarmedge.enable=true)" ]; then
  echo "run: no service has opted in yet; creating the demo service whoami" >&2
  docker service create --detach --name whoami --network "$network" --endpoint-mode dnsrr --replicas 3 \
    --hostname '{{.Task.Name}}' \
    --label swarmedge.enable=true --label swarmedge.http.port=80 --label swarmedge.http.host=whoami.localhost \
    swarmedge-lab/whoami:latest >/dev/null
fi

echo "run: publishing SwarmEdge" >&2
dotnet publish "$root/src/SwarmEdge" -c Release -r linux-x64 -o "$root/artifacts/publish" -nologo -v q >&2

if [ "$(docker inspect -f '{{.State.Running}}' "$edge" 2>/dev/null)" != "true" ] \
   || ! docker port "$edge" | grep -q ":$port\$"; then
  docker rm -f "$edge" >/dev/null 2>&1 || true
  docker run -d --name "$edge" --network "$network" -p "$port:8080" -p "127.0.0.1:$admin_port:8081" \
    swarmedge-lab/base:bookworm sleep infinity >/dev/null
fi
pid="$(docker inspect -f '{{.State.Pid}}' "$edge")"

# The admin API is reached through the edge container's published port, so it listens beyond loopback:
# that takes a token.
token_file="$root/artifacts/admin-token"
if [ ! -s "$token_file" ]; then
  (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$token_file")
fi

echo "run: SwarmEdge on http://0.0.0.0:$port (admin http://127.0.0.1:$admin_port); Ctrl+C stops it" >&2
exec nsenter -t "$pid" -n "$root/artifacts/publish/SwarmEdge" \
  --SwarmEdge:Networks:0="$network" --SwarmEdge:Dns:Server=127.0.0.11 \
  --SwarmEdge:Proxy:Port=8080 --SwarmEdge:Admin:Port=8081 \
  --SwarmEdge:Admin:Address=0.0.0.0 --SwarmEdge:Admin:TokenFile="$token_file" "$@"
