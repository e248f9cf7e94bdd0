/**
 * The dev proxy as a process of its own, as Grafana's data source proxy runs in the Grafana server and not in
 * the browser beside the plugin. Its options (DevProxyOptions, keys included) arrive as one JSON line on
 * standard input, kept out of the process list; it stops when standard input closes.
 */
import { DevProxyOptions, startDevProxy } from '../proxy/devProxy';

/** Reads the first line of standard input without ending the stream, which must stay open. */
function readOptions(): Promise<DevProxyOptions> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const newline = text.indexOf('\n');
      if (newline !== -1) {
        process.stdin.off('data', onData);
        process.stdin.off('end', onEnd);
        resolve(JSON.parse(text.slice(0, newline)) as DevProxyOptions);
      }
    };
    const onEnd = () => reject(new Error('no options on standard input'));
    process.stdin.on('data', onData);
    process.stdin.on('end', onEnd);
  });
}

async function main(): Promise<void> {
  const proxy = await startDevProxy(await readOptions());
  process.stdout.write(`dev proxy listening on ${proxy.proxyBase}\n`);
  let stopping = false;
  const stop = () => {
    if (!stopping) {
      stopping = true;
      void proxy.close().then(() => process.exit(0));
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

main().catch((e: unknown) => {
  process.stderr.write(`dev proxy failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
