# Rewind container image: `docker build -t rewind .`, then
#   docker run --init --rm -p 3000:3000 --env-file .env -e REDIS_URL=redis://… \
#     -v "$PWD/rewind.yaml:/etc/rewind/rewind.yaml:ro" -e REWIND_CONFIG=/etc/rewind/rewind.yaml rewind
# Roles: `start` (default: ingress and worker in one process), `ingress`, `worker`; also
# `validate FILE` and `discord register [--guild ID]`. See docs/deployment.md.
#
# Run it with an init process (`docker run --init`, Compose `init: true`); Kubernetes needs none.
# Rewind handles SIGTERM itself (drain, exit 0); the init only reaps stray children, so the image
# does not install tini.

# ---- build: compile TypeScript, then drop the dev dependencies ----------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
# The lockfile first, so the dependency layer is reused until package*.json changes.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: only what `node dist/cli.js` reads -------------------------------------------------
FROM node:22-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="rewind" \
      org.opencontainers.image.description="Chatops bot that rolls deployments back from Slack and Discord" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Owned by root and read-only to the app user: the process cannot rewrite its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# discord-commands.json (`rewind discord register`), the example catalogs and the demo catalog.
COPY manifests ./manifests
# The image's `node` user (uid/gid 1000), numeric so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
# Liveness only (/healthz): /readyz also depends on Redis, and a Redis outage must not make the
# runtime restart healthy processes. Slim images have no curl; Node's fetch does the request.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["start"]
