// stop: stops the environment's running release.
import { stopService } from './lib/service.mjs';
import { readSettings, runScript } from './lib/settings.mjs';

await runScript(async () => {
  const settings = readSettings();
  const stopped = await stopService(settings);
  console.log(stopped ? `stopped ${stopped.version} (pid ${stopped.pid})` : `nothing runs in ${settings.envDir}`);
});
