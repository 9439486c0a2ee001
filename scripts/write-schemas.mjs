// npm run schema: writes the JSON Schemas editors and stream readers use into schema/ (from the
// zod schemas the loaders use, so they cannot drift; a test compares the committed files).
import { writeFileSync } from 'node:fs';
import { queueJsonSchema } from '../dist/src/queue/queue-json-schema.js';
import { projectJsonSchema } from '../dist/src/agents/deploy/project-config-schema.js';
import { contractJsonSchema } from '../dist/src/gates/contract.js';
import { runEventsJsonSchema } from '../dist/src/cli/view/run-events-schema.js';

const schemas = {
  'work-queue.schema.json': queueJsonSchema(),
  'project.schema.json': projectJsonSchema(),
  'contract.schema.json': contractJsonSchema(),
  'run-events.schema.json': runEventsJsonSchema(),
};
for (const [name, schema] of Object.entries(schemas)) writeFileSync(new URL(`../schema/${name}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
console.log(`wrote ${Object.keys(schemas).map((n) => `schema/${n}`).join(', ')}`);
