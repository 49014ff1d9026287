import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Services } from './index.js';
import { createRelayClient, type RelaySettings } from './outbound-relay.js';
import { createOutboundWorker, type OutboundWorker } from './outbound-worker.js';

/** The relay settings of the configuration; null when no relay host is set. */
export function relaySettingsOf(config: Config): RelaySettings | null {
  if (!config.POSTYARD_RELAY_HOST) return null;
  return {
    host: config.POSTYARD_RELAY_HOST,
    port: config.POSTYARD_RELAY_PORT,
    user: config.POSTYARD_RELAY_USER,
    password: config.POSTYARD_RELAY_PASSWORD,
    tls: config.POSTYARD_RELAY_TLS,
    heloName: config.POSTYARD_HOSTNAME,
  };
}

/** The server's queue worker over the configured relay host, started; stop() lets an attempt in progress finish. */
export function startOutboundWorker(services: Services, config: Config, log: FastifyBaseLogger): OutboundWorker {
  const settings = relaySettingsOf(config);
  const relay = settings ? createRelayClient(settings) : null;
  const worker = createOutboundWorker({ queue: services.queue, bounces: services.bounces, relay, lifetimeMs: config.POSTYARD_QUEUE_LIFETIME, log });
  // The user name says which login is in use; the password never reaches a log line.
  if (settings) log.info({ relay: relay!.name, tls: settings.tls ?? 'if offered', user: settings.user ?? null }, 'outbound relay host');
  worker.start();
  return worker;
}
