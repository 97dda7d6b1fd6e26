# LiveLadder container image: one channel per container (deploy/kubernetes).
#   docker build -t liveladder:0.8.0 .
# Not built in LiveLadder's CI or development machines (no container engine there): see
# docs/operations-deploy.md.

# --- build: the official Swift image on Debian bookworm, with the FFmpeg development packages -----------
ARG SWIFT_IMAGE=swift:6.3-bookworm
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config \
      libavcodec-dev libavformat-dev libswscale-dev libswresample-dev libavutil-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not fetch them again. (Package.resolved is not committed.)
COPY Package.swift ./
RUN swift package resolve
# The manifest names the test targets too, so their folders must exist for the build.
COPY Sources ./Sources
COPY Tests ./Tests
# --static-swift-stdlib: the Swift runtime and Foundation go into the binary, so the runtime image needs
# no Swift libraries, only glibc/libstdc++ and the FFmpeg shared libraries.
RUN swift build -c release --product liveladder --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/liveladder" /out/liveladder

# --- run: Debian bookworm slim with only the FFmpeg runtime libraries (libavcodec59 brings libx264) -----
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libavformat59 libavcodec59 libswscale6 libswresample4 libavutil57 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/liveladder --create-home liveladder
COPY --from=build /out/liveladder /usr/local/bin/liveladder
USER 10001:10001
WORKDIR /var/lib/liveladder
# 9090: the HTTP API (--http); 1935: RTMP for --listen.
EXPOSE 9090 1935
# No HEALTHCHECK: the slim image has no HTTP client, and Kubernetes uses its own probes on /livez and
# /readyz (deploy/kubernetes/deployment.yaml).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/liveladder"]
CMD ["--help"]
