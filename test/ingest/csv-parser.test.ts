import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvParser } from '../../src/ingest/csv-parser.ts';

function parseAll(text: string, chunkSize: number): { line: number; fields: string[] }[] {
  const p = new CsvParser();
  const out = [];
  for (let i = 0; i < text.length; i += chunkSize) out.push(...p.push(text.slice(i, i + chunkSize)));
  out.push(...p.end());
  return out;
}

const sample = 'a,b,c\r\n1,"x, y",3\n"he said ""hi""",,"multi\nline"\n\nlast,row,"end"';
const expected = [
  { line: 1, fields: ['a', 'b', 'c'] },
  { line: 2, fields: ['1', 'x, y', '3'] },
  { line: 3, fields: ['he said "hi"', '', 'multi\nline'] },
  { line: 6, fields: ['last', 'row', 'end'] },
];

test('RFC 4180: quotes, doubled quotes, embedded commas and line breaks, CRLF, blank lines', () => {
  assert.deepEqual(parseAll(sample, sample.length), expected);
});

test('the same records whatever the chunk boundaries', () => {
  for (let size = 1; size <= 7; size++)
    assert.deepEqual(parseAll(sample, size), expected, `chunks of ${size}`);
});

test('an unterminated quote is reported', () => {
  const p = new CsvParser();
  p.push('a,"open\n');
  assert.equal(p.unterminatedQuote, true);
});
