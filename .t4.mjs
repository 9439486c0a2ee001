import { scanSqlText, formatViolations } from './dist/src/guardrails/index.js';
import fs from 'node:fs';
const f = await scanSqlText(fs.readFileSync(process.argv[2],'utf8'), process.argv[2]);
for (const x of f) console.log(x.line, x.rule, x.severity, x.suppressed, x.statement);
