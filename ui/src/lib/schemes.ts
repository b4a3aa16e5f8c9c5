// What a person needs to know about each signature scheme: its name, what to paste as its
// secret, whether Hooklens can re-sign with it (and why not), and whether it signs the URL.
// A Record over the API's SignatureScheme, so a scheme added in the engine fails the type
// check here until it is described. The refusals say what the engine's API says when asked.
import type { SignatureScheme } from './api';

export interface SchemeInfo {
  label: string;
  /** What the endpoint's secrets hold, and where the provider shows it. */
  secret: string;
  /** Why Hooklens cannot re-sign with this scheme; null when it can. */
  noResign: string | null;
  /** Signs the URL the provider called (the endpoint's public URL matters). */
  signsUrl: boolean;
  /** The secrets are the provider's public keys. */
  publicKey: boolean;
}

const hmac = (label: string, secret: string): SchemeInfo => ({ label, secret, noResign: null, signsUrl: false, publicKey: false });

export const SCHEME_INFO: Record<SignatureScheme, SchemeInfo> = {
  stripe: hmac('Stripe', 'The endpoint’s signing secret (whsec_…), from Developers → Webhooks'),
  github: hmac('GitHub', 'The webhook’s secret, as typed in the repository’s Settings → Webhooks'),
  shopify: hmac('Shopify', 'The app’s client secret (or the store’s webhook signing key)'),
  slack: hmac('Slack', 'The app’s signing secret, from Basic Information'),
  'standard-webhooks': hmac('Standard Webhooks / Svix', 'The endpoint’s secret: whsec_ followed by base64'),
  'hmac-sha256': hmac('Generic HMAC-SHA256', 'The shared secret; the signature is the body’s HMAC in the header below'),
  twilio: { ...hmac('Twilio', 'The account’s Auth Token, from the Console'), signsUrl: true },
  sendgrid: {
    label: 'SendGrid Event Webhook',
    secret: 'The verification key (a public key, base64), from Mail Settings → Event Webhook',
    noResign: 'SendGrid signs with its own private ECDSA key: only SendGrid can make a signature its public key accepts.',
    signsUrl: false,
    publicKey: true,
  },
  discord: {
    label: 'Discord interactions',
    secret: 'The application’s public key (64 hex digits), from the Developer Portal',
    noResign: 'Discord signs with its own private Ed25519 key: only Discord can make a signature its public key accepts.',
    signsUrl: false,
    publicKey: true,
  },
  paddle: hmac('Paddle', 'The notification destination’s secret key (pdl_ntfset_…)'),
  linear: hmac('Linear', 'The webhook’s signing secret'),
  gitlab: hmac('GitLab', 'The webhook’s secret token (sent as is in X-Gitlab-Token)'),
  intercom: hmac('Intercom', 'The app’s client secret'),
  square: { ...hmac('Square', 'The subscription’s signature key'), signsUrl: true },
  mailgun: {
    label: 'Mailgun',
    secret: 'The HTTP webhook signing key, from Sending → Webhooks',
    noResign: 'Mailgun’s signature travels inside the body, which is forwarded byte-exact: re-signing would change the body.',
    signsUrl: false,
    publicKey: false,
  },
  pagerduty: hmac('PagerDuty (v3)', 'The webhook subscription’s signing secret'),
  zoom: hmac('Zoom', 'The app’s secret token, from Features → Event Subscriptions'),
  typeform: hmac('Typeform', 'The webhook’s secret'),
  twitch: hmac('Twitch EventSub', 'The secret you gave when creating the subscription'),
  meta: hmac('Meta (WhatsApp, Instagram, Messenger)', 'The app secret, from App settings → Basic'),
  x: hmac('X (Twitter)', 'The app’s consumer secret (API secret key)'),
  msgraph: {
    label: 'Microsoft Graph',
    secret: 'The subscription’s clientState',
    noResign: 'Microsoft Graph has no signature to renew: its clientState travels inside the body, which is forwarded as captured.',
    signsUrl: false,
    publicKey: false,
  },
  dropbox: hmac('Dropbox', 'The app secret, from the App Console'),
};

export const SCHEMES = Object.keys(SCHEME_INFO) as SignatureScheme[];

/** The schemes Hooklens can re-sign with. */
export const RESIGNABLE = SCHEMES.filter((s) => SCHEME_INFO[s].noResign === null);

/** "twilio" → "Twilio (twilio)", for a select's options. */
export const schemeLabel = (s: SignatureScheme): string => `${SCHEME_INFO[s].label} (${s})`;
