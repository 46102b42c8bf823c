#!/bin/sh
# Renders keepalived's configuration from the environment (edge-ha.yml sets it) and runs keepalived's VRRP
# process in the foreground. One VRRP instance holds every virtual IP; it goes to FAULT, and gives the IPs up,
# as soon as the node's SwarmEdge does not answer ready on its probe port (503 from SIGTERM on, while it still
# serves), so the IPs leave before the edge stops accepting.
#   VRRP_VIPS        the virtual IPs with their prefix, comma-separated (10.0.0.100/24,10.0.0.101/24)
#   VRRP_PEERS       every edge node's address on VRRP_INTERFACE, comma-separated (this node's own is skipped)
#   VRRP_PRIORITIES  node=priority, comma-separated (edge-1=150,edge-2=100); a node not named gets 100.
#                    It decides between edges ready at once; a ready holder keeps the IPs (nopreempt, below)
#   NODE             this node's host name (Swarm template {{.Node.Hostname}})
#   VRRP_INTERFACE   default eth0;  VRRP_ROUTER_ID  1-255, default 51, unique on the segment
#   VRRP_PASSWORD_FILE  a file (Docker secret) whose first 8 characters authenticate the adverts
#   PROBE_URL        default http://127.0.0.1:8082/readyz (SwarmEdge:Admin:ProbePort, published in host mode)
set -eu
fail() { echo "swarmedge-vrrp: $*" >&2; exit 2; }

: "${VRRP_VIPS:?set VRRP_VIPS, e.g. 10.0.0.100/24}"
: "${VRRP_PEERS:?set VRRP_PEERS to the edge nodes addresses}"
interface="${VRRP_INTERFACE:-eth0}"
router_id="${VRRP_ROUTER_ID:-51}"
probe="${PROBE_URL:-http://127.0.0.1:8082/readyz}"
# keepalived's configuration ends a word at blanks, quotes, '#', '!' and braces: refuse them rather than
# let a truncated value through.
case "$probe" in *[[:space:]\"\'#!{}]*) fail "PROBE_URL must not hold blanks, quotes, '#', '!' or braces: $probe";; esac
node="${NODE:-$(hostname)}"

case "$router_id" in ''|*[!0-9]*) fail "VRRP_ROUTER_ID must be 1-255, got '$router_id'";; esac
[ "$router_id" -ge 1 ] && [ "$router_id" -le 255 ] || fail "VRRP_ROUTER_ID must be 1-255, got '$router_id'"
ip link show "$interface" >/dev/null 2>&1 || fail "no interface $interface on this node (VRRP_INTERFACE)"
own="$(ip -o -4 addr show dev "$interface" | awk '{ sub("/.*", "", $4); print $4 }')"
[ -n "$own" ] || fail "interface $interface has no IPv4 address"

priority=100
for pair in $(echo "${VRRP_PRIORITIES:-}" | tr ',' ' '); do
  [ "${pair%%=*}" = "$node" ] && priority="${pair#*=}"
done
case "$priority" in ''|*[!0-9]*) fail "priority for $node must be 1-254, got '$priority'";; esac
[ "$priority" -ge 1 ] && [ "$priority" -le 254 ] || fail "priority for $node must be 1-254, got '$priority'"

peers=""; source=""
for peer in $(echo "$VRRP_PEERS" | tr ',' ' '); do
  if echo "$own" | grep -qxF "$peer"; then source="$peer"; else peers="$peers    $peer
"; fi
done
[ -n "$source" ] || fail "none of VRRP_PEERS ($VRRP_PEERS) is an address of $interface ($own): list every edge node"
[ -n "$peers" ] || fail "VRRP_PEERS lists no other edge node: a floating IP needs two"

vips=""
for vip in $(echo "$VRRP_VIPS" | tr ',' ' '); do
  case "$vip" in */*) ;; *) fail "virtual IP $vip needs its prefix length (e.g. $vip/24)";; esac
  vips="$vips    $vip dev $interface
"
done

auth=""
if [ -n "${VRRP_PASSWORD_FILE:-}" ]; then
  [ -r "$VRRP_PASSWORD_FILE" ] || fail "cannot read VRRP_PASSWORD_FILE $VRRP_PASSWORD_FILE"
  password="$(head -c 8 "$VRRP_PASSWORD_FILE" | tr -d '\n')"
  [ -n "$password" ] || fail "VRRP_PASSWORD_FILE $VRRP_PASSWORD_FILE is empty"
  case "$password" in *[!A-Za-z0-9]*) fail "the VRRP password may hold letters and digits only (openssl rand -hex 4)";; esac
  auth="  authentication {
    auth_type PASS
    auth_pass $password
  }"
fi

umask 077  # the file holds the VRRP password
conf=/tmp/keepalived.conf
cat > "$conf" <<CONF
global_defs {
  enable_script_security
  script_user keepalived_script
  vrrp_garp_master_refresh 10
}

# Ready means ready: a failed probe takes the IPs away within a second; two good ones bring this node back.
vrrp_script edge_ready {
  script "/usr/bin/curl -fsS -o /dev/null -m 1 $probe"
  interval 1
  timeout 2
  fall 1
  rise 2
}

# nopreempt: the IPs stay where they are while that edge is ready. Every move resets the connections in flight
# to the node they leave (the new holder has no state for them), so a node coming back does not take them back;
# priorities decide only between nodes that are ready at the same time (at start, or when a partition heals).
vrrp_instance edge {
  state BACKUP
  nopreempt
  interface $interface
  virtual_router_id $router_id
  priority $priority
  advert_int 1
  unicast_src_ip $source
  unicast_peer {
$peers  }
  check_unicast_src
$auth
  virtual_ipaddress {
$vips  }
  track_script {
    edge_ready
  }
}
CONF
echo "swarmedge-vrrp: $node ($source) priority $priority, virtual IPs $VRRP_VIPS, peers $(echo $peers), probe $probe" >&2
exec keepalived --vrrp --dont-fork --log-console --log-detail --use-file "$conf" \
  --pid /tmp/keepalived.pid --vrrp_pid /tmp/vrrp.pid
