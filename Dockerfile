# fedreg-watch: every role in one process, HTTP on 8080. Configuration comes from the environment
# (see README); REDIS_URL must point at a Redis with AOF and `maxmemory-policy noeviction`.

# --- build: compile TypeScript ---------------------------------------------------------------
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` compiles the sources, which are not copied yet; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schemas ./schemas
COPY src ./src
COPY workers ./workers
RUN npm run build

# --- runtime: production dependencies and the compiled JavaScript ----------------------------
FROM node:24-slim
ENV NODE_ENV=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force \
    && mkdir -p /data && chown node:node /data
COPY --from=build /app/dist ./dist
USER node
EXPOSE 8080
# node:24-slim has neither curl nor wget; Node has fetch.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself: jobs in flight finish, then everything closes in order.
CMD ["node", "dist/src/cli.js", "start"]
