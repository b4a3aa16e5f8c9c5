import { describe as group, expect, test } from 'vitest';
import type { RequestJson, Rule } from '../../lib/api';
import { describe, emptyRule, fieldValue, newCondition, opsFor, render, ruleFromQuery, toForm, toSpec, validate, withKind, type RuleForm } from './form';

const rule: Rule = {
  id: '01R',
  created_at: '2026-11-28T10:00:00Z',
  name: 'Big charges',
  enabled: false,
  match: 'any',
  conditions: [
    { field: 'json:data.object.amount', op: 'gte', value: 4200 as never },
    { field: 'header:X-GitHub-Event', op: 'exists' },
    { field: 'query:mode', op: 'exists', value: false as never },
    { field: 'signature', op: 'equals', value: 'invalid' as never },
    { field: 'path', op: 'glob', value: '/stripe/*' as never },
  ],
  actions: [
    { type: 'notify', title: '{{event_type}}', body: '{{json:data.object.amount}}' },
    { type: 'tag', tag: 'big' },
    { type: 'pin' },
    { type: 'forward', url: 'http://localhost:4000/audit' },
  ],
};

const request: RequestJson = {
  id: '01REQ',
  seq: 1,
  method: 'POST',
  path: '/stripe/events',
  query: 'mode=live&x=%20y',
  endpoint: 'stripe',
  provider: 'stripe',
  event_type: 'charge.succeeded',
  signature: { status: 'valid', reason: 'ok' },
  size: 2048,
  headers: [['stripe-signature', 't=1,v1=x'], ['content-type', 'application/json']],
  body_text: '{"data":{"object":{"amount":4200,"currency":"eur","tags":["a","b"],"nil":null}},"livemode":false}',
  body_state: 'complete',
  duration_ms: 1,
  http_version: 'HTTP/1.1',
  pinned: false,
  received_at: '2026-11-28T10:00:00Z',
  received_at_us: 0,
  response_status: 200,
  rules: [],
  tags: [],
  via: 'direct',
};

group('rule form', () => {
  test('a stored rule round-trips through the builder unchanged', () => {
    const form = toForm(rule);
    expect(form.conditions[0]).toEqual({ kind: 'json', arg: 'data.object.amount', op: 'gte', value: '4200' });
    expect(form.conditions[2]!.op).toBe('missing');
    expect(validate(form)).toEqual({});
    const spec = toSpec(form);
    expect(spec).toEqual({
      name: 'Big charges',
      enabled: false,
      match: 'any',
      conditions: [
        { field: 'json:data.object.amount', op: 'gte', value: 4200 },
        { field: 'header:X-GitHub-Event', op: 'exists', value: null },
        { field: 'query:mode', op: 'exists', value: false },
        { field: 'signature', op: 'equals', value: 'invalid' },
        { field: 'path', op: 'glob', value: '/stripe/*' },
      ],
      actions: rule.actions,
    });
  });

  test('operators fit the field', () => {
    expect(opsFor('size')).not.toContain('contains');
    expect(opsFor('method')).not.toContain('gt');
    expect(opsFor('json')).toEqual(expect.arrayContaining(['equals', 'gt', 'exists', 'missing']));
    expect(opsFor('signature')).toEqual(['equals', 'not_equals', 'exists', 'missing']);
    expect(opsFor('duplicate')).toEqual(['equals']);
  });

  test('a repeated-delivery condition goes to the engine as a boolean and comes back', () => {
    const form = { ...emptyRule(), name: 'repeats', conditions: [{ kind: 'duplicate' as const, arg: '', op: 'equals' as const, value: 'true' }] };
    const spec = toSpec(form);
    expect(spec.conditions).toEqual([{ field: 'duplicate', op: 'equals', value: true }]);
    expect(toForm({ ...spec, id: 'r', created_at: '' }).conditions[0]).toEqual(form.conditions[0]);
    expect(withKind(newCondition(), 'duplicate')).toMatchObject({ kind: 'duplicate', op: 'equals', value: 'true' });
  });

  test('picking another field keeps an operator that still fits, and drops one that does not', () => {
    const c = { kind: 'json' as const, arg: 'a.b', op: 'gt' as const, value: '3' };
    expect(withKind(c, 'size')).toEqual({ kind: 'size', arg: '', op: 'gt', value: '3' });
    expect(withKind(c, 'path')).toEqual({ kind: 'path', arg: '', op: 'equals', value: '3' });
    expect(withKind(c, 'header')).toEqual({ kind: 'header', arg: 'a.b', op: 'equals', value: '3' });
    expect(withKind({ ...c, op: 'equals' }, 'signature')).toEqual({ kind: 'signature', arg: '', op: 'equals', value: 'valid' });
  });

  test.each<[string, (f: RuleForm) => void, string]>([
    ['name', (f) => (f.name = ' '), 'name'],
    ['header name', (f) => (f.conditions[0] = { kind: 'header', arg: '', op: 'exists', value: '' }), 'conditions.0.arg'],
    ['number', (f) => (f.conditions[0] = { kind: 'size', arg: '', op: 'gt', value: 'big' }), 'conditions.0.value'],
    ['regex', (f) => (f.conditions[0] = { kind: 'path', arg: '', op: 'regex', value: '(' }), 'conditions.0.value'],
    ['glob', (f) => (f.conditions[0] = { kind: 'path', arg: '', op: 'glob', value: '' }), 'conditions.0.value'],
    ['no conditions', (f) => (f.conditions = []), 'conditions'],
    ['no actions', (f) => (f.actions = []), 'actions'],
    ['tag', (f) => (f.actions[0] = { type: 'tag', tag: '' }), 'actions.0.tag'],
    ['forward URL', (f) => (f.actions[0] = { type: 'forward', url: 'localhost:4000' }), 'actions.0.url'],
    ['notify summary', (f) => (f.actions[0] = { type: 'notify', title: '', body: 'x' }), 'actions.0.title'],
  ])('a bad %s is reported on its field', (_what, spoil, key) => {
    const form = emptyRule();
    form.name = 'r';
    (form.actions[0] as { tag: string }).tag = 't';
    expect(validate(form)).toEqual({});
    spoil(form);
    expect(Object.keys(validate(form))).toEqual([key]);
  });

  test('a link names the field a new rule starts from', () => {
    const from = (q: string) => ruleFromQuery(new URLSearchParams(q));
    const amount = from('field=json:data.object.amount&op=equals&value=1200')!;
    expect(amount.name).toBe('data.object.amount is 1200');
    expect(amount.conditions).toEqual([{ kind: 'json', arg: 'data.object.amount', op: 'equals', value: '1200' }]);
    expect(amount.actions).toEqual(emptyRule().actions);
    expect(toSpec({ ...amount, actions: [{ type: 'tag', tag: 'x' }] }).conditions).toEqual([{ field: 'json:data.object.amount', op: 'equals', value: '1200' }]);
    expect(from('field=json:/a.b/c&op=exists')!.conditions[0]).toEqual({ kind: 'json', arg: '/a.b/c', op: 'exists', value: '' });
    expect(from('field=json:data.gone&op=missing')!.name).toBe('data.gone is absent');
    expect(from('field=method&op=nonsense&value=GET')!.conditions[0]).toEqual({ kind: 'method', arg: '', op: 'equals', value: 'GET' });
    expect(from(`field=json:k&value=${'v'.repeat(200)}`)!.name).toHaveLength(80);
    expect(from('field=colour&value=red')).toBeNull();
    expect(from('')).toBeNull();
  });

  test('the list line says when and what', () => {
    expect(describe(rule)).toBe(
      'when json:data.object.amount ≥ 4200 or header:X-GitHub-Event is present or query:mode is absent or signature is invalid or path matches glob /stripe/* → notify, tag big, pin, forward to http://localhost:4000/audit',
    );
  });
});

group('template preview', () => {
  test.each([
    ['endpoint', 'stripe'],
    ['method', 'POST'],
    ['signature', 'valid'],
    ['size', '2048'],
    ['header:Stripe-Signature', 't=1,v1=x'],
    ['header:x-none', undefined],
    ['query:x', ' y'],
    ['query:nope', undefined],
    ['json:/data/object/amount', '4200'],
    ['json:data.object.tags.1', 'b'],
    ['json:data.object.tags', '["a","b"]'],
    ['json:livemode', 'false'],
    ['json:data.object.nil', undefined],
    ['json:data.nope.deeper', undefined],
  ])('%s reads %j', (field, value) => expect(fieldValue(field, request)).toBe(value));

  test('templates fill like the engine: unknown and absent fields become empty, an open brace stays', () => {
    expect(
      render('{{event_type}} on {{endpoint}}: {{json:data.object.amount}} ({{method}} {{path}}, {{id}}) {{nope}}{{header:x-none}}', request),
    ).toBe('charge.succeeded on stripe: 4200 (POST /stripe/events, 01REQ) ');
    expect(render('open {{ end', request)).toBe('open {{ end');
    expect(render('{{ provider }}', request)).toBe('stripe');
  });
});
