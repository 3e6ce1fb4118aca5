import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeQuotedPrintable,
  emailText,
  splitHeaders,
  stripHtml
} from '../../../kernel/src/text/email';

test('emailText keeps the subject and body, drops routing headers', () => {
  const raw = [
    'From someone@example.com  Mon Jun 24 17:04:45 2002',
    'Received: from mail.example.com (mail [10.0.0.1])',
    '    by list.example.org with ESMTP',
    'From: Someone <someone@example.com>',
    'Subject: Meeting',
    '  moved to Friday',
    '',
    'Hi all,',
    '',
    'the meeting   moves to Friday.'
  ].join('\r\n');
  const { headers } = splitHeaders(raw);
  assert.equal(headers.get('subject'), 'Meeting moved to Friday');
  assert.equal(emailText(raw), 'Meeting moved to Friday\nHi all,\nthe meeting moves to Friday.');
  assert.ok(!emailText(raw).includes('example'));
});

test('multipart mail: text parts kept, attachments and part headers dropped, encodings undone', () => {
  const raw = [
    'Subject: Offer',
    'Content-Type: multipart/alternative; boundary="XYZ"',
    '',
    'This is a MIME message.',
    '--XYZ',
    'Content-Type: text/plain; charset=us-ascii',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Caf=E9 special: buy one, get one =',
    'free!',
    '--XYZ',
    'Content-Type: text/html',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(
      '<html><body><p>Visit&nbsp;<b>now</b></p><script>x()</script></body></html>'
    ).toString('base64'),
    '--XYZ',
    'Content-Type: application/octet-stream',
    '',
    'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5eg==',
    '--XYZ--'
  ].join('\n');
  const text = emailText(raw);
  assert.ok(text.startsWith('Offer\n'), text);
  assert.ok(text.includes('Café special: buy one, get one free!'), text);
  assert.ok(text.includes('Visit now'), text);
  assert.ok(!/Content-Type|XYZ|QUJD|x\(\)|<b>/.test(text), text);
});

test('helpers: quoted-printable, HTML, blob lines', () => {
  assert.equal(decodeQuotedPrintable('a=3Db =\nc'), 'a=b c');
  assert.equal(stripHtml('<p>a &amp; b&#33;</p><!-- hidden -->').trim(), 'a & b!');
  const blob = 'Subject: x\n\nhello\n' + 'A'.repeat(76) + '\nbye';
  assert.equal(emailText(blob), 'x\nhello\nbye');
  assert.equal(emailText('no header separator at all'), '');
});
