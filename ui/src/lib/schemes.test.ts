import { describe, expect, test } from 'vitest';
import { RESIGNABLE, SCHEMES, SCHEME_INFO, schemeLabel } from './schemes';

describe('signature schemes', () => {
  test('the public-key and body-carried schemes are not offered for re-signing, and say why', () => {
    for (const s of ['sendgrid', 'discord', 'mailgun', 'msgraph'] as const) {
      expect(RESIGNABLE).not.toContain(s);
      expect(SCHEME_INFO[s].noResign).toMatch(/ /);
    }
    expect(RESIGNABLE).toContain('twilio');
    expect(RESIGNABLE.length + 4).toBe(SCHEMES.length);
  });

  test('only Twilio and Square sign the URL; only SendGrid and Discord hold public keys', () => {
    expect(SCHEMES.filter((s) => SCHEME_INFO[s].signsUrl)).toEqual(['twilio', 'square']);
    expect(SCHEMES.filter((s) => SCHEME_INFO[s].publicKey)).toEqual(['sendgrid', 'discord']);
  });

  test('options read as the provider, then the name scripts use', () => {
    expect(schemeLabel('msgraph')).toBe('Microsoft Graph (msgraph)');
  });
});
