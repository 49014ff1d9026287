# Postyard in one image: Node 20 on Debian, better-sqlite3 built from source.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
# Mail files belong to vmail (uid 5000) so that Dovecot, running beside Postyard on the same volume, can serve them.
RUN groupadd -g 5000 vmail && useradd -u 5000 -g vmail -d /data -s /usr/sbin/nologin vmail
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY docker/postyard-start.sh ./postyard-start.sh
COPY migrations ./migrations
COPY views ./views
COPY public ./public
ENV POSTYARD_DATA_DIR=/data \
    POSTYARD_HTTP_HOST=0.0.0.0 \
    POSTYARD_SMTP_PORT=25 \
    POSTYARD_SUBMISSION_PORT=587 \
    POSTYARD_POP3_PORT=110 \
    POSTYARD_MAIL_USER=vmail
VOLUME /data
EXPOSE 8080 25 587 110
# Writes the Dovecot configuration for the dovecot service, then serves. Commands: docker compose exec postyard node dist/main.js <verb>
CMD ["./postyard-start.sh"]
