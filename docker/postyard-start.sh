#!/bin/sh
# Postyard's container: refresh the Dovecot configuration on the shared volume (the dovecot service waits for it),
# then run the server. The configuration reads the database and certificate in /data, so it is written at each start.
set -e
node dist/main.js dovecot-config --dir /data/dovecot --listen '*' --imap-port 143 --base-dir /run/dovecot >/dev/null
exec node dist/main.js serve
