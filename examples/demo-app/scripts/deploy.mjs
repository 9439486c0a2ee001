// deploy: stops the environment's running release and starts VERSION on PORT.
import { startService, stopService } from './lib/service.mjs';
import { readSettings, requirePort, requireVersion, runScript } from './lib/settings.mjs';

await runScript(async () => {
  const settings = readSettings();
  const version = requireVersion(settings);
  const port = requirePort(settings);
  const stopped = await stopService(settings);
  if (stopped) console.log(`stopped ${stopped.version} (pid ${stopped.pid})`);
  const started = await startService(settings, version, port);
  console.log(`deployed ${version} to ${settings.environment}: http://127.0.0.1:${port} (pid ${started.pid})`);
});
