// stop: stops the environment's running release (DEMO_ENV_DIR), or with --all every environment
// under ./.aibrain/envs (run it from the workspace: `node examples/demo-app/scripts/stop.mjs --all`).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { stopService } from './lib/service.mjs';
import { readSettings, runScript } from './lib/settings.mjs';

async function stop(settings) {
  const stopped = await stopService(settings);
  console.log(stopped ? `stopped ${stopped.version} in ${settings.environment} (pid ${stopped.pid})` : `nothing runs in ${settings.envDir}`);
}

await runScript(async () => {
  if (!process.argv.includes('--all')) return stop(readSettings());
  const root = path.resolve('.aibrain', 'envs');
  const envs = existsSync(root) ? readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()) : [];
  if (envs.length === 0) console.log(`no environments in ${root}`);
  for (const env of envs) await stop(readSettings({ DEMO_ENV_DIR: path.join(root, env.name) }));
});
