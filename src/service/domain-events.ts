/**
 * What happened, for other systems (webhooks, issue 17): decisions flagged or declined, cases opened and closed,
 * labels recorded. Producers publish after their change is committed; a sink must not block or throw into them.
 */
export const DOMAIN_EVENT_TYPES = [
  'decision.flagged',
  'decision.declined',
  'case.opened',
  'case.closed',
  'label.recorded',
] as const;
export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export interface DomainEvent {
  type: DomainEventType;
  /** Events of one key are delivered in the order they were published: a case id, else the transaction id. */
  key: string;
  /** Epoch ms of the change. */
  at: number;
  /** The payload receivers get (JSON-serialisable). */
  data: Record<string, unknown>;
}

export interface DomainEventSink {
  /** Takes the event off the caller's path: never blocks, never throws. */
  publish(event: DomainEvent): void;
}

/** The sink of a service that has no subscribers wired (tests, replay). */
export const NO_EVENTS: DomainEventSink = { publish() {} };
