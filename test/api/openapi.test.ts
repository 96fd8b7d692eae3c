/**
 * The OpenAPI document the server serves is valid (checked by an OpenAPI validator) and says what the routes
 * do: the transaction body's fields, 201 on creation, security schemes, and for every route its roles (or that
 * it is public), a success answer, and its 4xx errors in the one error shape.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { buildApp } from '../../src/api/app.ts';
import { ROUTE_ROLES } from '../../src/api/auth.ts';
import { TransactionBody } from '../../src/api/input-schema.ts';
import { Engine } from '../../src/engine/engine.ts';
import { TRANSACTION_FIELDS } from '../../src/engine/transaction.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { DecisionService } from '../../src/service/decision-service.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'fraudwatch-openapi-')), 'api.db'));
await store.migrate();
const service = new DecisionService(new Engine({ labelDelayMs: 0 }), store, Date.now, 1000, new Metrics());
const app = buildApp({ service });
after(async () => {
  await app.close();
  await store.close();
});

type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  'x-roles'?: string[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown>; example?: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, { type: string; scheme?: string }>;
    schemas: Record<string, unknown>;
  };
};

const served = await app.inject({ method: 'GET', url: '/api/docs/json' });
const spec = served.json<Document>();
const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
);

test('the served document is valid OpenAPI 3.1', async () => {
  assert.equal(served.statusCode, 200);
  assert.match(spec.openapi, /^3\.1\./);
  // validate() dereferences and checks against the OpenAPI schema; it throws naming the first problem.
  await SwaggerParser.validate(structuredClone(spec) as never);
  assert.ok(operations.length >= 25, `${operations.length} operations`);
});

test('security schemes for API keys and bearer tokens', () => {
  const schemes = spec.components.securitySchemes;
  assert.deepEqual(schemes.apiKey, { ...schemes.apiKey, type: 'apiKey', in: 'header', name: 'X-API-Key' });
  assert.equal(schemes.bearerToken!.type, 'http');
  assert.equal(schemes.bearerToken!.scheme, 'bearer');
});

test('POST /api/v1/transactions documents its fields, an example, 201, 200, 400 and 409', () => {
  const op = spec.paths['/api/v1/transactions']!.post!;
  const body = op.requestBody!.content['application/json']!;
  const properties = Object.keys((body.schema as { properties: object }).properties);
  assert.deepEqual(properties, Object.keys(TransactionBody.properties));
  assert.deepEqual(
    [...properties].sort(),
    [...TRANSACTION_FIELDS, 'attributes'].sort(),
    'the fields the engine reads, and attributes',
  );
  assert.deepEqual((body.schema as { required: string[] }).required, [
    'transaction_id',
    'timestamp',
    'account_id',
    'amount',
  ]);
  assert.equal((body.schema as { additionalProperties: boolean }).additionalProperties, false);
  assert.ok(body.example ?? (body.schema as { examples?: unknown[] }).examples, 'an example request');
  for (const status of ['201', '200', '400', '409', '401', '403', '429'])
    assert.ok(op.responses[status], `response ${status}`);
  assert.match(op.responses['201']!.description, /stored/i);
  assert.deepEqual(op['x-roles'], [...ROUTE_ROLES.submitTransaction]);
});

test('every route: summary, tags, roles or public, a success answer, 4xx errors in the shared shape', () => {
  for (const { name, op } of operations) {
    assert.ok(op.summary, `${name}: summary`);
    assert.ok(op.tags && op.tags.length > 0, `${name}: tags`);
    assert.ok(Array.isArray(op.security), `${name}: security`);
    const statuses = Object.keys(op.responses);
    assert.ok(
      statuses.some((s) => s.startsWith('2')),
      `${name}: a success answer`,
    );
    assert.ok(!statuses.includes('default'), `${name}: no default answer`);
    for (const s of statuses)
      assert.notEqual(op.responses[s]!.description, 'Default Response', `${name} ${s}`);
    const errors = statuses.filter((s) => s.startsWith('4'));
    assert.ok(errors.length > 0, `${name}: a 4xx answer`);
    for (const s of errors) {
      const schema = op.responses[s]!.content?.['application/json']?.schema as { $ref?: string } | undefined;
      assert.equal(
        schema?.$ref,
        '#/components/schemas/ErrorReply',
        `${name} ${s}: ${JSON.stringify(op.responses[s])}`,
      );
    }
    if (op['x-roles'] !== undefined) {
      assert.ok(op.security!.length > 0, `${name}: security requirements`);
      for (const requirement of op.security!)
        for (const roles of Object.values(requirement)) assert.deepEqual(roles, op['x-roles']);
      assert.match(op.description ?? '', new RegExp(`Roles: ${op['x-roles'].join(', ')}\\.`), name);
      assert.ok(op.responses['401'] && op.responses['403'], `${name}: 401 and 403`);
    } else {
      assert.deepEqual(op.security, [], `${name}: public`);
    }
    if (op.requestBody !== undefined) {
      const media = op.requestBody.content['application/json']!;
      const example =
        media.example ??
        (media as { examples?: unknown }).examples ??
        (media.schema as { examples?: unknown[] }).examples;
      assert.ok(example !== undefined, `${name}: an example request body`);
    }
  }
});

test('the error shape documents rate_limited and the fields of a detail', () => {
  const schema = spec.components.schemas.ErrorReply as {
    properties: { error: { description: string }; details: { items: { properties: object } } };
  };
  assert.match(schema.properties.error.description, /rate_limited/);
  assert.deepEqual(Object.keys(schema.properties.details.items.properties), [
    'path',
    'message',
    'line',
    'column',
  ]);
  const op = spec.paths['/api/v1/anomalies']!.get!;
  assert.match(op.responses['429']!.description, /Retry-After/);
});
