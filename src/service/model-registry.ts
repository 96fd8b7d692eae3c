/**
 * The model versions and their stages (issue 13): per kind one champion (in force), at most one challenger
 * (scored in the shadow, deciding CHALLENGER_TRAFFIC), the rest archived. The stages live in the store, so every
 * process (serve and workers) follows a promotion within FRAUDWATCH_FOLLOW_INTERVAL_MS (`follow`). Artifacts are
 * files of the models directory; with PostgreSQL each is also stored in the table, so a process on another
 * machine, with an empty models directory, loads them from there (and keeps a copy in its directory).
 *
 * Every stage change is checked and its artifact loaded first, then written with its audit entry in one database
 * transaction, then put in the engine: nothing is in force that is not audited, and a change another process made
 * first refuses this one instead of overwriting it.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Engine } from '../engine/engine.ts';
import type { ModelSlot, ScoringModel } from '../engine/model.ts';
import type { TrainingInfo } from '../models/artifact-fields.ts';
import type { LoadedModel } from '../models/artifact.ts';
import type {
  DecisionStore,
  ModelStage,
  ModelStageMove,
  ModelVersionRecord,
  NewAuditEntry,
  NewModelVersion,
} from '../store/types.ts';
import type { TrainedArtifacts } from '../training/train-models.ts';
import {
  artifactIds,
  artifactPath,
  isModelKind,
  loadArtifact,
  MODEL_KINDS,
  MODEL_WEIGHTS,
  modelFromText,
  readActive,
  summaryOfArtifact,
  writeActive,
  type ModelKind,
} from '../training/model-files.ts';
import { autoPromotionVerdict, type AutoPromotionVerdict } from './auto-promotion.ts';
import type { LiveModelReport } from './live-model-metrics.ts';

export interface ModelVersionInfo {
  kind: ModelKind;
  /** The artifact's one id (its file name without `.json`): what decisions carry, what promote takes. */
  id: string;
  /** The version decisions report (`model_version`, one `+`-separated part per kind): the id. */
  version: string;
  stage: ModelStage;
  /** In force in this process (the champion it loaded). */
  in_force: boolean;
  /** The version written inside the file; differs from the id only in files written before ids were one. */
  artifact_version: string | null;
  training: TrainingInfo | null;
  /** Validation metrics from training (e.g. validation_auc); empty when training computed none. */
  metrics: Record<string, number>;
  created_at: string;
  stage_changed_at: string;
  stage_changed_by: string;
}

export class ModelRegistryError extends Error {
  constructor(
    readonly reason:
      'unknown_kind' | 'not_found' | 'invalid_artifact' | 'no_previous' | 'wrong_stage' | 'changed',
    message: string,
  ) {
    super(message);
  }
}

type Loaded = LoadedModel & ScoringModel;

interface Summary {
  artifact_version: string | null;
  training: TrainingInfo | null;
  metrics: Record<string, number>;
}

/** What a stage change answers: the version it replaced (null: none) and the one it put in that place. */
export interface StageChange {
  before: string | null;
  after: string;
}

export interface ModelRegistryOptions {
  dir: string;
  engine: Engine;
  store: DecisionStore;
  now?: () => number;
  log?: (line: string) => void;
  /** Share of transactions the challenger set decides (CHALLENGER_TRAFFIC), shown by GET /api/v1/models. */
  challengerTraffic?: number;
  /** Whether AUTO_PROMOTE is on, shown by GET /api/v1/models. */
  autoPromote?: boolean;
  /** Register the directory's unknown artifacts (serve and worker do; `fraudwatch models` does not). */
  register?: boolean;
}

const SYSTEM_ACTOR = 'system';
const AUTO_ACTOR = 'auto-promote';

/** The listing's fields of an artifact's JSON text (a broken one has none; registering refuses it anyway). */
function artifactTextSummary(text: string): Summary {
  try {
    return summaryOfArtifact(JSON.parse(text));
  } catch {
    return { artifact_version: null, training: null, metrics: {} };
  }
}

/** The summary as the store keeps it (JSON text of a Summary). */
function storedSummary(text: string): Summary {
  const parsed = JSON.parse(text) as Partial<Summary>;
  return {
    artifact_version: parsed.artifact_version ?? null,
    training: parsed.training ?? null,
    metrics: parsed.metrics ?? {},
  };
}

/** The `model_version` a set of ids (one per kind) gives decisions: the engine joins its slots in this order. */
export function setVersion(ids: Partial<Record<ModelKind, string>>): string | null {
  const parts = MODEL_KINDS.flatMap((kind) => (ids[kind] === undefined ? [] : [ids[kind]!]));
  return parts.length > 0 ? parts.join('+') : null;
}

export class ModelRegistry {
  readonly dir: string;
  readonly challengerTraffic: number;
  readonly autoPromoteEnabled: boolean;
  private readonly engine: Engine;
  private readonly store: DecisionStore;
  private readonly now: () => number;
  private readonly log: (line: string) => void;
  /** The models of the champions and challengers this process has loaded, by id. */
  private readonly models = new Map<string, Loaded>();
  private readonly champions = new Map<ModelKind, string>();
  private readonly challengerIds = new Map<ModelKind, string>();
  /** Changes and follow-ups of this process one after the other (the store orders those of all processes). */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(options: ModelRegistryOptions) {
    this.dir = options.dir;
    this.engine = options.engine;
    this.store = options.store;
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.challengerTraffic = options.challengerTraffic ?? 0;
    this.autoPromoteEnabled = options.autoPromote ?? false;
  }

  /**
   * Registers the artifacts of the models directory the store does not know (docs/models.md, "Stages and
   * promotion"): on the very first start, the newest of each kind (or the one active.json names) as champion,
   * the others archived; later, the newest new one of a kind as its challenger, never straight into force. Then
   * puts the champions and challengers in the engine.
   */
  static async open(options: ModelRegistryOptions): Promise<ModelRegistry> {
    const registry = new ModelRegistry(options);
    if (options.register !== false) await registry.serially(() => registry.registerDirectory());
    await registry.refresh();
    return registry;
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async registerDirectory(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const known = await this.store.listModelVersions();
      const update = this.directoryUpdate(known);
      if (update === null) return;
      if (await this.store.updateModelVersions(update)) {
        for (const v of update.added ?? [])
          this.log(`model ${v.id} registered as ${v.stage} (found in ${this.dir})`);
        return;
      }
      // Another process registered some of them meanwhile: read again and register what is left.
      if (attempt === 3) throw new Error(`model versions kept changing while ${this.dir} was registered`);
    }
  }

  private directoryUpdate(known: ModelVersionRecord[]) {
    const knownIds = new Set(known.map((v) => v.id));
    const firstStart = known.length === 0;
    const chosen = firstStart ? readActive(this.dir) : {};
    const at = this.now();
    const added: NewModelVersion[] = [];
    const moves: ModelStageMove[] = [];
    for (const kind of MODEL_KINDS) {
      const found: { id: string; text: string; created_at: number }[] = [];
      for (const id of artifactIds(this.dir, kind)) {
        if (knownIds.has(id)) continue;
        const path = artifactPath(this.dir, id);
        const text = readFileSync(path, 'utf8');
        try {
          modelFromText(text, id);
        } catch (e) {
          this.log(`model ${id}: not registered, it does not load: ${(e as Error).message}`);
          continue;
        }
        found.push({ id, text, created_at: Math.round(statSync(path).mtimeMs) });
      }
      if (found.length === 0) continue;
      // The ids sort by time: the newest found is the champion at first start, the challenger later.
      const lead = firstStart
        ? (found.find((f) => f.id === chosen[kind]) ?? found[found.length - 1]!)
        : found[found.length - 1]!;
      const leadAt = found.indexOf(lead);
      const oldChallenger = known.find((v) => v.kind === kind && v.stage === 'challenger');
      if (!firstStart && oldChallenger !== undefined)
        moves.push({ id: oldChallenger.id, from: 'challenger', to: 'archived' });
      found.forEach((f, i) => {
        const stage: ModelStage = f !== lead ? 'archived' : firstStart ? 'champion' : 'challenger';
        added.push({
          id: f.id,
          kind,
          stage,
          created_at: f.created_at,
          stage_changed_at: at,
          stage_changed_by: SYSTEM_ACTOR,
          // At first start the older files count as the champions before, in turn: a rollback walks them back.
          champion_seq: firstStart && i <= leadAt ? i + 1 : null,
          summary: JSON.stringify(artifactTextSummary(f.text)),
          artifact: this.store.kind === 'postgres' ? f.text : null,
        });
      });
    }
    if (added.length === 0) return null;
    const audit = added.map((v) =>
      this.auditEntry(at, SYSTEM_ACTOR, 'model_registered', null, v.id, `${v.stage}, found in ${this.dir}`),
    );
    return { added, moves, at, actor: SYSTEM_ACTOR, audit };
  }

  private auditEntry(
    at: number,
    actor: string,
    action: string,
    before: string | null,
    after: string,
    note: string | null,
  ): NewAuditEntry {
    return { at, actor, action, transaction_id: null, old_value: before, new_value: after, note };
  }

  /** Every version of every kind, oldest first within a kind, as the store has them now. */
  async list(): Promise<ModelVersionInfo[]> {
    const versions = await this.store.listModelVersions();
    return versions.filter((v) => isModelKind(v.kind)).map((v) => this.info(v));
  }

  private info(v: ModelVersionRecord): ModelVersionInfo {
    const summary = storedSummary(v.summary);
    return {
      kind: v.kind as ModelKind,
      id: v.id,
      version: v.id,
      stage: v.stage,
      in_force: this.champions.get(v.kind as ModelKind) === v.id,
      artifact_version: summary.artifact_version,
      training: summary.training,
      metrics: summary.metrics,
      created_at: new Date(v.created_at).toISOString(),
      stage_changed_at: new Date(v.stage_changed_at).toISOString(),
      stage_changed_by: v.stage_changed_by,
    };
  }

  /** The champion in force per kind, in this process. */
  active(): Partial<Record<ModelKind, string>> {
    return Object.fromEntries(this.champions);
  }

  /** The challenger per kind (kinds without one are absent), in this process. */
  challengers(): Partial<Record<ModelKind, string>> {
    return Object.fromEntries(this.challengerIds);
  }

  /** The `model_version` of the champion set and of the challenger set (null without a challenger). */
  setVersions(): { champion: string | null; challenger: string | null } {
    if (this.challengerIds.size === 0) return { champion: setVersion(this.active()), challenger: null };
    return {
      champion: setVersion(this.active()),
      challenger: setVersion({ ...this.active(), ...this.challengers() }),
    };
  }

  /**
   * Reads the stages from the store and puts in the engine what changed: the champion set (`setModels`) and the
   * challenger set (`setChallengerModels`; a kind without a challenger uses its champion; null without any). A
   * version that cannot be loaded is logged and the one before kept. Answers whether anything changed.
   */
  refresh(): Promise<boolean> {
    return this.serially(() => this.sync());
  }

  private async sync(): Promise<boolean> {
    const versions = await this.store.listModelVersions();
    const wanted = (stage: ModelStage) =>
      new Map(
        versions.flatMap((v) => (v.stage === stage && isModelKind(v.kind) ? [[v.kind, v] as const] : [])),
      );
    const champions = wanted('champion');
    const challengers = wanted('challenger');
    const take = async (
      target: Map<ModelKind, string>,
      next: Map<ModelKind, ModelVersionRecord>,
      role: string,
    ): Promise<boolean> => {
      let changed = false;
      for (const kind of MODEL_KINDS) {
        const record = next.get(kind);
        if (record === undefined) {
          if (target.delete(kind)) changed = true;
          continue;
        }
        if (target.get(kind) === record.id) continue;
        try {
          await this.loaded(record);
        } catch (e) {
          // What is in force stays; the process that changed the stage loaded this artifact before.
          this.log(`model ${kind}: ${record.id} (${role}) cannot be loaded: ${(e as Error).message}`);
          continue;
        }
        target.set(kind, record.id);
        this.log(`model ${kind}: ${record.id} is the ${role}`);
        changed = true;
      }
      return changed;
    };
    const championsChanged = await take(this.champions, champions, 'champion');
    const challengersChanged = await take(this.challengerIds, challengers, 'challenger');
    if (championsChanged) {
      this.engine.setModels(this.slots(this.champions));
      // active.json mirrors the champions for what reads the directory alone (`fraudwatch drift`).
      try {
        writeActive(this.dir, this.active());
      } catch {
        // A read-only directory: the store is what counts.
      }
    }
    if (championsChanged || challengersChanged) {
      this.engine.setChallengerModels(
        this.challengerIds.size === 0
          ? null
          : this.slots(new Map([...this.champions, ...this.challengerIds])),
      );
    }
    const keep = new Set([...this.champions.values(), ...this.challengerIds.values()]);
    for (const id of this.models.keys()) if (!keep.has(id)) this.models.delete(id);
    return championsChanged || challengersChanged;
  }

  private slots(ids: Map<ModelKind, string>): ModelSlot[] {
    return MODEL_KINDS.flatMap((kind) => {
      const id = ids.get(kind);
      return id === undefined ? [] : [{ model: this.models.get(id)!, weight: MODEL_WEIGHTS[kind] }];
    });
  }

  /** The model of a version: loaded before, else from the store (PostgreSQL) or the models directory. */
  private async loaded(record: ModelVersionRecord): Promise<Loaded> {
    const cached = this.models.get(record.id);
    if (cached !== undefined) return cached;
    let model: Loaded;
    if (record.has_artifact) {
      const text = await this.store.modelArtifact(record.id);
      if (text === null) throw new Error('the store holds no artifact for it');
      model = modelFromText(text, record.id);
      this.keepCopy(record.id, text);
    } else {
      model = loadArtifact(this.dir, record.id);
    }
    this.models.set(record.id, model);
    return model;
  }

  /** A copy of a stored artifact in this process's models directory, for what reads files (`fraudwatch drift`). */
  private keepCopy(id: string, text: string): void {
    try {
      if (existsSync(artifactPath(this.dir, id))) return;
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(artifactPath(this.dir, id), text);
    } catch {
      // A read-only directory: the model is loaded from the store all the same.
    }
  }

  /** Loads a version for a change, so a broken artifact is refused before anything is written. */
  private async checkedModel(record: ModelVersionRecord): Promise<void> {
    try {
      await this.loaded(record);
    } catch (e) {
      throw new ModelRegistryError(
        'invalid_artifact',
        `version: ${record.id} cannot be loaded: ${(e as Error).message}`,
      );
    }
  }

  /** The version named `idOrAlias` (its id, or the version inside an older file), of `kind` when given. */
  private async find(idOrAlias: string, kind?: string): Promise<ModelVersionRecord> {
    if (kind !== undefined && !isModelKind(kind))
      throw new ModelRegistryError('unknown_kind', `kind: must be one of ${MODEL_KINDS.join(', ')}`);
    const versions = (await this.store.listModelVersions()).filter(
      (v) => isModelKind(v.kind) && (kind === undefined || v.kind === kind),
    );
    const found =
      versions.find((v) => v.id === idOrAlias) ??
      versions.find((v) => storedSummary(v.summary).artifact_version === idOrAlias);
    if (found === undefined)
      throw new ModelRegistryError(
        'not_found',
        `version: no ${kind ?? 'model'} version ${idOrAlias} is registered`,
      );
    return found;
  }

  /** Writes an update; another process having changed the versions first is a 409 the caller may retry. */
  private async write(update: Parameters<DecisionStore['updateModelVersions']>[0]): Promise<void> {
    if (!(await this.store.updateModelVersions(update)))
      throw new ModelRegistryError(
        'changed',
        'version: the model versions were changed by another process meanwhile; look again and retry',
      );
    await this.sync();
  }

  /**
   * Makes version `idOrAlias` (a challenger or archived) the champion of its kind, in force for the next
   * decision; the champion before is archived. `idempotent`: naming the champion changes nothing (PUT
   * /models/active) instead of a wrong-stage refusal.
   */
  promote(
    idOrAlias: string,
    actor: string,
    options: { kind?: string; idempotent?: boolean; action?: string } = {},
  ): Promise<StageChange> {
    return this.serially(async () => {
      await this.sync();
      const target = await this.find(idOrAlias, options.kind);
      const kind = target.kind as ModelKind;
      const champion = (await this.store.listModelVersions()).find(
        (v) => v.kind === kind && v.stage === 'champion',
      );
      if (target.stage === 'champion') {
        if (options.idempotent) return { before: target.id, after: target.id };
        throw new ModelRegistryError(
          'wrong_stage',
          `version: ${target.id} is already the champion of ${kind}`,
        );
      }
      await this.checkedModel(target);
      const at = this.now();
      const moves: ModelStageMove[] = [];
      if (champion !== undefined) moves.push({ id: champion.id, from: 'champion', to: 'archived' });
      moves.push({ id: target.id, from: target.stage, to: 'champion', new_tenure: true });
      const before = champion?.id ?? null;
      await this.write({
        moves,
        at,
        actor,
        audit: [
          this.auditEntry(
            at,
            actor,
            options.action ?? 'model_promote',
            before,
            target.id,
            `was ${target.stage}`,
          ),
        ],
      });
      return { before, after: target.id };
    });
  }

  /** Retires challenger `idOrAlias` (archived); its kind's challenger set falls back to the champion. */
  archive(idOrAlias: string, actor: string): Promise<StageChange> {
    return this.serially(async () => {
      await this.sync();
      const target = await this.find(idOrAlias);
      if (target.stage !== 'challenger')
        throw new ModelRegistryError(
          'wrong_stage',
          `version: ${target.id} is ${target.stage === 'champion' ? 'the champion' : 'archived already'}; only a challenger is archived`,
        );
      const at = this.now();
      await this.write({
        moves: [{ id: target.id, from: 'challenger', to: 'archived' }],
        at,
        actor,
        audit: [this.auditEntry(at, actor, 'model_archive', 'challenger', target.id, null)],
      });
      return { before: target.id, after: target.id };
    });
  }

  /** Puts the champion before the current one of `kind` back in force; the current one is archived. */
  rollback(kind: string, actor: string): Promise<StageChange> {
    return this.serially(async () => {
      if (!isModelKind(kind))
        throw new ModelRegistryError('unknown_kind', `kind: must be one of ${MODEL_KINDS.join(', ')}`);
      await this.sync();
      const versions = (await this.store.listModelVersions()).filter((v) => v.kind === kind);
      const current = versions.find((v) => v.stage === 'champion');
      const currentSeq = current?.champion_seq ?? Infinity;
      const previous = versions
        .filter((v) => v.stage === 'archived' && v.champion_seq !== null && v.champion_seq < currentSeq)
        .sort((a, b) => b.champion_seq! - a.champion_seq!)[0];
      if (current === undefined || previous === undefined)
        throw new ModelRegistryError('no_previous', `kind: no ${kind} champion before the one in force`);
      await this.checkedModel(previous);
      const at = this.now();
      await this.write({
        // The version coming back keeps its number, so another rollback walks further back.
        moves: [
          { id: current.id, from: 'champion', to: 'archived' },
          { id: previous.id, from: 'archived', to: 'champion' },
        ],
        at,
        actor,
        audit: [this.auditEntry(at, actor, 'model_rollback', current.id, previous.id, null)],
      });
      return { before: current.id, after: previous.id };
    });
  }

  /**
   * Registers freshly trained artifacts (training from the store, `fraudwatch train`) as the challengers of their
   * kinds, never straight into force; a kind's older challenger is archived. Each is a file of the models
   * directory and, with PostgreSQL, stored in the table. Audited `model_registered`. Returns their ids.
   */
  registerTrained(trained: TrainedArtifacts, actor: string, at: number): Promise<string[]> {
    return this.serially(async () => {
      const artifacts = [trained.iforest, trained.gbdt].flatMap((a) => (a === null ? [] : [a]));
      const added: NewModelVersion[] = [];
      for (const artifact of artifacts) {
        const id = String(artifact.version);
        const kind = artifact.kind;
        if (!isModelKind(kind)) throw new ModelRegistryError('unknown_kind', `kind: ${String(kind)}`);
        const text = JSON.stringify(artifact);
        this.models.set(id, modelFromText(text, id));
        mkdirSync(this.dir, { recursive: true });
        writeFileSync(artifactPath(this.dir, id), text);
        added.push({
          id,
          kind,
          stage: 'challenger',
          created_at: at,
          stage_changed_at: at,
          stage_changed_by: actor,
          champion_seq: null,
          summary: JSON.stringify(summaryOfArtifact(artifact)),
          artifact: this.store.kind === 'postgres' ? text : null,
        });
      }
      const known = await this.store.listModelVersions();
      const moves: ModelStageMove[] = known
        .filter((v) => v.stage === 'challenger' && added.some((a) => a.kind === v.kind))
        .map((v) => ({ id: v.id, from: 'challenger', to: 'archived' }));
      await this.write({
        added,
        moves,
        at,
        actor,
        audit: added.map((v) => this.auditEntry(at, actor, 'model_registered', null, v.id, 'challenger')),
      });
      return added.map((v) => v.id);
    });
  }

  /**
   * AUTO_PROMOTE: promotes the challenger set (each kind's challenger becomes its champion) when the live report
   * says it beats the champion set on average precision over at least `minLabels` labels each (auto-promotion.ts).
   * Audited `model_auto_promote` with both figures. Answers the verdict.
   */
  autoPromote(report: LiveModelReport | null, minLabels: number): Promise<AutoPromotionVerdict> {
    return this.serially(async () => {
      await this.sync();
      const sets = this.setVersions();
      const verdict = autoPromotionVerdict(report, sets.champion, sets.challenger, minLabels);
      if (!verdict.promote) return verdict;
      const versions = await this.store.listModelVersions();
      const moves: ModelStageMove[] = [];
      for (const [kind, id] of this.challengerIds) {
        const champion = versions.find((v) => v.kind === kind && v.stage === 'champion');
        if (champion !== undefined) moves.push({ id: champion.id, from: 'champion', to: 'archived' });
        moves.push({ id, from: 'challenger', to: 'champion', new_tenure: true });
      }
      const at = this.now();
      const ok = await this.store.updateModelVersions({
        moves,
        at,
        actor: AUTO_ACTOR,
        audit: [
          this.auditEntry(
            at,
            AUTO_ACTOR,
            'model_auto_promote',
            sets.champion,
            sets.challenger!,
            verdict.reason,
          ),
        ],
      });
      // Refused: another process promoted or changed the sets first; what it did is followed.
      await this.sync();
      if (ok)
        this.log(`models: challenger set ${sets.challenger} promoted automatically (${verdict.reason})`);
      return ok ? verdict : { ...verdict, promote: false, reason: 'the sets changed meanwhile' };
    });
  }

  /**
   * Checks `autoPromote` every `everyMs` against the latest live report (`report()`). Returns the stop function.
   */
  startAutoPromotion(everyMs: number, minLabels: number, report: () => LiveModelReport | null): () => void {
    const timer = setInterval(() => {
      this.autoPromote(report(), minLabels).catch((e: Error) =>
        this.log(`models: automatic promotion check failed: ${e.message}`),
      );
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Follows the stage changes other processes make (an admin promoting through the server, a worker's
   * automatic promotion): the stages are read from the store every `everyMs`. Returns the stop function.
   */
  follow(everyMs = 5000): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.refresh()
        .catch((e: Error) => this.log(`models: cannot read the model versions: ${e.message}`))
        .finally(() => {
          running = false;
        });
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
