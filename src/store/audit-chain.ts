/**
 * The audit trail's hash chain (PCI DSS 10.5): each entry carries the hash of the entry before it and its own
 * hash over its fields and that one, so changing an entry breaks its own hash and deleting one breaks the link
 * of the entry after it. Both stores append under a lock of their own (one writer at a time), which is what keeps
 * the chain a line under concurrent writers. Entries written before migration 6 carry no hash; the chain starts
 * at the first entry that has one, from GENESIS.
 */
import { hash } from 'node:crypto';
import type { AuditEntry, DecisionStore } from './types.ts';

export const GENESIS = '0'.repeat(64);

/** SHA-256 over the entry's fields (its id included, so renumbering shows) and the previous entry's hash. */
export function auditHash(entry: Omit<AuditEntry, 'hash'>): string {
  return hash(
    'sha256',
    JSON.stringify([
      entry.id,
      entry.at,
      entry.actor,
      entry.action,
      entry.transaction_id,
      entry.old_value,
      entry.new_value,
      entry.note,
      entry.prev_hash,
    ]),
  );
}

export interface ChainBreak {
  id: number;
  reason: string;
}

/** Checks entries fed in id order, one batch at a time; the first break found is kept. */
export class ChainVerifier {
  /** Entries before the chain started (no hash, written before migration 6). */
  unchained = 0;
  chained = 0;
  /** The last entry's hash: record it elsewhere to notice the newest entries being deleted later. */
  head: string | null = null;
  broken: ChainBreak | null = null;

  feed(entries: readonly AuditEntry[]): void {
    for (const e of entries) {
      if (this.broken !== null) return;
      this.check(e);
    }
  }

  private check(e: AuditEntry): void {
    if (e.hash === null) {
      if (this.head === null) this.unchained++;
      else
        this.broken = {
          id: e.id,
          reason: 'has no hash, but entries before it do (written outside the chain)',
        };
      return;
    }
    const expectedPrevious = this.head ?? GENESIS;
    if (e.prev_hash !== expectedPrevious) {
      this.broken = {
        id: e.id,
        reason:
          this.head === null
            ? 'is the first chained entry but does not start from the genesis hash: entries before it were deleted'
            : 'does not link to the entry before it: an entry between them was deleted, or that entry was changed',
      };
      return;
    }
    if (auditHash(e) !== e.hash) {
      this.broken = { id: e.id, reason: 'does not match its hash: its contents were changed' };
      return;
    }
    this.head = e.hash;
    this.chained++;
  }
}

/** Reads the whole trail oldest first, a page at a time, and checks the chain; stops at the first break. */
export async function verifyAuditTrail(store: DecisionStore, pageSize = 1000): Promise<ChainVerifier> {
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const page = await store.listAudit({ order: 'asc', after_id: after, limit: pageSize });
    verifier.feed(page);
    if (page.length < pageSize || verifier.broken !== null) return verifier;
    after = page[page.length - 1]!.id;
  }
}
