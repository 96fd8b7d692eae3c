/**
 * The decision settings and the rules as the store keeps them, so they last and are shared: loaded at start
 * (the shipped rules recorded as a version at first start), every change written as an audited version before
 * the engine takes it, and the changes other processes on the same store make followed by polling (`follow`),
 * as ModelRegistry.follow does for model versions.
 */
import { isDeepStrictEqual } from 'node:util';
import type { DecisionSettings } from '../engine/decision.ts';
import type { Engine } from '../engine/engine.ts';
import { compileRules, loadDefaultRules } from '../engine/rules/index.ts';
import type { CompiledRuleSet } from '../engine/rules/index.ts';
import type { DecisionStore, RuleVersionRecord, SettingsVersionRecord } from '../store/types.ts';

/** Who the store names as having recorded the shipped rules at first start. */
export const SYSTEM_ACTOR = 'system';

/** A settings version as the API shows it. */
export interface SettingsVersionView {
  version: number;
  settings: DecisionSettings;
  changed_at: string;
  changed_by: string;
}

export function settingsVersionView(record: SettingsVersionRecord): SettingsVersionView {
  return {
    version: record.seq,
    settings: JSON.parse(record.settings) as DecisionSettings,
    changed_at: new Date(record.changed_at).toISOString(),
    changed_by: record.changed_by,
  };
}

/** What publishing a rules document did: stored and in force, the same document already published, or refused. */
export type PublishOutcome =
  | { kind: 'published'; rules: CompiledRuleSet }
  | { kind: 'unchanged'; rules: CompiledRuleSet }
  | { kind: 'conflict'; version: string };

export class StoredDecisionState {
  /** The settings version in force here (null: none stored yet, the engine's defaults are in force). */
  private settingsSeq: number | null = null;
  /** The newest rules publication found not to compile, so it is reported once, not at every poll. */
  private refusedRulesSeq: number | null = null;
  private polling = false;
  /**
   * Changes and polls run one at a time: a poll that read the store just before this process's own change
   * committed must not put the older state back after it.
   */
  private turn: Promise<unknown> = Promise.resolve();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly engine: Engine,
    private readonly store: DecisionStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The seq of the settings version in force, null before the first change. */
  get settingsVersion(): number | null {
    return this.settingsSeq;
  }

  /**
   * Puts the stored settings and rules in force; on a store without rules, records the rules in force (the
   * shipped ones) as the first version, so a rollback to them is possible after the next publish.
   */
  async load(log: (line: string) => void = () => undefined): Promise<void> {
    await this.followSettings(log);
    const [latest] = await this.store.listRuleVersions(1);
    if (latest === undefined) {
      const rules = this.engine.ruleSet;
      await this.store.publishRuleVersion(
        {
          version: rules.version,
          document: JSON.stringify(rules.document),
          published_at: this.now(),
          published_by: SYSTEM_ACTOR,
        },
        this.auditEntry(SYSTEM_ACTOR, 'rules_initial', null, rules.version),
      );
      // Another process starting at the same time may have recorded first: the store's copy wins.
    }
    await this.followRules(log);
  }

  /** Records `next` as a new settings version (audited in the same transaction), then puts it in force here. */
  changeSettings(
    next: DecisionSettings,
    actor: string,
    action: string,
    note: string | null = null,
  ): Promise<DecisionSettings> {
    return this.oneAtATime(() => this.recordSettings(next, actor, action, note));
  }

  private async recordSettings(next: DecisionSettings, actor: string, action: string, note: string | null) {
    const before = this.engine.decisionSettings;
    const checked = this.engine.checkSettings(next);
    const text = JSON.stringify(checked);
    const at = this.now();
    const seq = await this.store.saveSettingsVersion(
      { settings: text, changed_at: at, changed_by: actor },
      { ...this.auditEntry(actor, action, JSON.stringify(before), text), note },
    );
    this.applySettings(seq, checked);
    return checked;
  }

  /** A stored settings version's settings, for a rollback; null when there is no such version. */
  async settingsOf(version: number): Promise<DecisionSettings | null> {
    const record = await this.store.getSettingsVersion(version);
    return record === null ? null : (JSON.parse(record.settings) as DecisionSettings);
  }

  /**
   * Publishes a checked rules document: a new version name is stored (with its audit entry) and put in force; a
   * name published before with the same document changes nothing; with another document it is refused.
   */
  publishRules(rules: CompiledRuleSet, document: unknown, actor: string): Promise<PublishOutcome> {
    return this.oneAtATime(() => this.recordRules(rules, document, actor));
  }

  private async recordRules(
    rules: CompiledRuleSet,
    document: unknown,
    actor: string,
  ): Promise<PublishOutcome> {
    const at = this.now();
    const result = await this.store.publishRuleVersion(
      { version: rules.version, document: JSON.stringify(document), published_at: at, published_by: actor },
      this.auditEntry(actor, 'rules_publish', this.engine.rulesVersion, rules.version),
    );
    if (result.kind === 'exists') {
      return isDeepStrictEqual(JSON.parse(result.existing.document), document)
        ? { kind: 'unchanged', rules }
        : { kind: 'conflict', version: rules.version };
    }
    this.engine.setRules(rules); // atomic: the next decision uses it
    return { kind: 'published', rules };
  }

  /**
   * Puts a published version back in force, recorded as a new publication of its document (audited). The
   * shipped rules may be named even on a store that never recorded them (written before first starts did).
   * Null when no such version exists.
   */
  rollbackRules(version: string, actor: string): Promise<CompiledRuleSet | null> {
    return this.oneAtATime(() => this.recordRollback(version, actor));
  }

  private async recordRollback(version: string, actor: string): Promise<CompiledRuleSet | null> {
    const target = await this.store.findRuleVersion(version);
    const shipped = loadDefaultRules();
    let document: unknown;
    if (target !== null) document = JSON.parse(target.document);
    else if (version === shipped.version) document = shipped.document;
    else return null;
    const compiled = compileRules(document);
    // A stored document that no longer compiles (the catalog changed since) cannot be put back.
    if (!compiled.ok)
      throw new Error(`rules version ${version} no longer compiles: ${compiled.errors[0]?.message}`);
    const at = this.now();
    await this.store.saveRuleVersion(
      { version, document: JSON.stringify(document), published_at: at, published_by: actor },
      this.auditEntry(actor, 'rules_rollback', this.engine.rulesVersion, version),
    );
    this.engine.setRules(compiled.value);
    return compiled.value;
  }

  /**
   * Follows the settings and rules other processes on this store put in force: the store is read every
   * `everyMs`, a poll at a time, off the decision path. Returns the function that stops following.
   */
  follow(everyMs: number, log: (line: string) => void = () => undefined): () => void {
    this.stopFollowing();
    const timer = setInterval(() => void this.poll(log), everyMs);
    timer.unref();
    this.timer = timer;
    return () => this.stopFollowing();
  }

  /** Stops following (before the store is closed). */
  stopFollowing(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One look at the store; a store that cannot answer leaves what is in force and is asked again next time. */
  async poll(log: (line: string) => void = () => undefined): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.oneAtATime(async () => {
        await this.followSettings(log);
        await this.followRules(log);
      });
    } catch (e) {
      log(`settings and rules not followed this time: ${(e as Error).message}`);
    } finally {
      this.polling = false;
    }
  }

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turn.then(work, work);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async followSettings(log: (line: string) => void): Promise<void> {
    const [latest] = await this.store.listSettingsVersions(1);
    // Versions are numbered in commit order: only a newer one than in force here is followed.
    if (latest === undefined || (this.settingsSeq !== null && latest.seq <= this.settingsSeq)) return;
    try {
      this.applySettings(latest.seq, this.engine.checkSettings(JSON.parse(latest.settings)));
      log(`decision settings version ${latest.seq} put in force (changed by ${latest.changed_by})`);
    } catch (e) {
      // Checked when stored; refused here only if edited behind the service's back. What is in force stays.
      log(`decision settings version ${latest.seq} refused: ${(e as Error).message}`);
      this.settingsSeq = latest.seq;
    }
  }

  private async followRules(log: (line: string) => void): Promise<void> {
    const [latest] = await this.store.listRuleVersions(1);
    if (latest === undefined || latest.version === this.engine.rulesVersion) return;
    if (latest.seq === this.refusedRulesSeq) return;
    this.applyStoredRules(latest, log);
  }

  private applyStoredRules(record: RuleVersionRecord, log: (line: string) => void): void {
    const compiled = compileRules(JSON.parse(record.document));
    if (compiled.ok) {
      this.engine.setRules(compiled.value);
      log(`rules ${record.version} put in force (published by ${record.published_by})`);
    } else {
      this.refusedRulesSeq = record.seq;
      log(`stored rules ${record.version} no longer compile; ${this.engine.rulesVersion} stays in force`);
    }
  }

  private applySettings(seq: number, settings: DecisionSettings): void {
    this.engine.setSettings(settings);
    this.settingsSeq = seq;
  }

  private auditEntry(actor: string, action: string, oldValue: string | null, newValue: string) {
    return {
      at: this.now(),
      actor,
      action,
      transaction_id: null,
      old_value: oldValue,
      new_value: newValue,
      note: null,
    };
  }
}
