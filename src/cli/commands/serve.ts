import { startConsole } from '../../console/serve-console.js';

/** `serve`: the web console, until Ctrl-C (or SIGTERM); says where it listens. */
export async function serveCommand(opts: { root: string; host: string; port: number }): Promise<void> {
  const running = await startConsole(opts);
  const local = opts.host === '127.0.0.1' || opts.host === 'localhost' || opts.host === '::1';
  process.stdout.write(
    `console listening on ${running.url} (${local ? 'only this machine; --host to listen elsewhere' : `reachable from other machines on ${opts.host}: put TLS in front of it`})\n` +
      `log in with a token: 'autonomous-loop token create --for <name>'; Ctrl-C stops it\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
  process.stdout.write('console stopped\n');
}
