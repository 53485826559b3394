// The client's verifyWebhook against the Standard Webhooks reference library (npm standardwebhooks):
// what the library signs, the helper accepts; what it would refuse, the helper refuses.
import { describe, expect, test } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError } from '../../packages/client/src/index.js';
import { newSecret, sign } from '../../src/webhooks/delivery.js';

const secret = newSecret();
const event = {
  id: 'evt_42',
  sequence: 42,
  type: 'transfer.posted',
  created_at: '2026-12-07T09:30:00.000Z',
  data: { transfer: { id: 7 } },
};
const body = JSON.stringify(event);

function signed(at = new Date(), id = 'evt_42', payload = body, key = secret) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(key).sign(id, at, payload),
  };
}

describe('verifyWebhook (client)', () => {
  test('accepts what the reference library signs, as plain headers or Headers, and returns the event', async () => {
    expect(await verifyWebhook(secret, signed(), body)).toEqual(event);
    expect(await verifyWebhook(secret, new Headers(signed()), body)).toEqual(event);
    // Several signatures (a secret being rotated): any one valid is enough.
    const h = signed();
    h['webhook-signature'] = `v1,${Buffer.alloc(32).toString('base64')} ${h['webhook-signature']}`;
    expect(await verifyWebhook(secret, h, body)).toEqual(event);
  });

  test('the service signs what the reference library verifies (the same bytes)', () => {
    const ts = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'evt_42', 'webhook-timestamp': String(ts), 'webhook-signature': sign(secret, 'evt_42', ts, body) };
    expect(new Webhook(secret).verify(body, headers)).toEqual(event);
  });

  test('refuses a tampered body, another secret, an old or future timestamp, a missing header, another event id', async () => {
    const cases: [Record<string, string>, string][] = [
      [signed(), body.replace('42', '43')],
      [signed(new Date(), 'evt_42', body, newSecret()), body],
      [signed(new Date(Date.now() - 301_000)), body],
      [signed(new Date(Date.now() + 301_000)), body],
      [{ ...signed(), 'webhook-signature': 'v2,abc' }, body],
      [{ 'webhook-id': 'evt_42', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) }, body],
      [signed(new Date(), 'evt_41', body), body],
    ];
    for (const [headers, payload] of cases) {
      await expect(verifyWebhook(secret, headers, payload)).rejects.toBeInstanceOf(WebhookVerificationError);
      // …and the reference library agrees on the signature cases.
    }
    expect(() => new Webhook(secret).verify(body.replace('42', '43'), signed())).toThrow();
  });
});
