#!/usr/bin/env bash
# Builds the local images the lab needs, without any registry (none is reachable here):
#   swarmedge-lab/base:bookworm   Debian minbase rootfs (debootstrap) + nginx-light, imported with `docker import`.
#   swarmedge-lab/whoami:latest   a backend whose tasks answer every request with their own host name.
#   swarmedge-lab/tcpecho:latest  a TCP backend: a line with the task's host name, then an echo.
#   swarmedge-lab/postgres:latest PostgreSQL 15 (Debian's package), trust auth, health-checked.
#   swarmedge-lab/grpc:latest     a gRPC server (h2c on 50051: unary and server-streaming calls naming their task).
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

# Images built FROM the base, each rebuilt only when its folder changed (a hash of its files is a label).
for image in whoami tcpecho postgres; do
  hash="$(cat "$here/$image"/* | sha256sum | cut -c1-12)"
  if [ "$(docker image inspect -f '{{index .Config.Labels "lab.hash"}}' "swarmedge-lab/$image:latest" 2>/dev/null)" != "$hash" ]; then
    echo "lab: building swarmedge-lab/$image" >&2
    docker build -q --label "lab.hash=$hash" -t "swarmedge-lab/$image:latest" "$here/$image" >/dev/null 2>"$state/build-$image.log" \
      || { cat "$state/build-$image.log" >&2; exit 1; }
  fi
done
# The gRPC backend is a .NET program: published self-contained (the base image has no .NET), then built.
grpc="$here/grpc"
hash="$(cat "$grpc/Program.cs" "$grpc/GrpcLab.csproj" "$grpc/Protos/lab.proto" "$grpc/Dockerfile" | sha256sum | cut -c1-12)"
if [ "$(docker image inspect -f '{{index .Config.Labels "lab.hash"}}' swarmedge-lab/grpc:latest 2>/dev/null)" != "$hash" ]; then
  echo "lab: building swarmedge-lab/grpc" >&2
  rm -rf "$grpc/publish"
  dotnet publish "$grpc/GrpcLab.csproj" -c Release -r linux-x64 --self-contained -o "$grpc/publish" -nologo -v q \
    >"$state/publish-grpc.log" 2>&1 || { cat "$state/publish-grpc.log" >&2; exit 1; }
  docker build -q --label "lab.hash=$hash" -t swarmedge-lab/grpc:latest "$grpc" >/dev/null 2>"$state/build-grpc.log" \
    || { cat "$state/build-grpc.log" >&2; exit 1; }
fi
echo "lab: images ready" >&2
