# syntax=docker/dockerfile:1
# One small, non-root image for all six apps and the ops scripts; the command picks what runs:
#   docker run IMAGE dist/apps/geofence/src/main.js        (the default is brand-api)
#   docker run IMAGE dist/scripts/migrate.js                (migrations, provision-topics, demo)
# Stages: deps (all npm packages, cached on the lockfile) → build (tsc, and vite for the brand
# console in dist/console) → prod-deps (runtime packages only) → runtime (alpine Node, no npm, no
# build tools, no sources, uid 1000).

ARG NODE_IMAGE=node:20.19-alpine3.21

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts

FROM deps AS build
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
# typescript (23 MB) arrives only as a peer of i18next (opening_hours) and is never loaded at run
# time: the six apps were checked to start and serve /health from these packages without it.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && rm -rf node_modules/typescript \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# npm and corepack are not needed at run time; removing them shrinks the image and its CVE surface.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /opt/yarn* /usr/local/bin/yarn*
WORKDIR /app
# Two glibc malloc arenas rather than eight per core: less freed native memory kept resident
# (BENCHMARKS.md, "Memory"). V8 flags per app are NODE_OPTIONS in k8s/base/apps.
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2
COPY --from=prod-deps --chown=root:root /src/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist ./dist
COPY --chown=root:root package.json ./
# The code is owned by root and read-only for the app user; the app writes nothing (Kubernetes
# mounts the root filesystem read-only and gives it an emptyDir at /tmp).
USER 1000:1000
EXPOSE 3000 3001 3002 3003 3004 3900
# Node is PID 1 and handles SIGTERM itself (Nest shutdown hooks: stop consuming, finish, commit).
ENTRYPOINT ["node"]
CMD ["dist/apps/brand-api/src/main.js"]
