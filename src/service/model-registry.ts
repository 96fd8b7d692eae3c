/**
 * The model versions of a process and which are in force: list the artifacts in the models directory, put
 * another version in force without a restart, roll back to the one before. The choice is written to
 * active.json, so a restart keeps it, and the other processes on the same directory follow it (`follow`).
 */
import type { Engine } from '../engine/engine.ts';
import type { ScoringModel } from '../engine/model.ts';
import type { LoadedModel } from '../models/artifact.ts';
import type { TrainedArtifacts } from '../training/train-models.ts';
import {
  artifactIds,
  artifactSummary,
  isModelKind,
  loadArtifact,
  MODEL_KINDS,
  MODEL_WEIGHTS,
  readActive,
  resolveArtifactId,
  writeActive,
  writeArtifact,
  type ArtifactSummary,
  type ModelKind,
} from '../training/model-files.ts';

export interface ModelVersionInfo extends ArtifactSummary {
  kind: ModelKind;
  /** The artifact's one id (its file name without `.json`): what decisions carry, what activate takes. */
  id: string;
  /** The version decisions report (`model_version`, one `+`-separated part per kind): the id, in force or not. */
  version: string;
  in_force: boolean;
}

export class ModelRegistryError extends Error {
  constructor(
    readonly reason: 'unknown_kind' | 'not_found' | 'invalid_artifact' | 'no_previous',
    message: string,
  ) {
    super(message);
  }
}

function checkKind(kind: string): asserts kind is ModelKind {
  if (!isModelKind(kind))
    throw new ModelRegistryError('unknown_kind', `kind: must be one of ${MODEL_KINDS.join(', ')}`);
}

/** A checked, loaded model change not yet in force. */
export interface ModelChange {
  before: string | null;
  after: string;
  apply(): { before: string | null; after: string };
}

type InForce = { id: string; model: LoadedModel & ScoringModel };

export class ModelRegistry {
  private readonly inForce = new Map<ModelKind, InForce>();

  /** `loaded`: the artifacts the process started with and their models (`bootstrapModels`), in the engine already. */
  constructor(
    private readonly dir: string,
    private readonly engine: Engine,
    loaded: readonly { kind: ModelKind; id: string; model: LoadedModel & ScoringModel }[],
  ) {
    for (const { kind, id, model } of loaded) this.inForce.set(kind, { id, model });
  }

  /** Every artifact of every kind, oldest first within a kind. */
  list(): ModelVersionInfo[] {
    return MODEL_KINDS.flatMap((kind) =>
      artifactIds(this.dir, kind).map((id) => ({
        kind,
        id,
        version: id,
        in_force: this.inForce.get(kind)?.id === id,
        ...artifactSummary(this.dir, id),
      })),
    );
  }

  /** The artifact id in force per kind. */
  active(): Partial<Record<ModelKind, string>> {
    return Object.fromEntries([...this.inForce].map(([kind, f]) => [kind, f.id]));
  }

  /** Puts artifact `id` of `kind` in force for the next decision; returns the id it replaced. */
  activate(kind: string, id: string): { before: string | null; after: string } {
    return this.planActivate(kind, id).apply();
  }

  /**
   * Checks and loads artifact `idOrAlias` of `kind` without putting it in force: `apply()` does that (and writes
   * active.json). Lets a caller audit the change between the two, so nothing is in force that is not audited.
   * An older artifact may also be named by the version inside it (see resolveArtifactId).
   */
  planActivate(kind: string, idOrAlias: string): ModelChange {
    checkKind(kind);
    const id = resolveArtifactId(this.dir, kind, idOrAlias);
    if (id === null) {
      throw new ModelRegistryError('not_found', `version: no ${kind} artifact ${idOrAlias} in ${this.dir}`);
    }
    const before = this.inForce.get(kind)?.id ?? null;
    const model = this.loadArtifact(id);
    return {
      before,
      after: id,
      apply: () => {
        this.putInForce(kind, id, model);
        writeActive(this.dir, this.active());
        return { before, after: id };
      },
    };
  }

  private loadArtifact(id: string): LoadedModel & ScoringModel {
    try {
      return loadArtifact(this.dir, id);
    } catch (e) {
      throw new ModelRegistryError(
        'invalid_artifact',
        `version: ${id} cannot be loaded: ${(e as Error).message}`,
      );
    }
  }

  /** Loads artifact `id` and puts it in the engine in place of its kind's model. */
  private load(kind: ModelKind, id: string): void {
    this.putInForce(kind, id, this.loadArtifact(id));
  }

  private putInForce(kind: ModelKind, id: string, model: LoadedModel & ScoringModel): void {
    this.inForce.set(kind, { id, model });
    this.engine.setModels(
      MODEL_KINDS.flatMap((k) => {
        const f = this.inForce.get(k);
        return f ? [{ model: f.model, weight: MODEL_WEIGHTS[k] }] : [];
      }),
    );
  }

  /**
   * Follows the choices other processes on the same models directory make (a worker beside the server that an
   * operator rolled back): active.json is read every `everyMs`, and a version chosen there is put in force here.
   * Returns the function that stops following.
   */
  follow(everyMs = 5000, log: (line: string) => void = () => undefined): () => void {
    const timer = setInterval(() => {
      const chosen = readActive(this.dir);
      for (const kind of MODEL_KINDS) {
        const id = chosen[kind];
        if (id === undefined || id === this.inForce.get(kind)?.id) continue;
        try {
          this.load(kind, id);
          log(`model ${kind}: ${id} put in force (chosen in ${this.dir})`);
        } catch (e) {
          // What is in force stays; the process that chose it has refused a broken artifact already.
          log(`model ${kind}: ${(e as Error).message}`);
        }
      }
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Registers freshly trained artifacts (training from the store) and returns their ids. CONTRACT STUB: the
   * registry-stages work makes them challengers (never straight into force), audited as `model_registered`, and
   * stores them where every process reads them (PostgreSQL: a table); until then they are files in the models
   * directory, not in force.
   */
  async registerTrained(trained: TrainedArtifacts, actor: string, at: number): Promise<string[]> {
    void actor;
    void at;
    const ids: string[] = [];
    for (const artifact of [trained.iforest, trained.gbdt]) {
      if (artifact === null) continue;
      const version = String(artifact.version);
      writeArtifact(this.dir, { version, toJSON: () => artifact });
      ids.push(version);
    }
    return ids;
  }

  /** Puts the artifact before the one in force back in force. */
  rollback(kind: string): { before: string | null; after: string } {
    return this.planRollback(kind).apply();
  }

  /** The rollback, checked and loaded, to apply after auditing it (see planActivate). */
  planRollback(kind: string): ModelChange {
    checkKind(kind);
    const ids = artifactIds(this.dir, kind);
    const at = ids.indexOf(this.inForce.get(kind)?.id ?? '');
    if (at <= 0)
      throw new ModelRegistryError('no_previous', `kind: no ${kind} version older than the one in force`);
    return this.planActivate(kind, ids[at - 1]!);
  }
}
