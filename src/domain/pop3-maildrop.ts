/**
 * The maildrop of one POP3 session (RFC 1939 section 5): the messages as they were when the session opened,
 * numbered from 1, and the deletion marks that DELE sets, RSET clears and only QUIT applies. No I/O: the session
 * keeps the files, this keeps the rules.
 */
export interface DropMessage {
  /** RFC 1939 section 7 unique-id: stable across sessions. */
  uid: string;
  /** Octets the client receives for RETR (CRLF line ends, before byte-stuffing). */
  size: number;
}

export type MessageLookup =
  | { ok: true; number: number; message: DropMessage }
  | { ok: false; reason: 'NO_SUCH_MESSAGE' | 'DELETED'; number: number };

export interface ListedMessage {
  number: number;
  message: DropMessage;
}

export class Pop3Maildrop {
  private readonly deleted = new Set<number>();

  constructor(readonly messages: readonly DropMessage[]) {}

  /** A message by number; a message marked deleted "may not be referred to" (RFC 1939 section 5). */
  get(number: number): MessageLookup {
    const message = this.messages[number - 1];
    if (!message || number < 1) return { ok: false, reason: 'NO_SUCH_MESSAGE', number };
    if (this.deleted.has(number)) return { ok: false, reason: 'DELETED', number };
    return { ok: true, number, message };
  }

  /** STAT: messages not marked deleted, and their total size. */
  stat(): { count: number; octets: number } {
    const listed = this.listing();
    return { count: listed.length, octets: listed.reduce((sum, each) => sum + each.message.size, 0) };
  }

  /** LIST and UIDL without an argument: every message not marked deleted, in order. */
  listing(): ListedMessage[] {
    const listed: ListedMessage[] = [];
    this.messages.forEach((message, index) => {
      if (!this.deleted.has(index + 1)) listed.push({ number: index + 1, message });
    });
    return listed;
  }

  /** DELE: marks the message; the file is removed only in the UPDATE state. */
  delete(number: number): MessageLookup {
    const found = this.get(number);
    if (found.ok) this.deleted.add(number);
    return found;
  }

  /** RSET: unmarks every message. */
  reset(): void {
    this.deleted.clear();
  }

  /** What the UPDATE state removes. */
  markedForDeletion(): DropMessage[] {
    return [...this.deleted].sort((a, b) => a - b).map((number) => this.messages[number - 1]!);
  }
}
