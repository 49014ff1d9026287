#!/bin/sh
# Waits (a bounded while) for the configuration Postyard writes at its start, then runs Dovecot in the foreground.
set -e
config=/data/dovecot/dovecot.conf
tries=0
until [ -f "$config" ]; do
  tries=$((tries + 1))
  [ "$tries" -le 120 ] || { echo "no $config after 2 minutes: is the postyard service running?" >&2; exit 1; }
  sleep 1
done
mkdir -p /run/dovecot
exec dovecot -F -c "$config"
