/**
 * What a process runs for webhooks: the secret sealer the API creates and rotates secrets with, the outbox writer
 * set as the service's event sink, the sender loop (serve only: `start`), and the figures on /metrics.
 */
import type { DecisionService } from '../service/decision-service.ts';
import { OutboxWriter } from './outbox-writer.ts';
import { registerWebhookMetrics } from './webhook-metrics.ts';
import type { SecretSealer } from './webhook-secrets.ts';
import { WebhookSender } from './webhook-sender.ts';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from './webhook-settings.ts';

export class Webhooks {
  readonly outbox: OutboxWriter;
  readonly sender: WebhookSender;

  constructor(
    service: DecisionService,
    readonly sealer: SecretSealer,
    settings: WebhookSettings = DEFAULT_WEBHOOK_SETTINGS,
    log?: (line: string) => void,
  ) {
    this.sender = new WebhookSender(service.store, sealer, settings, service.now, log);
    // open-service.ts set one already (workers publish too); a service built by hand gets one now.
    this.outbox =
      service.events instanceof OutboxWriter ? service.events : new OutboxWriter(service.store, service.now);
    service.events = this.outbox;
    this.outbox.onWritten = () => this.sender.wake();
    if (service.metrics !== null)
      registerWebhookMetrics(service.metrics, service.store, this.outbox, service.now);
  }

  /** Starts sending (serve). */
  start(): void {
    this.sender.start();
  }

  /** Writes what was published to the outbox, then lets the deliveries in flight finish. */
  async stop(): Promise<void> {
    await this.outbox.flush();
    await this.sender.stop();
  }
}
