# syntax=docker/dockerfile:1
# The sentry-issues-sync CLI in a container: Node 24 and one file (dist/cli.js, which
# `npm run bundle` builds and CI keeps in step with the source), run as a non-root user, with its
# state on the /state volume. Secrets go in files named by the *_FILE variables (docs/container.md).
#
#   docker build -t sentry-issues-sync .
#   docker build --build-arg NODE_IMAGE=registry.example.com/mirror/node:24-slim -t sentry-issues-sync .
#
# Both stages use NODE_IMAGE, so any image with Node 24 at `node` on PATH (and /usr/bin/env) works.
ARG NODE_IMAGE=node:24-slim

# Lays out the files of the final image under /out with nothing but Node (no shell needed).
FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY dist/cli.js dist/package.json dist/licenses.txt ./app/
COPY scripts/container-layout.mjs ./
RUN ["node", "container-layout.mjs", "/build/app", "/out", "10001", "sentry-issues-sync"]
RUN ["node", "/out/usr/local/lib/sentry-issues-sync/cli.js", "--version"]

FROM ${NODE_IMAGE}
COPY --from=build /out/etc/passwd /out/etc/group /etc/
COPY --from=build /out/usr/local/ /usr/local/
COPY --from=build --chown=10001:10001 /out/state /state
ENV STATE_FILE=/state/sentry-issues-sync.json
USER 10001:10001
WORKDIR /state
VOLUME ["/state"]
ENTRYPOINT ["sentry-issues-sync"]
