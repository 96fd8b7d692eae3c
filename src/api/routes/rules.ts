/**
 * Rules changed live: read, validate, publish (applied to the running engine at once, every version kept),
 * list versions, roll back. Publishing and rollback are audited.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { dryRunRules } from '../../engine/rules/dry-run.ts';
import { compileRules, validateRules } from '../../engine/rules/index.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { badRequest, notFound } from '../errors.ts';

export function ruleRoutes(app: FastifyInstance, service: DecisionService): void {
  const engine = service.engine;
  const store = service.store;

  const publish = async (
    document: unknown,
    actor: string,
    action: string,
  ): Promise<{ version: string; rules: number }> => {
    const compiled = compileRules(document);
    if (!compiled.ok) throw badRequest(compiled.errors);
    const previous = engine.rulesVersion;
    const at = Date.now();
    // The version and its audit entry in one database transaction; the engine takes it only once both are in.
    await store.saveRuleVersion(
      {
        version: compiled.value.version,
        document: JSON.stringify(document),
        published_at: at,
        published_by: actor,
      },
      {
        at,
        actor,
        action,
        transaction_id: null,
        old_value: previous,
        new_value: compiled.value.version,
        note: null,
      },
    );
    engine.setRules(compiled.value); // atomic: the next decision uses it
    return { version: compiled.value.version, rules: compiled.value.rules.length };
  };

  app.get('/api/v1/rules', { config: { roles: ROUTE_ROLES.readRules } }, async () => ({
    version: engine.rulesVersion,
    document: engine.ruleSet.document,
  }));

  app.post(
    '/api/v1/rules/validate',
    { config: { roles: ROUTE_ROLES.editRules }, schema: { body: Type.Unknown() } },
    async (request) => {
      const errors = validateRules(request.body);
      return { valid: errors.length === 0, errors };
    },
  );

  app.post(
    '/api/v1/rules/dry-run',
    {
      config: { roles: ROUTE_ROLES.dryRunRules },
      schema: {
        body: Type.Object(
          {
            document: Type.Unknown(),
            last: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { document, last } = request.body as { document: unknown; last?: number };
      const compiled = compileRules(document);
      if (!compiled.ok) {
        throw badRequest(
          compiled.errors.map((e) => ({ ...e, path: e.path ? `document.${e.path}` : 'document' })),
        );
      }
      const rows = await store.recentDecisions(last ?? 1000);
      return dryRunRules(compiled.value, rows, engine.decisionSettings.thresholds);
    },
  );

  app.put(
    '/api/v1/rules',
    { config: { roles: ROUTE_ROLES.publishRules }, schema: { body: Type.Unknown() } },
    async (request) => publish(request.body, request.caller?.name ?? 'unknown', 'rules_publish'),
  );

  app.get('/api/v1/rules/versions', { config: { roles: ROUTE_ROLES.readRules } }, async () => ({
    current: engine.rulesVersion,
    versions: (await store.listRuleVersions(100)).map((v) => ({
      version: v.version,
      published_at: new Date(v.published_at).toISOString(),
      published_by: v.published_by,
    })),
  }));

  app.post(
    '/api/v1/rules/rollback',
    {
      config: { roles: ROUTE_ROLES.publishRules },
      schema: {
        body: Type.Object({ version: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const { version } = request.body as { version: string };
      const target = (await store.listRuleVersions(1000)).find((v) => v.version === version);
      if (target === undefined) throw notFound(`rules version ${version}`);
      return publish(JSON.parse(target.document), request.caller?.name ?? 'unknown', 'rules_rollback');
    },
  );
}
