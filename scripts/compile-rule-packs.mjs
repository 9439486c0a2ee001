// After tsc: the shipped rule packs (guardrails/*.yaml), read and checked once, written as JSON
// beside the module that loads them, so a scan starts without the YAML reader and the schema
// library. The JSON names each pack's content hash; a pack changed since is read from YAML.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { compileRulePacks } = await import(path.join(root, 'dist/src/guardrails/rule-pack-file.js'));
const { COMPILED_RULES } = await import(path.join(root, 'dist/src/guardrails/rule-pack.js'));
const compiled = compileRulePacks(path.join(root, 'guardrails'));
writeFileSync(COMPILED_RULES, `${JSON.stringify(compiled)}\n`);
