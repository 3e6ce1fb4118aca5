/**
 * Raw RFC 822 e-mail → the text a reader sees. For learning what a message says, the
 * routing headers (Received, From, To, Message-Id, list footers' headers...) are noise, and
 * worse, they leak the answer: in SpamAssassin's corpus every ham message passed through the
 * same few mailing-list servers. So we keep only the Subject line and the body, and undo the
 * transport encodings that make bodies unreadable (MIME part headers, quoted-printable,
 * base64 attachments, HTML tags).
 */

/** Headers (unfolded) and body of a message: the body starts after the first blank line. */
export function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const text = raw.replace(/\r\n?/g, '\n');
  const end = text.search(/\n\s*\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end).replace(/^\s*\n/, '');
  const headers = new Map<string, string>();
  // Folded header lines continue with leading whitespace.
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (m) {
      const name = m[1].toLowerCase();
      if (!headers.has(name)) {
        headers.set(name, m[2].trim());
      }
    }
  }
  return { headers, body };
}

/** =XX escapes and soft line breaks of quoted-printable bodies. */
export function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\n/g, '')
    .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'"
};

/** Tags, scripts, styles and comments removed; common entities decoded. */
export function stripHtml(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p>|<\/div>|<\/tr>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code =
          name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : +name.slice(1);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

/** A line that is an encoded blob (base64, uuencode) rather than words. */
const BLOB_LINE = /^[A-Za-z0-9+/=]{40,}$/;

function cleanPart(headers: Map<string, string>, body: string, depth: number): string {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const encoding = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  const boundary = /boundary\s*=\s*"?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary && depth < 5) {
    // Keep the readable parts; drop attachments and each part's own headers.
    const parts = body.split(`--${boundary}`).slice(1);
    return parts
      .filter(p => !p.startsWith('--'))
      .map(p => {
        const part = splitHeaders(p.replace(/^[ \t]*\n/, ''));
        return cleanPart(part.headers, part.body, depth + 1);
      })
      .filter(t => t.trim() !== '')
      .join('\n');
  }
  if (!type.startsWith('text/') && !type.startsWith('multipart/')) {
    return '';
  }
  let text = body;
  if (encoding.includes('base64')) {
    const decoded = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
    text = decoded.includes('\ufffd') ? '' : decoded;
  } else if (encoding.includes('quoted-printable')) {
    text = decodeQuotedPrintable(text);
  }
  if (type.startsWith('text/html') || /<(html|body|p|div|table|font)\b/i.test(text)) {
    text = stripHtml(text);
  }
  return text
    .split('\n')
    .filter(line => !BLOB_LINE.test(line.trim()))
    .join('\n');
}

/**
 * The readable content of a raw e-mail: "Subject line\n\nbody", with routing headers, MIME
 * structure, non-text attachments, encodings and HTML markup removed, whitespace collapsed.
 */
export function emailText(raw: string): string {
  const { headers, body } = splitHeaders(raw);
  const subject = headers.get('subject') ?? '';
  const content = cleanPart(headers, body, 0);
  return `${subject}\n\n${content}`
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}
