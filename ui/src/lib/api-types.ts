// Generated from the engine's OpenAPI document by scripts/gen-types.mjs. Do not edit:
// run `make ui-types` after changing the API.

export interface paths {
    "/api/v1/capture": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether capture is paused. */
        get: operations["capture_get_capture"];
        /** Pauses (`{"paused": true}`) or resumes capture; `capture.changed` is streamed. */
        put: operations["capture_put_capture"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recent deliveries, newest first, without attempts. */
        get: operations["deliveries_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deliveries/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One delivery with its attempts. */
        get: operations["deliveries_get_one"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deliveries/blocked": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * How many failed deliveries were blocked by the loopback guard (to offer retrying them
         *     once `allow_remote_targets` is on).
         */
        get: operations["deliveries_blocked"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deliveries/blocked/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Queues every blocked delivery again, at once, keeping its attempts. Refused (400) while
         *     `allow_remote_targets` is off: they would only be blocked again.
         */
        post: operations["deliveries_retry_blocked"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** All named endpoints. */
        get: operations["endpoints_list"];
        put?: never;
        /** Creates an endpoint; requests under its path land in it from now on. */
        post: operations["endpoints_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One endpoint. */
        get: operations["endpoints_get_one"];
        put?: never;
        post?: never;
        /** Deletes an endpoint. Its requests stay, under the name they were captured with. */
        delete: operations["endpoints_delete_one"];
        options?: never;
        head?: never;
        /** Changes an endpoint: a JSON merge patch over `{name, path, response}`. */
        patch: operations["endpoints_update"];
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live events as Server-Sent Events, each a `LiveEvent`: first `ready`, then what
         *     changes. A client too slow to keep up gets `events.lagged` with the number it missed, and
         *     should re-list.
         */
        get: operations["events_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Streams every request matching the filters, oldest first, as a download. */
        get: operations["export_export"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness; needs no token. */
        get: operations["health_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Stores the requests of a HAR or NDJSON file (the body, at most 512 MiB) through the
         *     capture pipeline: each keeps its id (when the file has one), time and bytes; one whose id
         *     is stored already is skipped. A malformed file is refused (400) naming its line (NDJSON)
         *     or entry (HAR), and nothing of it is stored.
         */
        post: operations["import_file"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Notifications raised, newest first. */
        get: operations["notifications_list"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/relay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Where the relay subscription stands: state, relay URL, how far behind, the last id
         *     mirrored, error, since when.
         */
        get: operations["relay_status"];
        put?: never;
        /**
         * Mirrors a relay's captures here (ending a subscription already running), and keeps the
         *     subscription for the next start; follow `relay.status` on the live stream.
         */
        post: operations["relay_subscribe"];
        /**
         * Stops mirroring; it stays off at the next start (the URL and token are kept for turning
         *     it on again).
         */
        delete: operations["relay_unsubscribe"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/relay/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This relay's tokens, revoked ones included, oldest first. */
        get: operations["relay_tokens"];
        put?: never;
        /** Makes a token that may read this relay's stream; the answer holds its secret, once. */
        post: operations["relay_create_token"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/relay/tokens/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revokes a token: it opens no stream any more, and its open streams end at once. */
        delete: operations["relay_revoke_token"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replays many requests as they were captured. */
        post: operations["replay_many"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Captured requests, newest first, without bodies. */
        get: operations["requests_list"];
        put?: never;
        post?: never;
        /** Deletes every unpinned request. */
        delete: operations["requests_clear"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One request, with its body as base64 and, when UTF-8, as text. */
        get: operations["requests_get_one"];
        put?: never;
        post?: never;
        /** Deletes one request, pinned or not. */
        delete: operations["requests_delete_one"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/body": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The raw body bytes, with the original Content-Type. Served sandboxed: a captured HTML
         *     body cannot run script in the API's origin.
         */
        get: operations["requests_body"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A request's deliveries with all their attempts, newest first. */
        get: operations["requests_of_request"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/pin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pins a request: retention and clearing never delete it. */
        post: operations["requests_pin"];
        /** Unpins a request. */
        delete: operations["requests_unpin"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replays a request, edited or not: a new delivery, attempted at once and retried like
         *     any other.
         */
        post: operations["requests_replay_one"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/tags": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Tags a request by hand (rules tag requests as they arrive). */
        post: operations["requests_add_tag"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/{id}/tags/{tag}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Removes a tag from a request. */
        delete: operations["requests_remove_tag"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/requests/wait": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Waits for the first request matching the filters stored after `after` (or after this
         *     call) and answers with it as `GET /api/v1/requests/{id}` does, as soon as it is stored;
         *     `408` when `timeout_ms` runs out first. E.g. `GET
         *     /api/v1/requests/wait?event_type=order.created&timeout_ms=10000`.
         */
        get: operations["requests_wait"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** All rules, in the order they apply. */
        get: operations["rules_list"];
        put?: never;
        /** Adds a rule; it applies to requests captured from now on. */
        post: operations["rules_create"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/rules/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One rule. */
        get: operations["rules_get_one"];
        put?: never;
        post?: never;
        /** Deletes a rule. */
        delete: operations["rules_delete_one"];
        options?: never;
        head?: never;
        /** Changes a rule: a JSON merge patch over its spec (e.g. `{"enabled": false}`). */
        patch: operations["rules_update"];
        trace?: never;
    };
    "/api/v1/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Current settings. */
        get: operations["settings_get_settings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Changes settings with a JSON merge patch (`null` turns a retention limit off), applied at
         *     once: forwarding (`forward`, `allow_remote_targets`) for requests captured from now on,
         *     notifications, and new retention limits in the background (the answer does not wait for
         *     the deletions; a `requests.removed` event follows them). A forward target that is not a
         *     usable URL, or not on loopback while `allow_remote_targets` is off, is refused (400, with
         *     its `field`).
         */
        patch: operations["settings_patch_settings"];
        trace?: never;
    };
    "/api/v1/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Time-bucketed series for the Monitor: incoming rate per endpoint, delivery outcomes and
         *     latency percentiles per target, the retry backlog, and down periods. History comes from
         *     per-minute rollups in the store, so it survives a restart; the minute in progress from the
         *     live counters.
         */
        get: operations["stats_stats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the receiver listens, and what is stored. */
        get: operations["status_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/targets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Forward targets: up or down (since when, why), failures in a row, deliveries waiting. */
        get: operations["targets_targets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/test-events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The providers with sample events, for the window's "Send test event". */
        get: operations["test_events_list_test_events"];
        put?: never;
        /**
         * Sends a sample event through the capture pipeline, signed like the provider would, so it
         *     is captured, checked, forwarded and matched like a real one. Its sender is whoever asked
         *     for it (the window, `hooklens`, a script: on this machine, a loopback address).
         */
        post: operations["test_events_send_test_event"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/tunnel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where the tunnel stands: provider, state, public URL, error, since when. */
        get: operations["tunnel_status"];
        put?: never;
        /** Opens the tunnel (closing one already open); follow `tunnel.status` on the live stream. */
        post: operations["tunnel_start"];
        /** Closes the tunnel. */
        delete: operations["tunnel_stop"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The engine's counters in Prometheus text format (0.0.4): requests by endpoint, provider
         *     and event type, and signature verdict; refusals; delivery attempts and latency by target;
         *     the retry backlog; the store's batch sizes and commit latency; the search index lag;
         *     tunnel time. Needs the token unless `serve --metrics-without-token`.
         */
        get: operations["_prometheus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @description Why a delivery attempt got no answer (or was not sent).
         * @enum {string}
         */
        AttemptErrorKind: "refused" | "dns" | "timeout" | "tls" | "reset" | "blocked" | "invalid" | "other";
        /** @description One try at a delivery. */
        AttemptJson: {
            /** Format: double */
            duration_ms: number;
            error?: string | null;
            error_kind?: null | components["schemas"]["AttemptErrorKind"];
            /** Format: int32 */
            n: number;
            /** @description The first 64 KiB of the response body, base64. */
            response_body_base64: string;
            /** @description The same, as text, when UTF-8. */
            response_body_text?: string | null;
            response_headers: string[][];
            /**
             * Format: int64
             * @description Full response size, when known.
             */
            response_size?: number | null;
            started_at: string;
            /**
             * Format: int32
             * @description The target's status, when it answered.
             */
            status?: number | null;
        };
        /** @description Deliveries the loopback guard blocked. */
        Blocked: {
            /**
             * Format: int64
             * @description Failed deliveries whose last attempt was `blocked`: their target was not a loopback
             *     address while `allow_remote_targets` was off.
             */
            count: number;
        };
        /**
         * @description What happened to a request's body.
         * @enum {string}
         */
        BodyState: "complete" | "too_large" | "incomplete";
        /** @description Replays many requests: those listed, or those matching a filter. */
        BulkReplayBody: {
            /**
             * @description The same filters as `GET /api/v1/requests` (`endpoint`, `method`, `q`, `since`,
             *     `until`, `pinned`); at most 1000 requests, the newest.
             */
            filter?: Record<string, never> | null;
            /** @description Request ids. Either this or `filter`. */
            ids?: string[] | null;
            target?: string | null;
        };
        BulkReplayed: {
            deliveries: components["schemas"]["DeliveryJson"][];
            /** @description Requests that could not be replayed, with why. */
            skipped: string[][];
        };
        /** @description Whether capture is paused. */
        CaptureState: {
            /** @description `true`: the receiver stores nothing and answers `503` with `Retry-After`. */
            paused: boolean;
        };
        /** @description Something changed: read it again. */
        Changed: Record<string, never>;
        /** @description One test on a capture. */
        Condition: {
            /**
             * @description `endpoint`, `method`, `path`, `provider`, `event_type`, `signature`, `size`,
             *     `duplicate` (`true` for a repeated delivery of a provider's event), `header:<name>`, `query:<name>`, or `json:<pointer or dotted path>` (e.g.
             *     `json:/data/object/amount` or `json:data.object.amount`).
             */
            field: string;
            op: components["schemas"]["ConditionOp"];
            /** @description What to compare with (not for `exists`). */
            value?: Record<string, never> | null;
        };
        /** @enum {string} */
        ConditionOp: "equals" | "not_equals" | "contains" | "glob" | "regex" | "exists" | "gt" | "gte" | "lt" | "lte";
        /** @description Counts per bucket under one label. */
        CountSeries: {
            counts: number[];
            /** @description The endpoint name or the reason (`other` gathers labels past the cap). */
            label: string;
            /**
             * Format: int64
             * @description Sum over the window.
             */
            total: number;
        };
        /** @description A delivery of a request to a target, with its attempts when asked for. */
        DeliveryJson: {
            attempt_list?: components["schemas"]["AttemptJson"][] | null;
            /** Format: int32 */
            attempts: number;
            created_at: string;
            id: string;
            kind: components["schemas"]["DeliveryKind"];
            /** @description What went wrong last and what happens next, for a person. */
            last_error?: string | null;
            /** Format: int32 */
            last_status?: number | null;
            /** @description RFC 3339: when it is tried next (pending only). */
            next_attempt_at?: string | null;
            overrides?: null | components["schemas"]["Overrides"];
            request_id: string;
            state: components["schemas"]["DeliveryState"];
            /** @description The target as configured. */
            target: string;
            updated_at: string;
            /** @description The URL attempts go to. */
            url: string;
        };
        /**
         * @description Why a delivery exists.
         * @enum {string}
         */
        DeliveryKind: "auto" | "replay" | "relay";
        DeliveryPage: {
            items: components["schemas"]["DeliveryJson"][];
            next?: string | null;
        };
        /** @description One target's attempts per bucket. */
        DeliverySeries: {
            /** @description Attempts that failed (another status, or no answer). */
            failed: number[];
            /** @description Attempts answered 2xx. */
            succeeded: number[];
            /** @description The target URL as configured (`other` past 32 targets). */
            target: string;
        };
        /**
         * @description Where a delivery stands.
         * @enum {string}
         */
        DeliveryState: "pending" | "succeeded" | "failed";
        /** @description A named endpoint. */
        Endpoint: {
            answer_handshakes?: boolean;
            /** @description RFC 3339, UTC. */
            created_at: string;
            forward: components["schemas"]["ForwardTarget"][];
            forward_duplicates?: boolean;
            id: string;
            name: string;
            path: string;
            public_url?: string | null;
            relay?: null | components["schemas"]["Relay"];
            response: components["schemas"]["EndpointResponse"];
            retry?: null | components["schemas"]["RetryPolicy"];
            signature?: null | components["schemas"]["SignatureSpec"];
        };
        /** @description How Hooklens answers requests to an endpoint. */
        EndpointResponse: {
            /**
             * @description Response body. `{{id}}`, `{{method}}` and `{{path}}` are replaced with the captured
             *     request's values. Absent: a JSON body with the request id.
             */
            body?: string | null;
            /**
             * Format: int64
             * @description Wait this long (after storing) before answering, at most 30000 ms.
             */
            delay_ms?: number;
            /** @description Extra response headers, in order. */
            headers?: [
                string,
                string
            ][];
            /**
             * Format: int32
             * @description HTTP status, 100–599. Default 200.
             */
            status?: number;
        };
        /** @description What a client sends to create or replace an endpoint. */
        EndpointSpec: {
            /**
             * @description Answer the verification handshakes of the provider the scheme names (Slack's
             *     `url_verification`, Meta's `hub.challenge`, Discord's PING, …) and, without a scheme,
             *     those detected unambiguously. Default `true`; `false` leaves them to the endpoint's
             *     response or the relayed service.
             */
            answer_handshakes?: boolean;
            /**
             * @description Where requests to this endpoint are forwarded (several: each gets a copy). Empty: the
             *     global target (`hooklens serve --forward-to`), if any.
             */
            forward?: components["schemas"]["ForwardTarget"][];
            /**
             * @description Forward a repeated delivery of an event already received (`duplicate_of` set). Default
             *     `true`; `false` records it but forwards only the first delivery.
             */
            forward_duplicates?: boolean;
            /** @description A short name shown in the UI and used in filters, e.g. `stripe`. */
            name: string;
            /** @description Path prefix, e.g. `/stripe`: it takes `/stripe` and everything under `/stripe/`. */
            path: string;
            /**
             * @description The URL the provider is configured to call, e.g. `https://hooks.example.com/twilio`.
             *     Schemes that sign the URL (`twilio`, `square`) check against it; absent: the tunnel's
             *     public URL the request came through, else the URL rebuilt from its `Host` header.
             */
            public_url?: string | null;
            relay?: null | components["schemas"]["Relay"];
            response?: components["schemas"]["EndpointResponse"];
            retry?: null | components["schemas"]["RetryPolicy"];
            signature?: null | components["schemas"]["SignatureSpec"];
        };
        /** @description `{"error": {...}}` */
        ErrorBody: {
            error: components["schemas"]["ErrorDetail"];
        };
        ErrorDetail: {
            /**
             * @description Stable, machine-readable: `unauthorized`, `forbidden`, `not_found`, `invalid`,
             *     `remote_target` (a forward target off loopback while `allow_remote_targets` is off),
             *     `conflict`, `timeout` (a wait ran out), `unavailable` (stopping), `internal`.
             */
            code: string;
            /**
             * @description The field of the request body it is about, when it is about one, as a dotted path:
             *     `target`, `forward.1.url`, `actions.0.url`, `forward.targets.0`.
             */
            field?: string | null;
            /** @description What happened and what to do, for a person. */
            message: string;
        };
        /**
         * @description The window's forwarding: local URLs that every request outside endpoints with targets of
         *     their own goes to (the captured path kept), switched on and off as one.
         */
        ForwardSettings: {
            /** @description Forward to `targets` (default true; off keeps the targets for later). */
            enabled?: boolean;
            /** @description Base URLs, e.g. `http://127.0.0.1:3000`: the captured path and query are appended. */
            targets?: string[];
        };
        /** @description A service requests are forwarded to. */
        ForwardTarget: {
            /** @description Headers added to each forwarded request (replacing ones of the same name). */
            headers?: string[][];
            /**
             * @description `keep` (default): the target URL plus the captured path after the endpoint's prefix,
             *     plus the query. `fixed`: the target URL as is, plus the query.
             */
            path?: components["schemas"]["PathMode"];
            resign?: null | components["schemas"]["Resign"];
            /**
             * @description e.g. `http://localhost:3000/webhooks`. Must resolve to loopback unless the setting
             *     `allow_remote_targets` is on.
             */
            url: string;
        };
        /**
         * @description A verification handshake: a provider checking, before it sends events, that the URL
         *     answers for the developer. Hooklens answers it (or refuses it as the provider expects).
         */
        Handshake: {
            /** @description Answered as the provider asks; `false`: refused (the status says how). */
            answered: boolean;
            provider: components["schemas"]["HandshakeProvider"];
            /**
             * @description Why, for a person: "echoed Slack's challenge", "hub.verify_token is not the endpoint's
             *     verify token".
             */
            reason: string;
        };
        /**
         * @description A provider whose verification handshake Hooklens answers.
         * @enum {string}
         */
        HandshakeProvider: "slack" | "meta" | "zoom" | "x" | "msgraph" | "dropbox" | "twitch" | "discord";
        /** @description Health of the engine. */
        Health: {
            /** @description Always `ok` when the engine answers. */
            status: string;
            version: string;
        };
        /** @description What an import did. */
        ImportReport: {
            /**
             * Format: int64
             * @description Deliveries queued (only with `forward`).
             */
            deliveries: number;
            /**
             * Format: int64
             * @description Requests stored.
             */
            imported: number;
            /**
             * Format: int64
             * @description Requests skipped because one with the same id was stored already.
             */
            skipped: number;
        };
        /** @description A token just made, with its secret: shown this once, kept only as a hash. */
        IssuedRelayToken: {
            created_at: string;
            name: string;
            /** @description The secret to pass as `--relay-token` (or in Settings → Relay) on the subscriber. */
            token: string;
        };
        Lagged: {
            /**
             * Format: int64
             * @description How many events this client missed.
             */
            missed: number;
        };
        /**
         * @description One target's attempt latency per bucket, in milliseconds, read from merged log-scale
         *     histograms (within 9.1 % of the true value); `null` where no attempt was made.
         */
        LatencySeries: {
            /** @description Attempts measured per bucket. */
            attempts: number[];
            p50_ms: (number | null)[];
            p95_ms: (number | null)[];
            p99_ms: (number | null)[];
            target: string;
            /**
             * Format: double
             * @description Over the whole window.
             */
            window_p50_ms?: number | null;
            /** Format: double */
            window_p95_ms?: number | null;
            /** Format: double */
            window_p99_ms?: number | null;
        };
        /** @description One event of the live stream: `event` is its name on the stream, `data` its payload. */
        LiveEvent: {
            /** @description First on every stream (and again after a reconnect): re-read what you show. */
            data: components["schemas"]["Ready"];
            /** @enum {string} */
            event: "ready";
        } | {
            /** @description A request was stored; without its body. */
            data: components["schemas"]["RequestJson"];
            /** @enum {string} */
            event: "request.captured";
        } | {
            /** @description A request was pinned, unpinned, tagged or untagged. */
            data: components["schemas"]["RequestUpdated"];
            /** @enum {string} */
            event: "request.updated";
        } | {
            data: components["schemas"]["RequestDeleted"];
            /** @enum {string} */
            event: "request.deleted";
        } | {
            /** @description Unpinned requests were deleted in bulk. */
            data: components["schemas"]["RequestsRemoved"];
            /** @enum {string} */
            event: "requests.removed";
        } | {
            /** @description Requests were imported from a file: re-list. */
            data: components["schemas"]["RequestsImported"];
            /** @enum {string} */
            event: "requests.imported";
        } | {
            /** @description A delivery was queued, attempted, succeeded or gave up. */
            data: components["schemas"]["DeliveryJson"];
            /** @enum {string} */
            event: "delivery.updated";
        } | {
            /** @description A forward target went down or came back. */
            data: components["schemas"]["TargetChanged"];
            /** @enum {string} */
            event: "target.changed";
        } | {
            /** @description A notification was raised (shown or folded into a summary). */
            data: components["schemas"]["StoredNotification"];
            /** @enum {string} */
            event: "notification.raised";
        } | {
            data: components["schemas"]["TunnelStatus"];
            /** @enum {string} */
            event: "tunnel.status";
        } | {
            /**
             * @description The relay subscription's state changed, or how far behind it is (at most four times
             *     a second within a state).
             */
            data: components["schemas"]["RelayStatus"];
            /** @enum {string} */
            event: "relay.status";
        } | {
            /** @description Capture was paused or resumed. */
            data: components["schemas"]["CaptureState"];
            /** @enum {string} */
            event: "capture.changed";
        } | {
            data: components["schemas"]["Changed"];
            /** @enum {string} */
            event: "endpoints.changed";
        } | {
            data: components["schemas"]["Changed"];
            /** @enum {string} */
            event: "rules.changed";
        } | {
            data: components["schemas"]["Changed"];
            /** @enum {string} */
            event: "settings.changed";
        } | {
            /**
             * @description Totals, at most every 2 s and only when they changed: a cue to refetch
             *     `/api/v1/stats`.
             */
            data: components["schemas"]["StatsSummary"];
            /** @enum {string} */
            event: "stats.updated";
        } | {
            /** @description This client was too slow and missed events: re-list. */
            data: components["schemas"]["Lagged"];
            /** @enum {string} */
            event: "events.lagged";
        };
        /** @enum {string} */
        MatchMode: "all" | "any";
        /** @description A token to make. */
        NewRelayToken: {
            /** @description 1 to 64 letters, digits, `.`, `_` or `-`: whom it is for, e.g. `alice-laptop`. */
            name: string;
        };
        /**
         * @description What raised a notification.
         * @enum {string}
         */
        NotificationKind: "rule" | "delivery_failed" | "target_down" | "target_up" | "signature_invalid" | "tunnel" | "relay" | "startup";
        /** @description Which events raise notifications, and how they are grouped. */
        NotificationSettings: {
            /** @description When a delivery fails: `first` failure (default), `exhausted` retries, `both`, `off`. */
            delivery_failed?: string;
            /** @description A request whose signature is invalid (default true). */
            signature_invalid?: boolean;
            /** @description A forward target going down and coming back (default true). */
            target_changes?: boolean;
            /**
             * Format: int64
             * @description Notifications of one kind and key within this many seconds show as one popup
             *     ("and 37 more"). Default 10.
             */
            window_s?: number;
        };
        /** @description What replaces parts of the captured request in an edited replay. */
        Overrides: {
            body_base64?: string | null;
            /** @description Replaces all of the captured headers. */
            headers?: string[][] | null;
            method?: string | null;
            /** @description Path and query sent to the target, replacing the mapped one. */
            path?: string | null;
        };
        /** @enum {string} */
        PathMode: "keep" | "fixed";
        /** @description A down period, for a timeline. */
        PeriodJson: {
            /**
             * Format: double
             * @description Unix seconds (fractional).
             */
            from: number;
            kind: components["schemas"]["PeriodKind"];
            /** @description Why, in words. */
            reason: string;
            /** @description The target URL, or the tunnel provider. */
            subject: string;
            /**
             * Format: double
             * @description Unix seconds; `null` while it lasts.
             */
            to?: number | null;
        };
        /**
         * @description What a down period is about.
         * @enum {string}
         */
        PeriodKind: "target_down" | "tunnel_down" | "relay_down";
        Ready: {
            version: string;
        };
        /**
         * @description Relay mode: the receiver waits for the first target's answer and returns it to the
         *     sender (status, headers, body); if the target fails or is slower than `timeout_ms`, the
         *     endpoint's `response` is the answer and the delivery is retried as usual.
         */
        Relay: {
            /**
             * Format: int64
             * @description Default 10000, at most 30000.
             */
            timeout_ms?: number;
        };
        /** @description What to subscribe to. */
        RelaySpec: {
            /**
             * @description A PEM file with the certificate of the CA that signed the relay's certificate, when
             *     it is a private one. Default: the system's trusted CAs.
             */
            ca_file?: string | null;
            /**
             * @description Mirror only this endpoint of the relay (`default` for captures outside any). Default:
             *     everything.
             */
            endpoint?: string | null;
            /**
             * @description The relay listener's base URL: `http://HOST:PORT` on loopback or behind a proxy,
             *     `https://HOST[:PORT]` with TLS.
             */
            url: string;
        };
        /**
         * @description Where the relay subscription stands.
         * @enum {string}
         */
        RelayState: "off" | "connecting" | "catching_up" | "online" | "reconnecting" | "error";
        /** @description What `GET /api/v1/relay` says. */
        RelayStatus: {
            /**
             * Format: int64
             * @description Captures stored on the relay and not mirrored here yet, as far as known: counted down
             *     while catching up, 0 once online.
             */
            behind: number;
            /** @description Only this endpoint's captures are mirrored, when set. */
            endpoint?: string | null;
            /**
             * @description What went wrong, in words a person can act on; while online, a note (captures that
             *     expired on the relay before they could be mirrored).
             */
            error?: string | null;
            /**
             * Format: int64
             * @description Captures that expired on the relay before they could be mirrored, since this
             *     subscription started.
             */
            expired: number;
            /** @description The id of the last capture mirrored from this relay. */
            last_id?: string | null;
            /** @description RFC 3339: since when it is in this state. */
            since: string;
            state: components["schemas"]["RelayState"];
            /** @description The relay listener's base URL (when off: the one kept for next time, if any). */
            url?: string | null;
        };
        /** @description A relay token as listed: never its secret. */
        RelayTokenJson: {
            active: boolean;
            created_at: string;
            /** @description When it last opened a stream. */
            last_used_at?: string | null;
            name: string;
            /** @description When it was revoked; it opens nothing since. */
            revoked_at?: string | null;
        };
        /**
         * @description Why unpinned requests were deleted in bulk: a closed set, written on the live stream as
         *     its `snake_case` word (`cleared`, `retention`).
         * @enum {string}
         */
        RemovalReason: "cleared" | "retention";
        /** @description How many requests an operation removed. */
        Removed: {
            /** Format: int64 */
            deleted: number;
        };
        /** @description What to replay, and how to change it first. */
        ReplayBody: {
            body_base64?: string | null;
            /** @description Replaces all captured headers. */
            headers?: string[][] | null;
            method?: string | null;
            /** @description Path and query to send instead of the mapped ones, e.g. `/webhooks?test=1`. */
            path?: string | null;
            resign?: null | components["schemas"]["Resign"];
            /**
             * @description Send to this URL exactly (plus the captured query). Default: the request's endpoint
             *     target, or the global `--forward-to`, mapped as when it was captured.
             */
            target?: string | null;
        };
        RequestDeleted: {
            id: string;
        };
        /** @description A captured request. */
        RequestJson: {
            /** @description The raw body (only on a single request). */
            body_base64?: string | null;
            /** @description Why the body is not complete, when it is not. */
            body_note?: string | null;
            body_state: components["schemas"]["BodyState"];
            /** @description The body as text, when it is valid UTF-8 (only on a single request). */
            body_text?: string | null;
            content_type?: string | null;
            delivery?: null | components["schemas"]["DeliveryState"];
            /**
             * @description On a repeated delivery, the id of the capture that was its first delivery; `null` on
             *     a first delivery.
             */
            duplicate_of?: string | null;
            /**
             * Format: double
             * @description Time from the first byte to the end of the body, in milliseconds.
             */
            duration_ms: number;
            /** @description Endpoint name; `default` outside any named endpoint. */
            endpoint: string;
            endpoint_id?: string | null;
            /**
             * @description The provider's id for what it delivered (Stripe's `evt_…`, `X-GitHub-Delivery`,
             *     `webhook-id`, …), when it gives one.
             */
            event_id?: string | null;
            /** @description The provider's event type, if any. */
            event_type?: string | null;
            /** @description On a repeated delivery, when the first delivery arrived (RFC 3339, UTC). */
            first_received_at?: string | null;
            /**
             * Format: int64
             * @description The same, in microseconds since the Unix epoch.
             */
            first_received_at_us?: number | null;
            handshake?: null | components["schemas"]["Handshake"];
            /**
             * @description `[name, value]` pairs in arrival order, duplicates kept. Names are lower-case (HTTP/2
             *     and our HTTP/1 parser normalise them); non-UTF-8 bytes in values show as U+FFFD here,
             *     and exactly in `headers_base64`.
             */
            headers: string[][];
            /**
             * @description Only when some header value is not UTF-8: every `[name, value]` pair again, in the
             *     same order, each value base64 of its exact bytes.
             */
            headers_base64?: string[][] | null;
            http_version: string;
            /** @description ULID: ids sort by arrival. */
            id: string;
            method: string;
            /**
             * Format: int32
             * @description Which delivery of `event_id` this is at its endpoint: 1 for the first, 2 for the
             *     second, …
             */
            occurrence?: number | null;
            /** @description Path as received, still percent-encoded. */
            path: string;
            pinned: boolean;
            /** @description The recognised provider, if any. */
            provider?: string | null;
            /** @description Raw query string, without `?`. */
            query?: string | null;
            /** @description RFC 3339, UTC, microseconds. */
            received_at: string;
            /**
             * Format: int64
             * @description Microseconds since the Unix epoch.
             */
            received_at_us: number;
            remote_addr?: string | null;
            /**
             * Format: int32
             * @description Status Hooklens answered with.
             */
            response_status: number;
            /** @description Ids of the rules it matched. */
            rules: string[];
            /**
             * Format: int64
             * @description Its place in the store: lists are newest stored first, and a page's `next` cursor is
             *     the last one's `seq`. An imported request is stored (and listed) when it is imported.
             */
            seq: number;
            signature?: null | components["schemas"]["SignatureVerdict"];
            /**
             * Format: int64
             * @description Body bytes received, or announced by the sender when refused.
             */
            size: number;
            /** @description Tags given by rules. */
            tags: string[];
            via: components["schemas"]["Via"];
        };
        /** @description One page of requests, newest first. */
        RequestPage: {
            items: components["schemas"]["RequestJson"][];
            /** @description Pass as `cursor` for the next page; `null` on the last one. */
            next?: string | null;
        };
        RequestsImported: {
            /**
             * Format: int64
             * @description How many requests were stored.
             */
            count: number;
        };
        RequestsRemoved: {
            /** Format: int64 */
            count: number;
            reason: components["schemas"]["RemovalReason"];
        };
        RequestUpdated: {
            id: string;
            pinned: boolean;
            tags: string[];
        };
        /**
         * @description Re-sign what is forwarded, with the current time, so the receiving code's own signature
         *     and tolerance checks pass.
         */
        Resign: {
            /** @description `hmac-sha256` only: the header to put the signature in. */
            header?: string | null;
            scheme: components["schemas"]["SignatureScheme"];
            /**
             * @description The secret your service checks with. Not every scheme can be re-signed: see
             *     `SignatureScheme::resign_refusal`.
             */
            secret: string;
        };
        /** @description Which old requests are deleted. Pinned requests are always kept. `null` turns a limit off. */
        RetentionSettings: {
            /**
             * Format: int64
             * @description Delete unpinned requests older than this many days (default 30).
             */
            max_age_days?: number | null;
            /**
             * Format: int64
             * @description Keep at most this many unpinned requests (default 100000).
             */
            max_requests?: number | null;
            /**
             * Format: int64
             * @description Keep the unpinned requests' bodies under this many MiB in total (default 2048).
             */
            max_total_mib?: number | null;
        };
        /** @description How many deliveries were queued again. */
        Retried: {
            /** Format: int64 */
            retried: number;
        };
        /**
         * @description How long to wait between attempts, as data. The delay itself is computed by the
         *     forwarder from this, the attempt number, `Retry-After` and a jitter seed.
         */
        RetryPolicy: {
            /**
             * Format: double
             * @description Each wait is moved by up to this fraction, up or down (0–1), so retries from many
             *     requests do not arrive at once. Default 0.2.
             */
            jitter?: number;
            /**
             * Format: int64
             * @description A `Retry-After` longer than this (ms) is cut to it. Default 15 minutes.
             */
            max_retry_after_ms?: number;
            /** @description Wait before retry 1, 2, 3…, in milliseconds; its length is the number of retries. */
            schedule_ms?: number[];
            /**
             * Format: int64
             * @description Each attempt gives up after this long (ms). Default 30 s.
             */
            timeout_ms?: number;
        };
        /** @description A stored rule. */
        Rule: {
            actions: components["schemas"]["RuleAction"][];
            conditions: components["schemas"]["Condition"][];
            created_at: string;
            enabled?: boolean;
            id: string;
            /** @description `all` (default) or `any` of the conditions. */
            match?: components["schemas"]["MatchMode"];
            name: string;
        };
        /** @description What a matching rule does. */
        RuleAction: {
            body: string;
            title: string;
            /** @enum {string} */
            type: "notify";
        } | {
            tag: string;
            /** @enum {string} */
            type: "tag";
        } | {
            /** @enum {string} */
            type: "pin";
        } | {
            /** @enum {string} */
            type: "forward";
            url: string;
        };
        /** @description A rule: when a capture meets its conditions (all of them, or any), its actions run. */
        RuleSpec: {
            actions: components["schemas"]["RuleAction"][];
            conditions: components["schemas"]["Condition"][];
            enabled?: boolean;
            /** @description `all` (default) or `any` of the conditions. */
            match?: components["schemas"]["MatchMode"];
            name: string;
        };
        /** @description Settings that persist in the store. */
        Settings: {
            /**
             * @description Allow forward targets that resolve to addresses other than loopback. Off by default:
             *     anyone who can send webhooks could otherwise make Hooklens call into your network.
             */
            allow_remote_targets?: boolean;
            /**
             * @description Where requests go that no endpoint with targets of its own handles, as set in the
             *     window (`--forward-to` adds its own targets beside these).
             */
            forward?: components["schemas"]["ForwardSettings"];
            notifications?: components["schemas"]["NotificationSettings"];
            retention?: components["schemas"]["RetentionSettings"];
        };
        /** @description The settings, and the forward targets given on the command line beside the window's. */
        SettingsJson: {
            /**
             * @description Allow forward targets that resolve to addresses other than loopback. Off by default:
             *     anyone who can send webhooks could otherwise make Hooklens call into your network.
             */
            allow_remote_targets?: boolean;
            /**
             * @description Where requests go that no endpoint with targets of its own handles, as set in the
             *     window (`--forward-to` adds its own targets beside these).
             */
            forward?: components["schemas"]["ForwardSettings"];
            /**
             * @description Read only: the targets of `--forward-to` (`HOOKLENS_FORWARD_TO`), which this running
             *     Hooklens forwards to beside `forward.targets`, whether `forward.enabled` or not; a URL
             *     in both is delivered to once. Sent back in a patch, it is ignored.
             */
            forward_command_line: string[];
            notifications?: components["schemas"]["NotificationSettings"];
            retention?: components["schemas"]["RetentionSettings"];
        };
        /**
         * @description A signing scheme: how a provider signs its webhooks, and so how Hooklens checks them.
         *     The names on the wire are the contract users' scripts rely on (`as_str`).
         * @enum {string}
         */
        SignatureScheme: "stripe" | "github" | "shopify" | "slack" | "standard-webhooks" | "hmac-sha256" | "twilio" | "sendgrid" | "discord" | "paddle" | "linear" | "gitlab" | "intercom" | "square" | "mailgun" | "pagerduty" | "zoom" | "typeform" | "twitch" | "meta" | "x" | "msgraph" | "dropbox";
        /** @description How an endpoint's requests are signed, so Hooklens can check them. */
        SignatureSpec: {
            /**
             * @description `hmac-sha256` only: the header carrying the signature (hex or base64, optionally
             *     prefixed `sha256=`).
             */
            header?: string | null;
            scheme: components["schemas"]["SignatureScheme"];
            /**
             * @description One or more secrets (several while rotating). Returned masked by the API. For the
             *     public-key schemes, the provider's public key as its dashboard shows it (`sendgrid`:
             *     base64 DER; `discord`: hex); for `gitlab` the secret token; for `msgraph` the
             *     subscription's `clientState`.
             */
            secrets: string[];
            /**
             * Format: int64
             * @description Timestamped schemes: how old a signature may be, in seconds. Default 300.
             */
            tolerance_s?: number;
            /**
             * @description `meta` only: the verify token you type into Meta's dashboard next to the callback URL;
             *     Hooklens answers Meta's `hub.challenge` only when the request carries it. Returned
             *     masked by the API.
             */
            verify_token?: string | null;
        };
        /**
         * @description Whether a request's signature checks out.
         * @enum {string}
         */
        SignatureStatus: "valid" | "invalid" | "missing" | "unconfigured";
        /** @description Whether a request's signature checks out, and why. */
        SignatureVerdict: {
            /** @description Why, for a person: "timestamp is 9 min old, tolerance 5 min". */
            reason: string;
            /** @description The scheme it was checked with. */
            scheme?: string | null;
            status: components["schemas"]["SignatureStatus"];
        };
        /**
         * @description Series for charts: `timestamps` holds the start of each bucket (Unix seconds, oldest
         *     first, `step` seconds apart, the last one the bucket in progress), and every array in the
         *     series has exactly one value per timestamp, ready for uPlot's `[timestamps, ...series]`.
         */
        Stats: {
            /** @description Delivery attempts per bucket and target: answered 2xx, or not. */
            deliveries: components["schemas"]["DeliverySeries"][];
            /** @description Requests received per bucket, by endpoint (divide by `step` for a rate). */
            incoming: components["schemas"]["CountSeries"][];
            /** @description Attempt latency percentiles per bucket and target. */
            latency: components["schemas"]["LatencySeries"][];
            /**
             * @description Periods in the window during which a target was down or the tunnel was
             *     offline, oldest first.
             */
            periods: components["schemas"]["PeriodJson"][];
            /**
             * @description Whether this process records metrics (`hooklens serve --no-metrics` turns it off;
             *     the series then hold only what was stored before).
             */
            recording: boolean;
            /**
             * @description Requests not taken whole per bucket, by reason: `too_large`, `timeout`, `incomplete`,
             *     `not_stored`, `too_many_headers` (over 1,000 headers), `headers_too_large` (refused by
             *     the HTTP parser: over 2,000 headers or a 400 KiB head).
             */
            refused: components["schemas"]["CountSeries"][];
            /**
             * @description Deliveries waiting for an attempt or a retry: the largest sample in each bucket
             *     (`null` where nothing was recorded).
             */
            retry_backlog: (number | null)[];
            /**
             * Format: int64
             * @description Seconds per bucket.
             */
            step: number;
            /** @description Start of each bucket, Unix seconds. */
            timestamps: number[];
            /** @description The window: `15m`, `1h`, `24h` or `7d`. */
            window: string;
        };
        /** @description The `stats.updated` event: totals since start, enough for a view to decide to refetch. */
        StatsSummary: {
            /**
             * Format: int64
             * @description Unix seconds.
             */
            at: number;
            /** Format: int64 */
            attempts_failed: number;
            /** Format: int64 */
            attempts_ok: number;
            /** Format: int64 */
            refused: number;
            /** Format: int64 */
            requests: number;
            /** Format: int64 */
            retry_backlog: number;
            targets_down: number;
        };
        /** @description Where things listen and how many requests are stored. */
        Status: {
            api_url: string;
            /** Format: int64 */
            max_body: number;
            /** @description The receiver's URL: point providers (or a tunnel) here. */
            receiver_url: string;
            /** Format: int64 */
            requests: number;
            /**
             * @description Where requests are kept: `SQLite PATH`, or `PostgreSQL HOST:PORT/DB` when several
             *     instances share one database.
             */
            storage: string;
            version: string;
        };
        /** @description A notification as recorded. */
        StoredNotification: {
            /** @description RFC 3339. */
            at: string;
            body: string;
            /** @description What it is about: a rule id, a target, an endpoint. */
            key: string;
            kind: components["schemas"]["NotificationKind"];
            request_id?: string | null;
            /** @description Whether a popup showed it (otherwise it was folded into a summary). */
            shown: boolean;
            title: string;
        };
        /** @description A tag to add by hand. */
        TagBody: {
            /** @description 1–64 characters, no commas. */
            tag: string;
        };
        TargetChanged: {
            /** @description Why it is down; `null` when it came back. */
            reason?: string | null;
            state: components["schemas"]["TargetState"];
            target: string;
        };
        /**
         * @description Whether a target is taking deliveries.
         * @enum {string}
         */
        TargetState: "up" | "down";
        /** @description What the API says about a target. */
        TargetStatus: {
            /** @description RFC 3339: since when it is down. */
            down_since?: string | null;
            /**
             * Format: int32
             * @description Failures in a row.
             */
            failures: number;
            /** @description RFC 3339: when it is probed next. */
            next_probe?: string | null;
            /**
             * Format: int64
             * @description Deliveries waiting for it.
             */
            pending: number;
            /** @description Why it is down: the last failure. */
            reason?: string | null;
            /** @description `up` or `down`. */
            state: string;
            /** @description The target's URL as configured. */
            target: string;
        };
        /** @description Which sample to send, where, signed with what. */
        TestEventBody: {
            /** @description Endpoint name or id to send it to; default the receiver's root (`default`). */
            endpoint?: string | null;
            /** @description The event type; default the provider's most common one. */
            event?: string | null;
            /**
             * @description A provider `GET /api/v1/test-events` lists: `stripe`, `github`, `shopify`, `slack`,
             *     `standard-webhooks`, `paddle`, `zoom`, `pagerduty`, `twitch`, `gitlab`, `linear`,
             *     `typeform`.
             */
            provider: string;
            /** @description Sign with this secret; default the endpoint's first secret when its scheme matches. */
            secret?: string | null;
            /** @description Also deliver it straight to this URL (as a replay). */
            target?: string | null;
        };
        /** @description A provider Hooklens has a sample event for. */
        TestEventKind: {
            /** @description The event type sent when none is asked for. */
            event: string;
            /** @description As `provider` in a test event's body, and the signature scheme it is signed with. */
            provider: string;
        };
        TestEventSent: {
            delivery?: null | components["schemas"]["DeliveryJson"];
            event_type: string;
            provider: string;
            request_id: string;
            /** @description Whether it carries a signature. */
            signed: boolean;
            /**
             * Format: int32
             * @description The status the receiver answered with.
             */
            status: number;
        };
        /** @description Which tunnel to open. */
        TunnelSpec: {
            /** @enum {string} */
            provider: "bore";
            /** @description Host name or address of the bore server (control port 7835). */
            server: string;
        } | {
            /** @description A reserved domain, for a URL that never changes. */
            domain?: string | null;
            /** @enum {string} */
            provider: "ngrok";
        };
        /**
         * @description Where a tunnel stands.
         * @enum {string}
         */
        TunnelState: "off" | "connecting" | "online" | "reconnecting" | "error";
        /** @description What `GET /api/v1/tunnel` says. */
        TunnelStatus: {
            /** @description What went wrong, in words a person can act on. */
            error?: string | null;
            /** @description `bore`, or `null` when off. */
            provider?: string | null;
            /** @description Where providers should send webhooks, when online. */
            public_url?: string | null;
            /** @description RFC 3339: since when it is in this state. */
            since: string;
            state: components["schemas"]["TunnelState"];
        };
        /**
         * @description How a request reached Hooklens.
         * @enum {string}
         */
        Via: "direct" | "tunnel" | "relay" | "import";
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    capture_get_capture: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CaptureState"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    capture_put_capture: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CaptureState"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CaptureState"];
                };
            };
            /** @description a query or body that does not parse */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deliveries_list: {
        parameters: {
            query?: {
                /** @description The `next` of the previous page. */
                cursor?: string;
                /** @description Page size, 1–1000 (default 50). */
                limit?: number;
                /** @description `pending`, `succeeded` or `failed`. */
                state?: components["schemas"]["DeliveryState"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryPage"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deliveries_get_one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryJson"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deliveries_blocked: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Blocked"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deliveries_retry_blocked: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Retried"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    endpoints_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"][];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    endpoints_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EndpointSpec"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    endpoints_get_one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    endpoints_delete_one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    endpoints_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /** @description JSON merge patch of an EndpointSpec */
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Endpoint"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    events_events: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description an event stream: each event's name is a LiveEvent's `event`, its data the LiveEvent's `data` as JSON */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": components["schemas"]["LiveEvent"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    export_export: {
        parameters: {
            query: {
                /** @description The `next` value of the previous page. */
                cursor?: string;
                /**
                 * @description Where the request's deliveries stand: `pending`, `succeeded`, `failed`, or `none` (not
                 *     forwarded).
                 */
                delivery?: string;
                /**
                 * @description Only repeated deliveries of a provider's event (`true`: `duplicate_of` set), or only
                 *     first deliveries and requests without an event id (`false`).
                 */
                duplicate?: boolean;
                /** @description Endpoint name or id; `default` for requests outside any named endpoint. */
                endpoint?: string;
                /** @description Event type; `*` matches anything, e.g. `payment_intent.*`. */
                event_type?: string;
                /** @description `har` (HAR 1.2) or `ndjson` (one request JSON per line, with body). */
                format: string;
                /** @description Only these request ids, comma-separated (at most 1000), e.g. to export a selection. */
                ids?: string;
                /** @description Page size, 1–1000 (default 50). */
                limit?: number;
                /** @description HTTP method, any case. */
                method?: string;
                /** @description Only pinned (`true`) or unpinned (`false`) requests. */
                pinned?: boolean;
                /** @description Provider: `stripe`, `github`, `twilio`, … (the signature schemes' names). */
                provider?: string;
                /**
                 * @description Full-text search over path, query, headers and text bodies; every word must match,
                 *     the last as a prefix.
                 */
                q?: string;
                /** @description Signature status: `valid`, `invalid`, `missing`, `unconfigured`. */
                signature?: string;
                /** @description Only requests received at or after this time (RFC 3339, or microseconds since epoch). */
                since?: string;
                /** @description A tag given by a rule. */
                tag?: string;
                /** @description Only requests received before this time (RFC 3339, or microseconds since epoch). */
                until?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the export file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    health_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    import_file: {
        parameters: {
            query?: {
                /** @description `har` or `ndjson`; default: told from the content. */
                format?: string;
                /** @description Forward the imported requests as if they had just arrived (default false). */
                forward?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description the HAR or NDJSON file */
        requestBody: {
            content: {
                "application/octet-stream": number[];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportReport"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description the file is over 512 MiB */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    notifications_list: {
        parameters: {
            query?: {
                /** @description How many, newest first (1–1000, default 100). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StoredNotification"][];
                };
            };
            /** @description a query or body that does not parse */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    relay_status: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RelayStatus"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    relay_subscribe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RelaySpec"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RelayStatus"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    relay_unsubscribe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RelayStatus"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    relay_tokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RelayTokenJson"][];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    relay_create_token: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NewRelayToken"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IssuedRelayToken"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    relay_revoke_token: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RelayTokenJson"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    replay_many: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BulkReplayBody"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BulkReplayed"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_list: {
        parameters: {
            query?: {
                /** @description The `next` value of the previous page. */
                cursor?: string;
                /**
                 * @description Where the request's deliveries stand: `pending`, `succeeded`, `failed`, or `none` (not
                 *     forwarded).
                 */
                delivery?: string;
                /**
                 * @description Only repeated deliveries of a provider's event (`true`: `duplicate_of` set), or only
                 *     first deliveries and requests without an event id (`false`).
                 */
                duplicate?: boolean;
                /** @description Endpoint name or id; `default` for requests outside any named endpoint. */
                endpoint?: string;
                /** @description Event type; `*` matches anything, e.g. `payment_intent.*`. */
                event_type?: string;
                /** @description Only these request ids, comma-separated (at most 1000), e.g. to export a selection. */
                ids?: string;
                /** @description Page size, 1–1000 (default 50). */
                limit?: number;
                /** @description HTTP method, any case. */
                method?: string;
                /** @description Only pinned (`true`) or unpinned (`false`) requests. */
                pinned?: boolean;
                /** @description Provider: `stripe`, `github`, `twilio`, … (the signature schemes' names). */
                provider?: string;
                /**
                 * @description Full-text search over path, query, headers and text bodies; every word must match,
                 *     the last as a prefix.
                 */
                q?: string;
                /** @description Signature status: `valid`, `invalid`, `missing`, `unconfigured`. */
                signature?: string;
                /** @description Only requests received at or after this time (RFC 3339, or microseconds since epoch). */
                since?: string;
                /** @description A tag given by a rule. */
                tag?: string;
                /** @description Only requests received before this time (RFC 3339, or microseconds since epoch). */
                until?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestPage"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_clear: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Removed"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_get_one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestJson"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_delete_one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_body: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the body, byte for byte, with the Content-Type it was captured with (application/octet-stream when it had none) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": unknown;
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_of_request: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryJson"][];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_pin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestJson"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_unpin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestJson"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_replay_one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /** @description all fields optional */
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReplayBody"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryJson"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_add_tag: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TagBody"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestJson"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_remove_tag: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                tag: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestJson"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    requests_wait: {
        parameters: {
            query?: {
                /**
                 * @description A request id: answer with the first match stored after it, even one stored before
                 *     this call (so nothing is missed between two waits). Default: the first match stored
                 *     after this call.
                 */
                after?: string;
                /** @description Endpoint name or id; `default` for requests outside any named endpoint. */
                endpoint?: string;
                /** @description Event type; `*` matches anything, e.g. `payment_intent.*`. */
                event_type?: string;
                /** @description HTTP method, any case. */
                method?: string;
                /** @description Provider: `stripe`, `github`, `twilio`, … (the signature schemes' names). */
                provider?: string;
                /**
                 * @description Full-text search over path, query, headers and text bodies; every word must match,
                 *     the last as a prefix.
                 */
                q?: string;
                /** @description Signature status: `valid`, `invalid`, `missing`, `unconfigured`. */
                signature?: string;
                /** @description Only requests received at or after this time (RFC 3339, or microseconds since epoch). */
                since?: string;
                /** @description A tag given by a rule. */
                tag?: string;
                /** @description How long to wait, 0–60000 ms (default 30000). */
                timeout_ms?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RequestJson"];
                };
            };
            /** @description a query or body that does not parse */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description `after` names no stored request */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description nothing matching arrived in time */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description Hooklens is stopping */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    rules_list: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rule"][];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    rules_create: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RuleSpec"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rule"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    rules_get_one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rule"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    rules_delete_one: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    rules_update: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        /** @description JSON merge patch of a RuleSpec */
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Rule"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    settings_get_settings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SettingsJson"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    settings_patch_settings: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description JSON merge patch of Settings */
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SettingsJson"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    stats_stats: {
        parameters: {
            query?: {
                /**
                 * @description `15m` or `1h` (one-minute buckets), `24h` (15-minute buckets) or `7d` (hourly
                 *     buckets). Default `1h`.
                 */
                window?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Stats"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    status_status: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Status"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    targets_targets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TargetStatus"][];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    test_events_list_test_events: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TestEventKind"][];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    test_events_send_test_event: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TestEventBody"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TestEventSent"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tunnel_status: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TunnelStatus"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tunnel_start: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TunnelSpec"];
            };
        };
        responses: {
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TunnelStatus"];
                };
            };
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    tunnel_stop: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TunnelStatus"];
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    _prometheus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": unknown;
                };
            };
            /** @description no token, or a wrong one */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description a foreign Host or a cross-site Origin */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description metrics are turned off */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
}

/** The live stream's event names, in the order of the LiveEvent schema. */
export const liveEventNames = ["ready","request.captured","request.updated","request.deleted","requests.removed","requests.imported","delivery.updated","target.changed","notification.raised","tunnel.status","relay.status","capture.changed","endpoints.changed","rules.changed","settings.changed","stats.updated","events.lagged"] as const;
