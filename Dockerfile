# kube-emulator: the Kubernetes API server emulator in a container.
#   docker build -t kube-emulator .
#   docker run --rm -p 8080:8080 -v kube-emulator-data:/data kube-emulator
# Binding 0.0.0.0 inside the container turns on bearer-token authentication and TLS: the token is written to
# /data/token, the CA to /data/pki/ca.crt, and both into /data/kubeconfig (see README, "Docker").

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the sources are not here yet (npm ci's prepare would build them).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY apimachinery ./apimachinery
COPY server ./server
COPY storage ./storage
COPY controllers ./controllers
COPY openapi ./openapi
COPY cli ./cli
COPY ui ./ui
COPY scripts ./scripts
COPY tests ./tests
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/ui ./ui
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD node -e "require('https').get({host:'127.0.0.1',port:8080,path:'/readyz',ca:require('fs').readFileSync('/data/pki/ca.crt')},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli/start.js", "--host", "0.0.0.0", "--port", "8080", "--data-dir", "/data"]
CMD ["--nodes", "3"]
