// Generates src/lib/api-types.ts from the engine's OpenAPI document, which `hooklens openapi`
// prints (no server needed): the schemas' types, and the live stream's event names as a value
// (`liveEventNames`, from the LiveEvent schema), since a type alone cannot be listened to.
// With --check, fails when the committed file differs instead of writing it, so `make test`
// catches types that drifted from the Rust side.
//
//   node scripts/gen-types.mjs [--check]     HOOKLENS_BIN=path/to/hooklens (default: the debug build)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const bin = process.env.HOOKLENS_BIN ?? here('../../target/debug/hooklens');
const out = here('../src/lib/api-types.ts');

let spec;
try {
  spec = JSON.parse(execFileSync(bin, ['openapi'], { encoding: 'utf8' }));
} catch (e) {
  console.error(`cannot read the OpenAPI document from \`${bin} openapi\`: ${e.message}\n` +
    'build it first (cargo build -p hooklens-cli) or set HOOKLENS_BIN');
  process.exit(1);
}
const header = '// Generated from the engine\'s OpenAPI document by scripts/gen-types.mjs. Do not edit:\n' +
  '// run `make ui-types` after changing the API.\n\n';
const liveEvents = spec.components?.schemas?.LiveEvent?.oneOf ?? [];
const liveNames = liveEvents.map((variant) => variant.properties?.event?.enum?.[0]);
if (liveNames.length === 0 || liveNames.some((name) => typeof name !== 'string')) {
  console.error('the OpenAPI document has no LiveEvent schema with one `event` name per variant');
  process.exit(1);
}
const text = header + astToString(await openapiTS(spec, { alphabetize: true })) +
  '\n/** The live stream\'s event names, in the order of the LiveEvent schema. */\n' +
  `export const liveEventNames = ${JSON.stringify(liveNames)} as const;\n`;

if (process.argv.includes('--check')) {
  let committed = '';
  try { committed = readFileSync(out, 'utf8'); } catch { /* missing counts as different */ }
  if (committed !== text) {
    console.error('ui/src/lib/api-types.ts does not match the engine\'s OpenAPI document: run `make ui-types` and commit it');
    process.exit(1);
  }
  console.log('api-types.ts matches the OpenAPI document');
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
