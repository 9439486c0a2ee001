import { splitStatements } from './dist/src/guardrails/sql/split-statements.js';
import fs from 'node:fs';
const t = fs.readFileSync(process.argv[2], 'utf8');
const r = splitStatements(t, process.argv[3] ?? 'mysql');
for (const s of r.statements) console.log(JSON.stringify(t.slice(s.start, s.end).slice(0, 70)), s.words);
