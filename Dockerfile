# syntax=docker/dockerfile:1
#
# Chatbot builder: one image serving the SPA and the API on one port.
#   docker build -t chatbot-builder .
#   docker run -p 3000:3000 -e BETTER_AUTH_SECRET=... chatbot-builder
# Three stages: build (all dependencies, compile) → prod-deps (production dependencies only)
# → runtime (slim, non-root, nothing but what `node server/dist/main.js` needs).

# ---- 1. build: install everything and compile web/dist + server/dist -------------------------
FROM node:26-trixie-slim AS build
WORKDIR /app
# Manifests first, so the dependency layer is reused until a package.json or the lockfile changes.
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY tools/mock-llm/package.json tools/mock-llm/
COPY server/package.json server/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- 2. prod-deps: production dependencies of every workspace, no dev tools --------------------
FROM node:26-trixie-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY tools/mock-llm/package.json tools/mock-llm/
COPY server/package.json server/
COPY web/package.json web/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# ---- 3. runtime ----------------------------------------------------------------------------------
FROM node:26-trixie-slim AS runtime
# HOST: every interface, since a container is reached from outside (the app's own default is 127.0.0.1).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./package.json
# server/package.json carries "type": "module" for the ESM bundle.
COPY --from=build /app/server/package.json ./server/package.json
COPY --from=build /app/server/dist ./server/dist
# SQL migrations, applied by the server at start.
COPY --from=build /app/server/drizzle ./server/drizzle
COPY --from=build /app/web/dist ./web/dist
# Examples, so `docker run` without mounts still shows where the real files go.
COPY litellm/config.yaml.example ./litellm/config.yaml.example
# DATA_DIR must be writable by the unprivileged user (a named volume mounted here inherits this owner).
RUN mkdir -p /app/data && chown node:node /app/data
# The official image's unprivileged user (uid 1000).
USER node
EXPOSE 3000
# Slim images have no curl: ask Node itself. /healthz answers without touching the DB or the LLM.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Migrations run inside the process before it listens; SIGTERM closes it gracefully (SHUTDOWN_GRACE_MS).
CMD ["node", "server/dist/main.js"]
