// build: assembles the release VERSION into DEMO_ENV_DIR/releases/VERSION/.
import { buildRelease } from './lib/release.mjs';
import { readSettings, requireVersion, runScript } from './lib/settings.mjs';

await runScript(() => {
  const settings = readSettings();
  const dir = buildRelease(settings, requireVersion(settings));
  console.log(`built ${settings.version} in ${dir}`);
});
