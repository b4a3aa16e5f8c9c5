// "New endpoint → Stripe / GitHub / Slack / …": what each provider's endpoint starts with (a
// name, a path, its signature scheme, the handshake Hooklens answers for it) and what the
// person setting it up needs to know: where in the provider's dashboard the URL goes, and
// where the secret is (SCHEME_INFO). One preset per provider Hooklens knows; a test checks
// none is missing. Pure, tested in presets.test.ts.
import type { SignatureScheme } from './api';
import { SCHEME_INFO } from './schemes';

export interface Preset {
  /** Also the preset's id in `/endpoints/new?preset=…`. */
  scheme: Exclude<SignatureScheme, 'hmac-sha256'>;
  name: string;
  path: string;
  /** Where in the provider's dashboard (or API) the endpoint's URL goes. */
  paste: string;
  /** The verification handshake Hooklens answers for this provider, when it has one. */
  handshake: string | null;
}

export const PRESETS: Preset[] = [
  { scheme: 'stripe', name: 'stripe', path: '/stripe', handshake: null,
    paste: 'Stripe Dashboard → Developers → Webhooks → Add endpoint: paste it as the Endpoint URL and pick the events to send.' },
  { scheme: 'github', name: 'github', path: '/github', handshake: null,
    paste: 'The repository’s (or organisation’s) Settings → Webhooks → Add webhook: paste it as the Payload URL, choose application/json and type a secret.' },
  { scheme: 'slack', name: 'slack', path: '/slack', handshake: 'Slack checks the URL with a url_verification challenge: Hooklens answers it, so Slack shows “Verified”.',
    paste: 'Your app at api.slack.com/apps → Event Subscriptions → Request URL (and Interactivity & Shortcuts → Request URL).' },
  { scheme: 'twilio', name: 'twilio', path: '/twilio', handshake: null,
    paste: 'Twilio Console → Phone Numbers → Active numbers → your number → “A message comes in” (or a status callback URL). Twilio signs this exact URL: set the public URL below if it reaches Hooklens other than through its tunnel.' },
  { scheme: 'shopify', name: 'shopify', path: '/shopify', handshake: null,
    paste: 'Shopify admin → Settings → Notifications → Webhooks → Create webhook (or your app’s webhook subscriptions in the Partner Dashboard).' },
  { scheme: 'discord', name: 'discord', path: '/discord', handshake: 'Discord sends a signed PING before it saves the URL: Hooklens answers it only when its signature checks out with the public key.',
    paste: 'Discord Developer Portal → your application → General Information → Interactions Endpoint URL.' },
  { scheme: 'meta', name: 'meta', path: '/meta', handshake: 'Meta checks the URL with a hub.challenge GET: Hooklens answers it when it carries the verify token below.',
    paste: 'Meta App Dashboard → WhatsApp (or Webhooks) → Configuration → Callback URL, with the verify token below.' },
  { scheme: 'zoom', name: 'zoom', path: '/zoom', handshake: 'Zoom validates the URL (endpoint.url_validation): Hooklens answers with the plain token and its HMAC under the secret token.',
    paste: 'Zoom App Marketplace → your app → Features → Event Subscriptions → Event notification endpoint URL, then Validate.' },
  { scheme: 'x', name: 'x', path: '/x', handshake: 'X sends a CRC check (crc_token) when the webhook is registered and every hour: Hooklens answers it with the consumer secret.',
    paste: 'Register it as the Account Activity API webhook URL (X developer portal, or POST /2/webhooks).' },
  { scheme: 'msgraph', name: 'graph', path: '/graph', handshake: 'Microsoft Graph validates the URL with a validationToken: Hooklens echoes it.',
    paste: 'Create a subscription (POST /subscriptions) with it as notificationUrl and the clientState below.' },
  { scheme: 'dropbox', name: 'dropbox', path: '/dropbox', handshake: 'Dropbox checks the URL with a challenge GET: Hooklens echoes it.',
    paste: 'Dropbox App Console → your app → Settings → Webhooks → Webhook URIs → Add.' },
  { scheme: 'twitch', name: 'twitch', path: '/twitch', handshake: 'Twitch sends a webhook_callback_verification for each new subscription: Hooklens answers its challenge when the signature checks out.',
    paste: 'Create an EventSub subscription (POST /helix/eventsub/subscriptions) with it as transport.callback and the secret below.' },
  { scheme: 'sendgrid', name: 'sendgrid', path: '/sendgrid', handshake: null,
    paste: 'SendGrid → Settings → Mail Settings → Event Webhook: paste it as the Post URL and turn on Signed Event Webhook.' },
  { scheme: 'paddle', name: 'paddle', path: '/paddle', handshake: null,
    paste: 'Paddle → Developer Tools → Notifications → New destination.' },
  { scheme: 'linear', name: 'linear', path: '/linear', handshake: null,
    paste: 'Linear → Settings → API → Webhooks → New webhook.' },
  { scheme: 'gitlab', name: 'gitlab', path: '/gitlab', handshake: null,
    paste: 'The project’s Settings → Webhooks → Add new webhook, with a secret token.' },
  { scheme: 'intercom', name: 'intercom', path: '/intercom', handshake: null,
    paste: 'Intercom Developer Hub → your app → Webhooks → Endpoint URL.' },
  { scheme: 'square', name: 'square', path: '/square', handshake: null,
    paste: 'Square Developer Dashboard → your application → Webhooks → Subscriptions → Add subscription. Square signs this exact URL: set the public URL below if it reaches Hooklens other than through its tunnel.' },
  { scheme: 'mailgun', name: 'mailgun', path: '/mailgun', handshake: null,
    paste: 'Mailgun → Sending → Webhooks → Add webhook, for each event type.' },
  { scheme: 'pagerduty', name: 'pagerduty', path: '/pagerduty', handshake: null,
    paste: 'PagerDuty → Integrations → Generic Webhooks (v3) → New Webhook.' },
  { scheme: 'typeform', name: 'typeform', path: '/typeform', handshake: null,
    paste: 'Your form → Connect → Webhooks → Add a webhook, then turn it on.' },
  { scheme: 'standard-webhooks', name: 'svix', path: '/svix', handshake: null,
    paste: 'The provider’s webhook settings (Svix-based senders: Clerk, Resend, …) → Add endpoint.' },
];

export const presetFor = (id: string | null): Preset | null => PRESETS.find((p) => p.scheme === id) ?? null;

/** The preset's label in the New endpoint menu: the scheme's provider name. */
export const presetLabel = (p: Preset): string => SCHEME_INFO[p.scheme].label;

/** Where to find the secret, as the scheme describes it. */
export const secretWhere = (p: Preset): string => SCHEME_INFO[p.scheme].secret;

/** The URL to give the provider: the tunnel's public URL when it is open, else the receiver's. */
export function urlToPaste(path: string, receiver: string | null, tunnel: string | null): string {
  const base = (tunnel ?? receiver ?? '').replace(/\/$/, '');
  return base + (path.trim() || '/');
}

/** A verify token for Meta: 24 random URL-safe characters, for the person to type into Meta's dashboard too. */
export function newVerifyToken(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(random(new Uint8Array(24)), (b) => alphabet[b % alphabet.length]).join('');
}
