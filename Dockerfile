# SwarmEdge image.
#
# Default: built from the official .NET images
#   docker build -t swarmedge .
# Air-gapped (a private registry, or none): any Debian/Ubuntu base image with libc, libssl and CA certificates,
# and SwarmEdge published on the build host (the SDK image is not needed then; Native AOT needs clang and zlib1g-dev):
#   dotnet publish src/SwarmEdge -c Release -r linux-x64 -o artifacts/publish-linux-x64
#   docker build --target prebuilt --build-arg RUNTIME_IMAGE=registry.local/debian:bookworm -t swarmedge .
#
# Stage order matters: the legacy builder (no BuildKit) builds every stage up to the target, so "prebuilt"
# comes before the SDK stage and never pulls it.
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0

FROM ${RUNTIME_IMAGE} AS runtime
# Not root: the proxy listens on 8080 (publish 80 -> 8080) and reads the Docker API through a GET-only socket
# proxy (stack.yml), never through a mounted docker.sock.
RUN (getent group swarmedge || groupadd --system --gid 10001 swarmedge) \
 && (getent passwd swarmedge || useradd --system --uid 10001 --gid swarmedge --home-dir /app --shell /usr/sbin/nologin swarmedge)
WORKDIR /app
# gen0 budget 4 MiB: -9.7 µs CPU per request (median, lower in 7 of 8 interleaved rounds) and a lower p99 than
# the server GC's default (benchmarks/results/runtime-settings-ab.md). Only an environment variable sets it.
ENV DOTNET_gcServer=1 \
    DOTNET_GCgen0size=0x400000 \
    SwarmEdge__Proxy__Port=8080 \
    SwarmEdge__Admin__Port=8081
EXPOSE 8080 8081
HEALTHCHECK --interval=10s --timeout=4s --start-period=10s --retries=3 CMD ["/app/SwarmEdge", "healthcheck"]
ENTRYPOINT ["/app/SwarmEdge"]

FROM runtime AS prebuilt
COPY --chown=root:root artifacts/publish-linux-x64/ /app/
USER swarmedge

FROM ${SDK_IMAGE} AS build
# Native AOT links the binary with clang against zlib.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends clang zlib1g-dev >/dev/null && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props SwarmEdge.sln ./
COPY config/ config/
COPY src/ src/
RUN dotnet publish src/SwarmEdge -c Release -r linux-x64 -o /app

FROM runtime AS final
COPY --from=build --chown=root:root /app/ /app/
USER swarmedge
