// The rule builder's model: conditions as (field kind, argument, operator, value) rows and
// actions as typed rows, converted from and to the API's `RuleSpec`; which operators fit which
// field; and a preview of notification templates against a captured request, filled the way
// the engine fills them (`rules.rs`, `Subject::render`). Pure, tested in form.test.ts.
import type { Condition, ConditionOp, RequestJson, Rule, RuleAction, RuleSpec } from '../../lib/api';

export type FieldKind =
  | 'endpoint'
  | 'method'
  | 'path'
  | 'provider'
  | 'event_type'
  | 'signature'
  | 'duplicate'
  | 'size'
  | 'header'
  | 'query'
  | 'json';

/** `missing` is `exists` with the value `false` in the API. */
export type OpChoice = ConditionOp | 'missing';

export interface ConditionForm {
  kind: FieldKind;
  /** The header or query parameter name, or the JSON path. */
  arg: string;
  op: OpChoice;
  value: string;
}

export type ActionForm =
  | { type: 'notify'; title: string; body: string }
  | { type: 'tag'; tag: string }
  | { type: 'pin' }
  | { type: 'forward'; url: string };

export interface RuleForm {
  name: string;
  enabled: boolean;
  match: 'all' | 'any';
  conditions: ConditionForm[];
  actions: ActionForm[];
}

export const FIELDS: { kind: FieldKind; label: string; arg?: string }[] = [
  { kind: 'endpoint', label: 'Endpoint' },
  { kind: 'method', label: 'Method' },
  { kind: 'path', label: 'Path' },
  { kind: 'provider', label: 'Provider' },
  { kind: 'event_type', label: 'Event type' },
  { kind: 'signature', label: 'Signature' },
  { kind: 'duplicate', label: 'Repeated delivery (duplicate)' },
  { kind: 'size', label: 'Body size (bytes)' },
  { kind: 'header', label: 'Header', arg: 'Header name, e.g. Stripe-Signature' },
  { kind: 'query', label: 'Query parameter', arg: 'Parameter name' },
  { kind: 'json', label: 'JSON body field', arg: 'Path, e.g. data.object.amount or /data/object/amount' },
];

export const OP_LABELS: Record<OpChoice, string> = {
  equals: 'is',
  not_equals: 'is not',
  contains: 'contains',
  glob: 'matches glob',
  regex: 'matches regex',
  exists: 'is present',
  missing: 'is absent',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
};

const TEXT_OPS: OpChoice[] = ['equals', 'not_equals', 'contains', 'glob', 'regex'];
const NUMBER_OPS: OpChoice[] = ['gt', 'gte', 'lt', 'lte'];

/** The operators that make sense for a field. */
export function opsFor(kind: FieldKind): OpChoice[] {
  switch (kind) {
    case 'endpoint':
    case 'method':
    case 'path':
      return TEXT_OPS;
    case 'provider':
    case 'event_type':
      return [...TEXT_OPS, 'exists', 'missing'];
    case 'signature':
      return ['equals', 'not_equals', 'exists', 'missing'];
    case 'duplicate':
      return ['equals'];
    case 'size':
      return [...NUMBER_OPS, 'equals', 'not_equals'];
    case 'header':
    case 'query':
      return [...TEXT_OPS, 'exists', 'missing'];
    case 'json':
      return [...TEXT_OPS, ...NUMBER_OPS, 'exists', 'missing'];
  }
}

/** Values the engine can report for a field, offered as choices; null: free text. */
export function choicesFor(kind: FieldKind): string[] | null {
  if (kind === 'signature') return ['valid', 'invalid', 'missing', 'unconfigured'];
  if (kind === 'duplicate') return ['true', 'false'];
  return null;
}

export const needsValue = (op: OpChoice) => op !== 'exists' && op !== 'missing';
export const isNumeric = (op: OpChoice) => NUMBER_OPS.includes(op);

export function newCondition(kind: FieldKind = 'method'): ConditionForm {
  return { kind, arg: '', op: opsFor(kind)[0]!, value: kind === 'method' ? 'POST' : '' };
}

export function newAction(type: ActionForm['type']): ActionForm {
  switch (type) {
    case 'notify':
      return { type, title: '{{method}} {{path}}', body: '{{event_type}} on {{endpoint}}' };
    case 'tag':
      return { type, tag: '' };
    case 'pin':
      return { type };
    case 'forward':
      return { type, url: '' };
  }
}

export function emptyRule(): RuleForm {
  return { name: '', enabled: true, match: 'all', conditions: [newCondition()], actions: [newAction('tag')] };
}

/**
 * A new rule from a link (`/rules/new?field=json:data.object.amount&op=equals&value=1200`,
 * "make a rule from this field" in the JSON tree): one condition on that field, named after it.
 * Null when the link names no field the builder knows.
 */
export function ruleFromQuery(q: URLSearchParams): RuleForm | null {
  const field = q.get('field');
  if (!field) return null;
  const { kind, arg } = splitField(field);
  if (kind !== field.split(':')[0]) return null;
  const op = q.get('op') as OpChoice | null;
  const c = withKind({ kind, arg, op: op ?? 'equals', value: q.get('value') ?? '' }, kind);
  if (!needsValue(c.op)) c.value = '';
  const label = arg || FIELDS.find((f) => f.kind === kind)!.label;
  const name = needsValue(c.op) ? `${label} ${OP_LABELS[c.op]} ${c.value}` : `${label} ${OP_LABELS[c.op]}`;
  return { ...emptyRule(), name: name.length > 80 ? name.slice(0, 79) + '…' : name, conditions: [c] };
}

/** Keeps the operator when it still fits a newly picked field, else takes the field's first. */
export function withKind(c: ConditionForm, kind: FieldKind): ConditionForm {
  const ops = opsFor(kind);
  const choices = choicesFor(kind);
  return {
    kind,
    arg: kind === 'header' || kind === 'query' || kind === 'json' ? c.arg : '',
    op: ops.includes(c.op) ? c.op : ops[0]!,
    value: choices && !choices.includes(c.value) ? choices[0]! : c.value,
  };
}

function splitField(field: string): { kind: FieldKind; arg: string } {
  const colon = field.indexOf(':');
  if (colon > 0) {
    const kind = field.slice(0, colon);
    if (kind === 'header' || kind === 'query' || kind === 'json') return { kind, arg: field.slice(colon + 1) };
  }
  const kind = FIELDS.find((f) => f.kind === field && !f.arg)?.kind;
  // The engine refuses unknown fields, so a stored rule only has known ones.
  return { kind: kind ?? 'path', arg: '' };
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function toForm(rule: Rule): RuleForm {
  return {
    name: rule.name,
    enabled: rule.enabled ?? true,
    match: rule.match ?? 'all',
    conditions: rule.conditions.map((c) => {
      const { kind, arg } = splitField(c.field);
      const raw = c.value as unknown;
      const op: OpChoice = c.op === 'exists' && raw === false ? 'missing' : c.op;
      return { kind, arg, op, value: needsValue(op) ? valueText(raw) : '' };
    }),
    actions: rule.actions.map((a) => ({ ...a }) as ActionForm),
  };
}

export function toSpec(f: RuleForm): RuleSpec {
  const conditions: Condition[] = f.conditions.map((c) => {
    const field = c.kind === 'header' || c.kind === 'query' || c.kind === 'json' ? `${c.kind}:${c.arg.trim()}` : c.kind;
    let value: unknown;
    if (c.op === 'missing') value = false;
    else if (c.op === 'exists') value = null;
    else if (isNumeric(c.op) || (c.kind === 'size' && /^\s*-?\d+(\.\d+)?\s*$/.test(c.value))) value = Number(c.value);
    else if (c.kind === 'duplicate') value = c.value === 'true';
    else value = c.value;
    const op: ConditionOp = c.op === 'missing' ? 'exists' : c.op;
    return { field, op, value: value as Condition['value'] };
  });
  const actions: RuleAction[] = f.actions.map((a) => {
    switch (a.type) {
      case 'notify':
        return { type: 'notify', title: a.title, body: a.body };
      case 'tag':
        return { type: 'tag', tag: a.tag.trim() };
      case 'pin':
        return { type: 'pin' };
      case 'forward':
        return { type: 'forward', url: a.url.trim() };
    }
  });
  return { name: f.name.trim(), enabled: f.enabled, match: f.match, conditions, actions };
}

/** Problems by field key (`name`, `conditions.0.value`, `actions.1.url`…); empty when it can be sent. */
export function validate(f: RuleForm): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!f.name.trim()) errors.name = 'Give the rule a name, e.g. “Large Stripe charges”';
  if (f.conditions.length === 0) errors.conditions = 'Add at least one condition';
  f.conditions.forEach((c, i) => {
    const key = `conditions.${i}`;
    if ((c.kind === 'header' || c.kind === 'query' || c.kind === 'json') && !c.arg.trim())
      errors[`${key}.arg`] = c.kind === 'json' ? 'Which field, e.g. data.object.amount' : `Which ${c.kind}, e.g. ${c.kind === 'header' ? 'X-GitHub-Event' : 'mode'}`;
    if (!needsValue(c.op)) return;
    if (isNumeric(c.op) || c.kind === 'size') {
      if (!/^\s*-?\d+(\.\d+)?\s*$/.test(c.value)) errors[`${key}.value`] = 'A number';
    } else if (c.op === 'regex') {
      try {
        new RegExp(c.value);
      } catch {
        errors[`${key}.value`] = 'Not a valid regular expression';
      }
      if (!c.value) errors[`${key}.value`] = 'A pattern';
    } else if (c.value === '' && c.op !== 'equals' && c.op !== 'not_equals') {
      errors[`${key}.value`] = 'A value to compare with';
    }
  });
  if (f.actions.length === 0) errors.actions = 'Add at least one action: notify, tag, pin or forward';
  f.actions.forEach((a, i) => {
    const key = `actions.${i}`;
    if (a.type === 'notify' && !a.title.trim()) errors[`${key}.title`] = 'A summary line for the notification';
    if (a.type === 'tag' && !a.tag.trim()) errors[`${key}.tag`] = 'A tag, e.g. large-charge';
    if (a.type === 'forward') {
      let ok = false;
      try {
        const u = new URL(a.url.trim());
        ok = u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        ok = false;
      }
      if (!ok) errors[`${key}.url`] = 'An http:// or https:// URL, e.g. http://localhost:4000/audit';
    }
  });
  return errors;
}

/** The template variables, for the notify action's help. */
export const VARIABLES = [
  '{{id}}', '{{method}}', '{{path}}', '{{endpoint}}', '{{provider}}', '{{event_type}}', '{{signature}}',
  '{{duplicate}}', '{{size}}', '{{header:NAME}}', '{{query:NAME}}', '{{json:a.b}}',
];

/** A field's value on a captured request, as the engine reads it; undefined when absent. */
export function fieldValue(field: string, r: RequestJson): string | undefined {
  const { kind, arg } = field.includes(':') ? splitField(field) : { kind: field as FieldKind, arg: '' };
  switch (kind) {
    case 'endpoint':
      return r.endpoint;
    case 'method':
      return r.method;
    case 'path':
      return r.path;
    case 'provider':
      return r.provider ?? undefined;
    case 'event_type':
      return r.event_type ?? undefined;
    case 'signature':
      return r.signature?.status;
    case 'duplicate':
      return String(r.duplicate_of != null);
    case 'size':
      return String(r.size);
    case 'header': {
      const name = arg.toLowerCase();
      return r.headers.find(([n]) => n?.toLowerCase() === name)?.[1];
    }
    case 'query':
      for (const [k, v] of new URLSearchParams(r.query ?? '')) if (k === arg) return v;
      return undefined;
    case 'json': {
      if (!arg || r.body_text == null) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(r.body_text);
      } catch {
        return undefined;
      }
      const steps = arg.startsWith('/') ? arg.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) : arg.split('.');
      for (const step of steps) {
        if (Array.isArray(value)) value = /^\d+$/.test(step) ? value[Number(step)] : undefined;
        else if (value && typeof value === 'object') value = Object.prototype.hasOwnProperty.call(value, step) ? (value as Record<string, unknown>)[step] : undefined;
        else return undefined;
        if (value === undefined) return undefined;
      }
      if (value === null) return undefined;
      return typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
}

/** Fills `{{…}}` in a template from a captured request; unknown or absent fields become empty. */
export function render(template: string, r: RequestJson): string {
  let out = '';
  let rest = template;
  for (;;) {
    const start = rest.indexOf('{{');
    if (start < 0) break;
    const end = rest.indexOf('}}', start + 2);
    if (end < 0) break;
    out += rest.slice(0, start);
    const name = rest.slice(start + 2, end).trim();
    const known = name === 'id' || FIELDS.some((f) => (f.arg ? name.startsWith(f.kind + ':') && name.length > f.kind.length + 1 : name === f.kind));
    out += name === 'id' ? r.id : known ? (fieldValue(name, r) ?? '') : '';
    rest = rest.slice(end + 2);
  }
  return out + rest;
}

/** One line about what a rule does, for the list. */
export function describe(rule: RuleSpec): string {
  const when = rule.conditions
    .map((c) => {
      const op = c.op === 'exists' && (c.value as unknown) === false ? 'missing' : c.op;
      return needsValue(op) ? `${c.field} ${OP_LABELS[op]} ${valueText(c.value)}` : `${c.field} ${OP_LABELS[op]}`;
    })
    .join(rule.match === 'any' ? ' or ' : ' and ');
  const then = rule.actions
    .map((a) => (a.type === 'tag' ? `tag ${a.tag}` : a.type === 'forward' ? `forward to ${a.url}` : a.type))
    .join(', ');
  return `when ${when || 'always'} → ${then}`;
}
