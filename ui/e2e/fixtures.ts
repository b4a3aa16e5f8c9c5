// Real-world content that stresses the inspector's layout (issue 22): a JSON body with a
// 20,000-character string, a 300-character key, 1,000-element arrays and 30 levels of nesting,
// sent with a 4,000-character query and an 8 KiB header. Deterministic, so screenshots repeat.
import type { Engine } from './harness';

/** Base64-looking text of `n` characters (a fixed pseudo-random sequence). */
export function base64ish(n: number, seed = 7): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    s += alphabet[x >>> 26];
  }
  return s;
}

export const LONG_STRING = base64ish(20_000, 1);
export const LONG_KEY = 'x_partner_reference_' + 'segment_'.repeat(35) + base64ish(300 - 20 - 8 * 35, 2);
export const DEEP = 30;

/** `{"level1": {"level2": … {"level30": "bottom of the well"}}}` */
function nested(depth: number): unknown {
  let v: unknown = 'bottom of the well';
  for (let i = depth; i >= 1; i--) v = { [`level${i}`]: v };
  return v;
}

export const BODY = {
  id: 'evt_1QaLongFixture',
  type: 'invoice.payment_succeeded',
  data: {
    object: {
      amount: 1200,
      currency: 'eur',
      receipt_pdf_base64: LONG_STRING,
      metadata: { [LONG_KEY]: 'short', order: 'ord_42' },
    },
  },
  samples: Array.from({ length: 1000 }, (_, i) => i * 7),
  lines: Array.from({ length: 1000 }, (_, i) => ({ id: `li_${i}`, amount: 100 + i })),
  deep: nested(DEEP),
};

const urlSafe = (s: string) => s.replace(/[+/]/g, 'x');
const QUERY_START = 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=' + urlSafe(base64ish(120, 3)) + '&X-Amz-Signature=';
export const LONG_QUERY = QUERY_START + urlSafe(base64ish(4000 - QUERY_START.length, 4));
export const BIG_HEADER = base64ish(8 * 1024, 5);
export const LONG_HEADER_NAME = 'x-forwarded-client-certificate-chain';

/** Sends the fixture request; returns its id. */
export async function sendFixture(engine: Engine, path = '/fixtures/long'): Promise<string> {
  const r = await engine.send(`${path}?${LONG_QUERY}`, {
    method: 'POST',
    body: JSON.stringify(BODY),
    headers: { 'content-type': 'application/json', 'user-agent': 'Stripe/1.0 (+webhooks)', [LONG_HEADER_NAME]: BIG_HEADER },
  });
  if (!r.ok) throw new Error(`the fixture was answered ${r.status}`);
  const id = r.headers.get('x-hooklens-request-id');
  if (!id) throw new Error('the receiver gave no request id');
  return id;
}
