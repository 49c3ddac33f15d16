# syntax=docker/dockerfile:1
# The service's image: one image for both roles (ROLE=api or ROLE=worker). Built in two stages so the
# runtime holds the compiled JavaScript and production dependencies only, no compiler or test tools.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Metric labels and span names accept only our own clients' operation names, read from their generated documents.
COPY clients/typescript/src/generated ./clients/typescript/src/generated
COPY clients/dashboard/src/generated ./clients/dashboard/src/generated
RUN npm run build
# The operators' dashboard (issue 21), built by Vite into clients/dashboard/dist and served at /dashboard/
# (DASHBOARD_DIST_DIR's default). Its forms import a constants module of src/ (the OAuth scopes), copied above.
COPY clients/dashboard ./clients/dashboard
RUN npm run dashboard:build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/clients/dashboard/dist ./clients/dashboard/dist
# The files stay root's: the service, as `node`, can read its code but not change it.
USER node
# Inside a container the service must listen beyond loopback; publish the port on the host's loopback.
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
# /readyz answers 200 once PostgreSQL and Redis answer (the image has no curl: Node's fetch asks).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
