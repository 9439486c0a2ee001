// rollback: brings VERSION back (building its release again if it is gone) and starts it on PORT.
// Migrations are not touched here: `migrate.mjs down` undoes them.
import { buildRelease, isBuilt } from './lib/release.mjs';
import { startService, stopService } from './lib/service.mjs';
import { readSettings, requirePort, requireVersion, runScript } from './lib/settings.mjs';

await runScript(async () => {
  const settings = readSettings();
  const version = requireVersion(settings);
  const port = requirePort(settings);
  if (!isBuilt(settings, version)) {
    buildRelease(settings, version);
    console.log(`rebuilt ${version}`);
  }
  const stopped = await stopService(settings);
  if (stopped) console.log(`stopped ${stopped.version} (pid ${stopped.pid})`);
  const started = await startService(settings, version, port);
  console.log(`rolled ${settings.environment} back to ${version}: http://127.0.0.1:${port} (pid ${started.pid})`);
});
