# syntax=docker/dockerfile:1
#
# upcase's container image: `docker build -t upcase:local .` from the
# repository root. Two stages: a full Go toolchain builds one static binary,
# and the image that ships holds that binary and nothing else.
#
# Base images are pinned by tag here; pin them by digest too
# (golang:1.27.3-bookworm@sha256:...) where builds must be reproducible.
# deploy/dockerfile_test.go checks this file (stages, USER, CGO_ENABLED=0,
# the listen address) and builds ./cmd/upcase with the RUN line's own go build
# command to prove the binary is static.

# ---- build stage ------------------------------------------------------------
# The same Go as go.mod's toolchain line (go1.27.3), so the build neither
# downloads another toolchain nor uses an older, vulnerable one.
FROM golang:1.27.3-bookworm AS build
# GOTOOLCHAIN=local: use the image's Go and fail rather than fetch another.
ENV GOTOOLCHAIN=local
WORKDIR /src
# Modules first, in their own layer: a source change does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# VERSION lands in `upcase version` and the upcase_build_info metric
# (docker build --build-arg VERSION=v1.2.3 .).
ARG VERSION=dev
# CGO_ENABLED=0: a static binary with Go's own DNS resolver and no libc, so
# it runs on an image that has no libc. -trimpath keeps the builder's paths
# out of the binary (reproducible, nothing about the build machine leaks);
# -s -w drop the symbol table and DWARF (about a third smaller; panics still
# print file:line stack traces).
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /upcase ./cmd/upcase

# ---- final stage ------------------------------------------------------------
# distroless static: no shell, no package manager, no libc, only CA
# certificates, /etc/passwd with a nonroot user, and tzdata. Nothing in it
# for an intruder to use, and almost nothing for a scanner to report.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /upcase /upcase
# Numeric (65532 is distroless's "nonroot"), so Kubernetes' runAsNonRoot can
# verify it without reading /etc/passwd. Ports above 1023 need no capability.
USER 65532:65532
# 8080: the upper-casing service (TCP). 9090: Prometheus /metrics, /healthz
# and /readyz for the kubelet's probes.
EXPOSE 8080 9090
ENTRYPOINT ["/upcase", "serve"]
# 0.0.0.0, not upcase's default 127.0.0.1: a container's loopback is its own,
# so nothing outside it (the Service, the kubelet's probes, Prometheus) could
# reach a loopback listener. JSON logs for the cluster's log collector.
# Kubernetes' `args:` replace this whole list (deploy/kubernetes/deployment.yaml).
CMD ["--addr=0.0.0.0:8080", "--metrics=0.0.0.0:9090", "--log-format=json"]
