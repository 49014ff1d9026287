/**
 * How an attachment is handed to the browser: always as a download (RFC 6266 "attachment"), with the type the
 * message declared when it is a well-formed MIME type and application/octet-stream otherwise. The sender chooses both
 * the type and the file name, so neither may break out of its header.
 */
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export function downloadType(declared: string | undefined): string {
  const type = (declared ?? '').trim().toLowerCase();
  return MIME_TYPE.test(type) ? type : 'application/octet-stream';
}

/** The file name to save as: the sender's, without folders or control characters, or "attachment-<n>" (n from 1). */
export function downloadName(declared: string | undefined, index: number): string {
  const lastPart = (declared ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = lastPart.replace(/[\u0000-\u001f\u007f]/g, '').trim().replace(/^\.+/, '').slice(0, 200);
  return cleaned === '' ? `attachment-${index + 1}` : cleaned;
}

/** Content-Disposition for a download: a plain ASCII name for old clients and the exact name as RFC 8187 UTF-8. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
