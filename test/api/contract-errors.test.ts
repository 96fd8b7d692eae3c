/**
 * The API refuses what it does not accept, and says so in its one error shape with the field and what to do:
 * unknown body fields and query parameters (with the nearest known name), bodies that are not JSON (with line
 * and column), empty bodies, other content types, values outside an enum (listing the allowed ones).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/api/app.ts';
import { createApiKey } from '../../src/api/auth.ts';
import { findJsonSyntaxError } from '../../src/api/json-body.ts';
import { Engine } from '../../src/engine/engine.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-contract-')), 'api.db'));
await store.migrate();
const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store, Date.now, 1000, null);
const app = buildApp({ service });
const admin = { 'x-api-key': (await createApiKey(store, 'admin', 'root')).key };
after(async () => {
  await app.close();
  await store.close();
});

interface Reply {
  error: string;
  message: string;
  details: { path: string; message: string; line?: number; column?: number }[];
}

/** A request as raw text, so the server sees exactly these bytes and this content type. */
async function send(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: string,
  contentType: string | null = 'application/json',
) {
  const headers: Record<string, string> = { ...admin };
  if (contentType !== null) headers['content-type'] = contentType;
  const r = await app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body }) });
  return { status: r.statusCode, reply: r.json<Reply>() };
}

function assertShape(reply: Reply): void {
  assert.deepEqual(Object.keys(reply).sort(), ['details', 'error', 'message']);
  assert.ok(reply.details.length > 0, 'names at least one field');
  for (const d of reply.details) assert.equal(typeof d.path, 'string');
}

test('an unknown body field is refused with the nearest known name, and nothing changes or is audited', async () => {
  const before = service.engine.decisionSettings;
  const auditsBefore = (await store.listAudit({ action: 'settings_change' })).length;
  const { status, reply } = await send('PUT', '/api/v1/settings/decision', '{"bypas":true}');
  assert.equal(status, 400);
  assertShape(reply);
  assert.equal(reply.error, 'bad_request');
  assert.deepEqual(reply.details, [{ path: 'bypas', message: 'unknown field (did you mean "bypass"?)' }]);
  assert.deepEqual(service.engine.decisionSettings, before);
  assert.equal((await store.listAudit({ action: 'settings_change' })).length, auditsBefore);

  const nested = await send('PUT', '/api/v1/settings/decision', '{"thresholds":{"reveiw":0.4}}');
  assert.equal(nested.status, 400);
  assert.equal(nested.reply.details[0]!.path, 'thresholds.reveiw');
  assert.match(nested.reply.details[0]!.message, /did you mean "review"/);

  const far = await send('PUT', '/api/v1/settings/decision', '{"colour":"red","bypass":false}');
  assert.equal(far.status, 400);
  assert.match(
    far.reply.details[0]!.message,
    /unknown field \(known: thresholds, bypass, bypass_score, hold_on_review\)/,
  );
});

test('a verdict with "notes" is refused naming "note" rather than losing the note', async () => {
  const { status, reply } = await send(
    'PUT',
    '/api/v1/anomalies/tx-1',
    '{"status":"legitimate","notes":"called the customer"}',
  );
  assert.equal(status, 400);
  assertShape(reply);
  assert.deepEqual(reply.details, [{ path: 'notes', message: 'unknown field (did you mean "note"?)' }]);
});

test('several unknown fields are all named', async () => {
  const { status, reply } = await send(
    'POST',
    '/api/v1/models/rollback',
    '{"kind":"gbdt","knd":1,"extra":2}',
  );
  assert.equal(status, 400);
  assert.deepEqual(
    reply.details.map((d) => d.path),
    ['knd', 'extra'],
  );
});

test('an unknown query parameter is refused with the nearest known one', async () => {
  const { status, reply } = await send('GET', '/api/v1/anomalies?limt=5', undefined, null);
  assert.equal(status, 400);
  assertShape(reply);
  assert.deepEqual(reply.details, [
    { path: 'limt', message: 'unknown query parameter (did you mean "limit"?)' },
  ]);
  const audit = await send('GET', '/api/v1/audit?actr=alice', undefined, null);
  assert.equal(audit.status, 400);
  assert.match(audit.reply.details[0]!.message, /did you mean "actor"/);
  const none = await send('GET', '/api/v1/rules?verbose=1', undefined, null);
  assert.equal(none.status, 400);
  assert.deepEqual(none.reply.details, [
    { path: 'verbose', message: 'unknown query parameter (none is taken here)' },
  ]);
});

test('a body that is not JSON names the line and column of the mistake', async () => {
  const text = '{\n  "thresholds": {\n    "review": 0.4,\n  }\n}';
  const { status, reply } = await send('PUT', '/api/v1/settings/decision', text);
  assert.equal(status, 400);
  assertShape(reply);
  assert.equal(reply.error, 'bad_request');
  assert.deepEqual(reply.details[0], {
    path: 'body',
    message:
      "invalid JSON at line 4, column 3: found '}': expected a property name in double quotes (no comma before a closing brace)",
    line: 4,
    column: 3,
  });
  assert.match(reply.message, /^body: invalid JSON at line 4, column 3/);
  const cut = await send('PUT', '/api/v1/settings/decision', '{"bypass": true');
  assert.equal(cut.status, 400);
  assert.deepEqual([cut.reply.details[0]!.line, cut.reply.details[0]!.column], [1, 16]);
  assert.match(cut.reply.details[0]!.message, /the end of the body: expected ',' or '}'/);
  const quotes = await send('POST', '/api/v1/transactions', "{'transaction_id': 'x'}");
  assert.equal(quotes.status, 400);
  assert.match(quotes.reply.details[0]!.message, /line 1, column 2: .*double quotes/);
});

test('the JSON scanner agrees with JSON.parse and points at the first mistake', () => {
  const valid = ['{}', '[]', ' 1 ', '"a\\u00e9\\n"', '{"a":[1,-2.5e3,true,false,null,{"b":{}}]}', '0'];
  for (const text of valid) {
    JSON.parse(text);
    assert.equal(findJsonSyntaxError(text), null, text);
  }
  const invalid: [string, number, number][] = [
    ['', 1, 1],
    ['{"a":1,}', 1, 8],
    ['[1,2', 1, 5],
    ['{"a" 1}', 1, 6],
    ['01', 1, 2],
    ['{"a":"\\x"}', 1, 7],
    ['{"a":1}\n x', 2, 2],
    ['"tab\there"', 1, 5],
    ['['.repeat(100_000), 1, 100_001],
  ];
  for (const [text, line, column] of invalid) {
    assert.throws(() => JSON.parse(text));
    const found = findJsonSyntaxError(text);
    assert.ok(found !== null, text.slice(0, 20));
    assert.deepEqual([found.line, found.column], [line, column], text.slice(0, 20));
  }
});

test('an empty body, with or without a content type, says to send JSON', async () => {
  for (const contentType of ['application/json', null]) {
    const { status, reply } = await send('PUT', '/api/v1/settings/decision', '', contentType);
    assert.equal(status, 400, String(contentType));
    assertShape(reply);
    assert.deepEqual(reply.details, [
      { path: 'body', message: 'is empty; send a JSON body with content-type: application/json' },
    ]);
  }
});

test('another content type is a 415 that says to send application/json', async () => {
  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    const { status, reply } = await send('PUT', '/api/v1/settings/decision', 'bypass=true', contentType);
    assert.equal(status, 415, contentType);
    assertShape(reply);
    assert.equal(reply.error, 'unsupported_media_type');
    assert.equal(reply.details[0]!.path, 'content-type');
    assert.match(reply.message, /send a JSON body with content-type: application\/json/);
    assert.ok(reply.message.includes(contentType), reply.message);
  }
});

test('a value outside an enum lists the allowed values once', async () => {
  const { status, reply } = await send('PUT', '/api/v1/anomalies/tx-1', '{"status":"fraud"}');
  assert.equal(status, 400);
  assert.deepEqual(reply.details, [
    {
      path: 'status',
      message: 'must be one of "under_review", "confirmed_fraud", "legitimate", got "fraud"',
    },
  ]);
  const query = await send('GET', '/api/v1/anomalies?outcome=blocked', undefined, null);
  assert.equal(query.status, 400);
  assert.deepEqual(query.reply.details, [
    {
      path: 'outcome',
      message: 'must be one of "approve", "review", "block_and_review", "decline", got "blocked"',
    },
  ]);
  const kind = await send('PUT', '/api/v1/models/active', '{"kind":"forest","version":"v1"}');
  assert.equal(kind.status, 400);
  assert.match(kind.reply.details[0]!.message, /^must be one of "gbdt", "iforest", got "forest"$/);
  const window = await send('GET', '/api/v1/stats/overview?window=2h', undefined, null);
  assert.equal(window.status, 400);
  assert.match(window.reply.details[0]!.message, /^must be one of "1h", "24h", "7d", got "2h"$/);
});

test('a missing field, a wrong type and a forbidden key are named in the same shape', async () => {
  const missing = await send('PUT', '/api/v1/models/active', '{"kind":"gbdt"}');
  assert.equal(missing.status, 400);
  assert.deepEqual(missing.reply.details, [{ path: 'version', message: 'is required' }]);
  const wrong = await send(
    'PUT',
    '/api/v1/settings/decision',
    '{"thresholds":{"review":"high","block_and_review":0.8,"decline":0.9}}',
  );
  assert.equal(wrong.status, 400);
  assert.deepEqual(wrong.reply.details, [
    { path: 'thresholds.review', message: 'must be a number, got "high"' },
  ]);
  const proto = await send('PUT', '/api/v1/settings/decision', '{"__proto__":{"bypass":true}}');
  assert.equal(proto.status, 400);
  assertShape(proto.reply);
  assert.equal(proto.reply.details[0]!.path, 'body');
  assert.equal(service.engine.decisionSettings.bypass, false);
});
