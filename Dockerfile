# Regatta's image: one image, two commands (`api`, `worker`; `dev` too, for a quick try).
#   docker build -t regatta:local .
#   docker run regatta:local api      # needs TEMPORAL_ADDRESS, DATABASE_URL, ... (see .env.example)
#
# Stages: `deps` installs production dependencies only (better-sqlite3 is native, so it needs a
# compiler); `build` installs everything and compiles TypeScript; the runtime stage copies the two
# results onto a slim Node image without compilers, and runs as the unprivileged `node` user.

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS toolchain
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./

FROM toolchain AS deps
RUN npm ci --omit=dev && npm cache clean --force

FROM toolchain AS build
RUN npm ci
COPY . .
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
# Two malloc arenas rather than one per thread: a worker's threads (Temporal's core, the workflow
# thread, libuv) otherwise keep ~50 MiB of freed memory resident (bench:peers, BENCH_SPLIT=1).
# Blocks of 128 KiB and more mapped on their own, so freeing one returns it at once: glibc's
# threshold otherwise rises with the 8 MiB chunks of a blob copy, and freed ones stay resident.
ENV NODE_ENV=production \
  REGATTA_DATA_DIR=/var/lib/regatta \
  MALLOC_ARENA_MAX=2 \
  MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
RUN mkdir -p /var/lib/regatta && chown node:node /var/lib/regatta
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# `regatta` on PATH (docker exec CONTAINER regatta policy list): the bin runs dist/ here.
COPY --chown=root:root bin ./bin
RUN ln -s /app/bin/regatta.js /usr/local/bin/regatta
USER node
# The API (8080); a worker's Prometheus metrics (9464).
EXPOSE 8080 9464
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["api"]
