# substream: one image for every run mode (processor, sinks, or all).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY app app
COPY connectors connectors
COPY processors processors
COPY state state
COPY topology topology
COPY bench bench
COPY bin bin
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production DATA_DIR=/var/lib/substream PORT=8080
WORKDIR /app
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
COPY package.json ./
RUN mkdir -p /var/lib/substream && chown node:node /var/lib/substream
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/substream.js"]
CMD ["run", "all"]
