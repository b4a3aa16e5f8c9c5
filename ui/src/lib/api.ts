// The one module that talks to the engine: every fetch and the live EventSource live here.
// Components import these functions and the generated types, never `fetch` itself.
import { liveEventNames, type components, type operations } from './api-types';

type Schemas = components['schemas'];
export type RequestJson = Schemas['RequestJson'];
export type RequestPage = Schemas['RequestPage'];
export type Status = Schemas['Status'];
export type DeliveryJson = Schemas['DeliveryJson'];
export type AttemptJson = Schemas['AttemptJson'];
export type Endpoint = Schemas['Endpoint'];
export type EndpointSpec = Schemas['EndpointSpec'];
export type Rule = Schemas['Rule'];
export type RuleSpec = Schemas['RuleSpec'];
export type Settings = Schemas['Settings'];
/** The settings as GET and PATCH answer them: with the command line's forward targets. */
export type SettingsJson = Schemas['SettingsJson'];
export type ForwardSettings = Schemas['ForwardSettings'];
export type TargetStatus = Schemas['TargetStatus'];
export type ImportReport = Schemas['ImportReport'];
export type TunnelStatus = Schemas['TunnelStatus'];
export type TunnelSpec = Schemas['TunnelSpec'];
export type ReplayBody = Schemas['ReplayBody'];
export type Removed = Schemas['Removed'];
export type StoredNotification = Schemas['StoredNotification'];
export type EndpointResponse = Schemas['EndpointResponse'];
export type ForwardTarget = Schemas['ForwardTarget'];
export type SignatureSpec = Schemas['SignatureSpec'];
export type SignatureScheme = Schemas['SignatureScheme'];
export type RetryPolicy = Schemas['RetryPolicy'];
export type Resign = Schemas['Resign'];
export type Condition = Schemas['Condition'];
export type ConditionOp = Schemas['ConditionOp'];
export type RuleAction = Schemas['RuleAction'];
export type NotificationSettings = Schemas['NotificationSettings'];
export type RetentionSettings = Schemas['RetentionSettings'];
/**
 * What opening a tunnel takes: the OpenAPI document leaves out the write-only secrets (the
 * ngrok `authtoken`, the bore server's `secret`), which the engine accepts but never returns.
 */
export type TunnelOpen =
  | { provider: 'ngrok'; domain?: string | null; authtoken?: string | null }
  | { provider: 'bore'; server: string; secret?: string | null };
export type RelayStatus = Schemas['RelayStatus'];
export type RelayState = Schemas['RelayState'];
export type RelayTokenJson = Schemas['RelayTokenJson'];
export type IssuedRelayToken = Schemas['IssuedRelayToken'];
/**
 * What subscribing to a relay takes: the OpenAPI document leaves out the write-only `token`,
 * which the engine accepts but never returns (empty: the one kept for the same URL).
 */
export type RelayOpen = Schemas['RelaySpec'] & { token?: string | null };
export type Stats = Schemas['Stats'];
export type TestEventKind = Schemas['TestEventKind'];
export type TestEventBody = Schemas['TestEventBody'];
export type TestEventSent = Schemas['TestEventSent'];
export type StatsPeriod = Schemas['PeriodJson'];
export type RequestQuery = NonNullable<operations['requests_list']['parameters']['query']>;

/** An error the API answered with (`{"error":{"code","message"}}`), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field it is about, as a dotted path (`forward.1.url`), when it says. */
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** Called when the API says the session is not logged in (401). */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const json = body === undefined ? undefined : JSON.stringify(body);
  return send<T>(method, path, json, json === undefined ? {} : { 'content-type': 'application/json' });
}

async function send<T>(method: string, path: string, body: BodyInit | undefined, headers: Record<string, string>): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { method, credentials: 'same-origin', headers, body });
  } catch (e) {
    throw new ApiError(0, 'network', `cannot reach Hooklens (${String(e)}): is \`hooklens serve\` still running?`);
  }
  if (response.status === 401) onUnauthorized();
  if (!response.ok) {
    let code = 'http_' + response.status;
    let message = `${method} ${path} answered ${response.status}`;
    let field: string | null = null;
    try {
      const err = (await response.json()) as Schemas['ErrorBody'];
      code = err.error.code;
      message = err.error.message;
      field = err.error.field ?? null;
    } catch {
      // Not a JSON error body: keep the status line.
    }
    throw new ApiError(response.status, code, message, field);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** Query string from a filter, leaving out empty values. */
export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

const enc = encodeURIComponent;

export const api = {
  status: () => call<Status>('GET', '/api/v1/status'),
  listRequests: (query: RequestQuery) => call<RequestPage>('GET', '/api/v1/requests' + queryString(query)),
  getRequest: (id: string) => call<RequestJson>('GET', `/api/v1/requests/${enc(id)}`),
  deleteRequest: (id: string) => call<void>('DELETE', `/api/v1/requests/${enc(id)}`),
  clearRequests: () => call<Removed>('DELETE', '/api/v1/requests'),
  tag: (id: string, tag: string, on: boolean) =>
    on
      ? call<RequestJson>('POST', `/api/v1/requests/${enc(id)}/tags`, { tag })
      : call<RequestJson>('DELETE', `/api/v1/requests/${enc(id)}/tags/${enc(tag)}`),
  pin: (id: string, pinned: boolean) =>
    call<RequestJson>(pinned ? 'POST' : 'DELETE', `/api/v1/requests/${enc(id)}/pin`),
  deliveries: (id: string) => call<DeliveryJson[]>('GET', `/api/v1/requests/${enc(id)}/deliveries`),
  replay: (id: string, body: ReplayBody) =>
    call<DeliveryJson>('POST', `/api/v1/requests/${enc(id)}/replay`, body),
  /** Where the raw body is served (sandboxed); for downloads and image previews. */
  bodyUrl: (id: string) => `/api/v1/requests/${enc(id)}/body`,
  exportUrl: (format: 'har' | 'ndjson', query: RequestQuery) =>
    '/api/v1/export' + queryString({ ...query, format }),

  endpoints: () => call<Endpoint[]>('GET', '/api/v1/endpoints'),
  createEndpoint: (spec: EndpointSpec) => call<Endpoint>('POST', '/api/v1/endpoints', spec),
  updateEndpoint: (id: string, patch: unknown) => call<Endpoint>('PATCH', `/api/v1/endpoints/${enc(id)}`, patch),
  deleteEndpoint: (id: string) => call<void>('DELETE', `/api/v1/endpoints/${enc(id)}`),

  rules: () => call<Rule[]>('GET', '/api/v1/rules'),
  createRule: (spec: RuleSpec) => call<Rule>('POST', '/api/v1/rules', spec),
  updateRule: (id: string, patch: unknown) => call<Rule>('PATCH', `/api/v1/rules/${enc(id)}`, patch),
  deleteRule: (id: string) => call<void>('DELETE', `/api/v1/rules/${enc(id)}`),

  settings: () => call<SettingsJson>('GET', '/api/v1/settings'),
  updateSettings: (patch: unknown) => call<SettingsJson>('PATCH', '/api/v1/settings', patch),
  /** Forward targets' health: up or down since when, deliveries waiting. */
  targets: () => call<TargetStatus[]>('GET', '/api/v1/targets'),
  /** Deliveries the loopback guard blocked, and queueing them again. */
  blockedDeliveries: () => call<Schemas['Blocked']>('GET', '/api/v1/deliveries/blocked'),
  retryBlocked: () => call<Schemas['Retried']>('POST', '/api/v1/deliveries/blocked/retry'),
  /** A HAR or NDJSON file's requests, stored through the capture pipeline. */
  importFile: (file: Blob, format: 'har' | 'ndjson' | null, forward = false) =>
    send<ImportReport>('POST', '/api/v1/import' + queryString({ format, forward: forward || undefined }), file, {
      'content-type': 'application/octet-stream',
    }),

  tunnel: () => call<TunnelStatus>('GET', '/api/v1/tunnel'),
  openTunnel: (spec: TunnelOpen) => call<TunnelStatus>('POST', '/api/v1/tunnel', spec),
  closeTunnel: () => call<TunnelStatus>('DELETE', '/api/v1/tunnel'),

  relay: () => call<RelayStatus>('GET', '/api/v1/relay'),
  openRelay: (spec: RelayOpen) => call<RelayStatus>('POST', '/api/v1/relay', spec),
  closeRelay: () => call<RelayStatus>('DELETE', '/api/v1/relay'),
  relayTokens: () => call<RelayTokenJson[]>('GET', '/api/v1/relay/tokens'),
  createRelayToken: (name: string) => call<IssuedRelayToken>('POST', '/api/v1/relay/tokens', { name }),
  revokeRelayToken: (name: string) => call<RelayTokenJson>('DELETE', `/api/v1/relay/tokens/${enc(name)}`),

  notifications: (query: Record<string, string | number | undefined> = {}) =>
    call<StoredNotification[]>('GET', '/api/v1/notifications' + queryString(query)),

  /** The providers Hooklens has sample events for, and the event each sends by default. */
  testEvents: () => call<TestEventKind[]>('GET', '/api/v1/test-events'),
  /** Sends a sample event through the receiver's pipeline, signed like the provider would. */
  sendTestEvent: (body: TestEventBody) => call<TestEventSent>('POST', '/api/v1/test-events', body),

  /** Time-bucketed series for the Monitor: `15m`, `1h`, `24h` or `7d`. */
  stats: (window: string) => call<Stats>('GET', '/api/v1/stats' + queryString({ window })),
};

/** One event of the live stream, as the engine's LiveEvent schema describes it. */
export type LiveEvent = Schemas['LiveEvent'];
/** The events views listen to (`ready` is the stream's own, see `connectLive`). */
export type LiveName = Exclude<LiveEvent['event'], 'ready'>;
/** Each event's payload, by name. */
export type LiveEvents = { [E in LiveEvent as E['event']]: E['data'] };
export const LIVE_NAMES: readonly LiveName[] = liveEventNames.filter(
  (name): name is LiveName => name !== 'ready',
);

export type LiveState = 'connecting' | 'live' | 'offline';

export interface LiveHandlers {
  /** Every event, by name, with its parsed payload. */
  event: <K extends LiveName>(name: K, data: LiveEvents[K]) => void;
  /** The stream is (again) connected: anything may have happened meanwhile, so re-read. */
  ready: (reconnected: boolean) => void;
  state: (state: LiveState) => void;
}

/**
 * Opens the live stream and keeps it open: when it drops (server restarted, laptop slept) it
 * reconnects with backoff (0.5 s doubling to 10 s) and reports `ready(true)` so views
 * re-read what they show. Returns a function that closes it for good.
 */
export function connectLive(handlers: LiveHandlers): () => void {
  let source: EventSource | null = null;
  let delay = 500;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let everReady = false;
  let closed = false;

  const open = () => {
    handlers.state('connecting');
    const es = new EventSource('/api/v1/events', { withCredentials: true });
    source = es;
    es.addEventListener('ready', () => {
      delay = 500;
      handlers.state('live');
      handlers.ready(everReady);
      everReady = true;
    });
    for (const name of LIVE_NAMES) {
      es.addEventListener(name, (e) => {
        let data: unknown;
        try {
          data = JSON.parse((e as MessageEvent<string>).data);
        } catch {
          return; // a malformed event is skipped; the next `ready` re-reads everything
        }
        handlers.event(name, data as LiveEvents[typeof name]);
      });
    }
    es.onerror = () => {
      handlers.state('offline');
      // While CONNECTING the browser retries by itself. CLOSED (a 401, a non-stream answer)
      // is final for EventSource, so retry ourselves; the status call reports a lost login.
      if (es.readyState === EventSource.CLOSED && !closed) {
        es.close();
        timer = setTimeout(() => void api.status().then(open, open), delay);
        delay = Math.min(delay * 2, 10_000);
      }
    };
  };
  open();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    source?.close();
  };
}
