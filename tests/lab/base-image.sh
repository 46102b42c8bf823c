#!/usr/bin/env bash
# Builds the local images the lab needs, without any registry (none is reachable here):
#   swarmedge-lab/base:bookworm   Debian minbase rootfs (debootstrap) + nginx-light, imported with `docker import`.
#   swarmedge-lab/whoami:latest   a backend whose tasks answer every request with their own host name.
# Idempotent: an image that already exists is kept; whoami is rebuilt when its files change.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state=/var/lib/swarmedge-lab
mkdir -p "$state"

if ! docker image inspect swarmedge-lab/base:bookworm >/dev/null 2>&1; then
  rootfs="$state/rootfs-bookworm"
  rm -rf "$rootfs"
  echo "lab: debootstrap Debian bookworm minbase into $rootfs" >&2
  debootstrap --variant=minbase --include=nginx-light,ca-certificates,iproute2,procps \
    bookworm "$rootfs" http://deb.debian.org/debian >"$state/debootstrap.log" 2>&1 \
    || { tail -20 "$state/debootstrap.log" >&2; exit 1; }
  # Keep the image small: no apt lists, no docs.
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/var/cache/apt/*.bin
  tar -C "$rootfs" -c . | docker import - swarmedge-lab/base:bookworm >/dev/null
  rm -rf "$rootfs"
fi

hash="$(cat "$here"/whoami/* | sha256sum | cut -c1-12)"
if [ "$(docker image inspect -f '{{index .Config.Labels "lab.hash"}}' swarmedge-lab/whoami:latest 2>/dev/null)" != "$hash" ]; then
  docker build -q --label "lab.hash=$hash" -t swarmedge-lab/whoami:latest "$here/whoami" >/dev/null
fi
echo "lab: images ready" >&2
