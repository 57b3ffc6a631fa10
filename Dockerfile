# The web application is built in its own stage (Vite and Monaco are dev dependencies); the runtime
# image gets only editor/dist.
FROM node:20-bookworm-slim AS editor
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY editor editor
COPY rules rules
RUN npx vite build --config editor/vite.config.ts && date -u > editor/dist/.build-stamp

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Applied to node_modules by the install's postinstall (patches/README.md).
COPY patches patches
RUN npm ci --omit=dev --no-audit --no-fund || npm ci --no-audit --no-fund
COPY . .
COPY --from=editor /app/editor/dist editor/dist
ENV NODE_ENV=production
# A larger young generation for the decision path's short-lived objects (docs/reliability.md, Bulk):
# a tenth less CPU per bulk request, up to about 100 MB more memory.
ENV NODE_OPTIONS=--max-semi-space-size=64
EXPOSE 8080
# node itself as PID 1 (tsx as a loader, not a wrapper process): `docker stop`'s SIGTERM reaches main.ts,
# which answers the requests under way and drains the worker before exiting (test/project/npm-start.test.ts
# runs the same command).
CMD ["node", "--import", "tsx", "main.ts"]
