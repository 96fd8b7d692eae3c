/**
 * The signature receivers check: `v1=` and the hex HMAC-SHA256, under the subscription's secret, of
 * "<timestamp>.<body>" (the timestamp is X-Fraudwatch-Timestamp, seconds; signing it lets receivers refuse replays).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signatureOf(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (docs/api.md, "Webhooks"): recompute and compare in constant time. */
export function verifySignature(secret: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(signatureOf(secret, timestamp, body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
