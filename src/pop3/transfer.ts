import type { Readable } from 'node:stream';
import { TERMINATOR, encodeChunk, finishEncoding, startEncoding } from '../domain/pop3-transfer.js';
import type { Pop3Connection } from './connection.js';

/**
 * Streams a stored message as the body of a multi-line response, chunk by chunk with the socket's backpressure, so
 * a large message never sits in memory. TOP passes the number of body lines; RETR passes null.
 * Returns false when the client went away before the end.
 */
export async function sendMessage(connection: Pop3Connection, file: Readable, bodyLines: number | null): Promise<boolean> {
  let state = startEncoding(bodyLines);
  try {
    for await (const chunk of file) {
      if (connection.closed) return false;
      const encoded = encodeChunk(state, chunk as Buffer);
      state = encoded.state;
      if (encoded.out.length > 0) await connection.write(Buffer.concat(encoded.out));
      if (state.done) break;
    }
  } finally {
    file.destroy();
  }
  await connection.write(Buffer.concat([...finishEncoding(state), TERMINATOR]));
  return !connection.closed;
}

/** A multi-line response of short lines that we wrote ourselves (CAPA, LIST, UIDL): none starts with ".". */
export async function sendLines(connection: Pop3Connection, status: string, lines: readonly string[]): Promise<void> {
  await connection.write(`${[status, ...lines, '.'].join('\r\n')}\r\n`);
}
