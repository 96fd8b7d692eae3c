/**
 * Rules changed live: read, validate, publish (applied to the running engine at once, every version kept),
 * list versions, roll back. Publishing and rollback are audited.
 */
import type { FastifyInstance } from 'fastify';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Type } from 'typebox';
import { DryRunTally } from '../../engine/rules/dry-run.ts';
import { checkRules, compileRules } from '../../engine/rules/index.ts';
import type { DecisionService } from '../../service/decision-service.ts';
import type { RecentCursor } from '../../store/types.ts';
import { ROUTE_ROLES } from '../auth.ts';
import { ApiError, badRequest, notFound } from '../errors.ts';
import { Limit, Text } from '../input-schema.ts';
import { RULES_DOCS, RULES_EXAMPLE, RulesDocumentBody } from './rules-docs.ts';

/** Stored decisions one dry run may look at. */
export const MAX_DRY_RUN_ROWS = 10_000;
/**
 * Rows read and evaluated between two turns of the event loop (a few milliseconds on the embedded store, whose
 * reads are synchronous): a dry run over thousands of rows never holds up decisions or health checks.
 */
const DRY_RUN_PAGE = 200;

export function ruleRoutes(app: FastifyInstance, service: DecisionService): void {
  const engine = service.engine;
  const store = service.store;

  const stored = service.stored;

  /**
   * A new version name is stored (with its audit entry, in one database transaction) and then in force; the
   * same name with the same document again is answered as it was, nothing stored; with another document, 409.
   */
  const publish = async (document: unknown, actor: string) => {
    const compiled = compileRules(document);
    if (!compiled.ok) throw badRequest(compiled.errors);
    const outcome = await stored.publishRules(compiled.value, document, actor);
    if (outcome.kind === 'conflict') {
      const message = `rules version ${outcome.version} is already published with another document; publish it under a new version`;
      throw new ApiError(409, 'conflict', message, [{ path: 'version', message }]);
    }
    return {
      version: outcome.rules.version,
      rules: outcome.rules.rules.length,
      created: outcome.kind === 'published',
      in_force: engine.rulesVersion === outcome.rules.version,
    };
  };

  app.get(
    '/api/v1/rules',
    { config: { roles: ROUTE_ROLES.readRules }, schema: RULES_DOCS.read },
    async () => ({
      version: engine.rulesVersion,
      document: engine.ruleSet.document,
    }),
  );

  app.post(
    '/api/v1/rules/validate',
    { config: { roles: ROUTE_ROLES.editRules }, schema: { ...RULES_DOCS.validate, body: RulesDocumentBody } },
    async (request) => {
      // A document past the size limits is a bad request, not a draft to correct field by field.
      const { errors, limited } = checkRules(request.body);
      if (limited) throw badRequest(errors);
      return { valid: errors.length === 0, errors };
    },
  );

  app.post(
    '/api/v1/rules/dry-run',
    {
      config: { roles: ROUTE_ROLES.dryRunRules },
      schema: {
        ...RULES_DOCS.dryRun,
        body: Type.Object(
          {
            document: Type.Unknown({ description: 'A rules document, as for PUT /api/v1/rules' }),
            last: Type.Optional(Limit(MAX_DRY_RUN_ROWS)),
          },
          { additionalProperties: false, examples: [{ document: RULES_EXAMPLE, last: 1000 }] },
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
      const wanted = last ?? 1000;
      const tally = new DryRunTally(compiled.value, engine.decisionSettings.thresholds);
      let after: RecentCursor | undefined;
      for (let read = 0; read < wanted;) {
        if (read > 0) await nextTurn();
        const rows = await store.recentDecisions(Math.min(DRY_RUN_PAGE, wanted - read), after);
        tally.add(rows);
        read += rows.length;
        const lastRow = rows.at(-1);
        if (rows.length < DRY_RUN_PAGE || lastRow === undefined) break;
        after = { decided_at: lastRow.decided_at, transaction_id: lastRow.transaction.transaction_id };
      }
      return tally.result;
    },
  );

  app.put(
    '/api/v1/rules',
    {
      config: { roles: ROUTE_ROLES.publishRules },
      schema: { ...RULES_DOCS.publish, body: RulesDocumentBody },
    },
    async (request) => publish(request.body, request.caller?.name ?? 'unknown'),
  );

  app.get(
    '/api/v1/rules/versions',
    { config: { roles: ROUTE_ROLES.readRules }, schema: RULES_DOCS.versions },
    async () => ({
      current: engine.rulesVersion,
      versions: (await store.listRuleVersions(100)).map((v) => ({
        version: v.version,
        published_at: new Date(v.published_at).toISOString(),
        published_by: v.published_by,
      })),
    }),
  );

  app.post(
    '/api/v1/rules/rollback',
    {
      config: { roles: ROUTE_ROLES.publishRules },
      schema: {
        ...RULES_DOCS.rollback,
        body: Type.Object(
          { version: Text(200, 1) },
          { additionalProperties: false, examples: [{ version: '2026-11-24.1' }] },
        ),
      },
    },
    async (request) => {
      const { version } = request.body as { version: string };
      const rules = await stored.rollbackRules(version, request.caller?.name ?? 'unknown');
      if (rules === null) throw notFound(`rules version ${version}`);
      return { version: rules.version, rules: rules.rules.length, created: false, in_force: true };
    },
  );
}
