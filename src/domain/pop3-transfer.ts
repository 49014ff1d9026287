/**
 * How a stored message travels in a POP3 multi-line response (RFC 1939 section 3): Maildir files use LF line ends,
 * the wire uses CRLF; a line starting with "." gets one more (byte-stuffing); the response ends with a line of ".".
 * Files are streamed in chunks, so the encoder carries its state from one chunk to the next.
 */
const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const CRLF_BYTES = Buffer.from('\r\n');
const LF_BYTES = Buffer.from('\n');
const DOT_BYTES = Buffer.from('.');

/** The end of a multi-line response. */
export const TERMINATOR = Buffer.from('.\r\n');

export interface EncoderState {
  /** The next byte starts a line. */
  atLineStart: boolean;
  /** The last byte seen was a CR (a file that already has CRLF line ends keeps them, unchanged). */
  afterCr: boolean;
  /** Octets of the current line so far, a CR included. */
  lineOctets: number;
  /** Still inside the header block (TOP counts body lines only after the blank line). */
  inHeader: boolean;
  /** Body lines TOP may still send; null sends the whole message (RETR). */
  bodyLinesLeft: number | null;
  /** TOP has sent all it should: the rest of the file is not needed. */
  done: boolean;
}

/** RETR sends everything; TOP n sends the header, the blank line and n body lines (RFC 1939 section 7). */
export function startEncoding(bodyLines: number | null = null): EncoderState {
  return { atLineStart: true, afterCr: false, lineOctets: 0, inHeader: true, bodyLinesLeft: bodyLines, done: false };
}

/** Encodes one chunk of the file; returns the bytes to send and the state for the next chunk. */
export function encodeChunk(state: EncoderState, chunk: Buffer): { out: Buffer[]; state: EncoderState } {
  const out: Buffer[] = [];
  let { atLineStart, afterCr, lineOctets, inHeader, bodyLinesLeft, done } = state;
  let position = 0;
  while (position < chunk.length && !done) {
    if (atLineStart && chunk[position] === DOT) out.push(DOT_BYTES);
    const newline = chunk.indexOf(LF, position);
    if (newline < 0) {
      const rest = chunk.subarray(position);
      out.push(rest);
      lineOctets += rest.length;
      afterCr = rest[rest.length - 1] === CR;
      atLineStart = false;
      break;
    }
    const line = chunk.subarray(position, newline);
    const endsWithCr = line.length > 0 ? line[line.length - 1] === CR : afterCr;
    out.push(line, endsWithCr ? LF_BYTES : CRLF_BYTES);
    lineOctets += line.length;
    const blank = lineOctets === 0 || (lineOctets === 1 && endsWithCr);
    if (inHeader) {
      if (blank) inHeader = false;
    } else if (bodyLinesLeft !== null) {
      bodyLinesLeft -= 1;
    }
    if (!inHeader && bodyLinesLeft !== null && bodyLinesLeft <= 0) done = true;
    atLineStart = true;
    afterCr = false;
    lineOctets = 0;
    position = newline + 1;
  }
  return { out, state: { atLineStart, afterCr, lineOctets, inHeader, bodyLinesLeft, done } };
}

/** What ends the message: a file whose last line has no line end gets one, so that "." stands on its own line. */
export function finishEncoding(state: EncoderState): Buffer[] {
  if (state.atLineStart || state.done) return [];
  return [state.afterCr ? LF_BYTES : CRLF_BYTES];
}

export interface SizeCounterState {
  octets: number;
  afterCr: boolean;
  atLineStart: boolean;
}

/**
 * The size LIST and STAT report (RFC 1939 section 11): the octets of the message with CRLF line ends, as RETR sends
 * it, without the byte-stuffing dots, which the client removes. Counted over the same chunks the encoder reads.
 */
export function startCounting(): SizeCounterState {
  return { octets: 0, afterCr: false, atLineStart: true };
}

export function countChunk(state: SizeCounterState, chunk: Buffer): SizeCounterState {
  let { octets, afterCr } = state;
  octets += chunk.length;
  let position = chunk.indexOf(LF);
  while (position >= 0) {
    const previousIsCr = position > 0 ? chunk[position - 1] === CR : afterCr;
    if (!previousIsCr) octets += 1;
    position = chunk.indexOf(LF, position + 1);
  }
  if (chunk.length > 0) afterCr = chunk[chunk.length - 1] === CR;
  const atLineStart = chunk.length > 0 ? chunk[chunk.length - 1] === LF : state.atLineStart;
  return { octets, afterCr, atLineStart };
}

export function finishCounting(state: SizeCounterState): number {
  if (state.atLineStart) return state.octets;
  return state.octets + (state.afterCr ? 1 : 2);
}
