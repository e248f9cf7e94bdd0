/**
 * Grafana's data source proxy for the benchmark, in its own process (proxyMain.ts): in Grafana the proxy is the
 * server, apart from the browser where the plugin runs, so its copying of large answers is not the plugin's time.
 */
import { join } from 'node:path';

import type { DevProxyOptions } from '../proxy/devProxy';
import { startChild } from './child';

export interface RemoteProxy {
  /** What Grafana gives a proxy-mode data source as `instanceSettings.url`. */
  proxyBase: string;
  close(): void;
}

export async function startRemoteProxy(opts: DevProxyOptions): Promise<RemoteProxy> {
  const { ready, process: child } = await startChild(
    join(__dirname, 'proxyMain.ts'),
    [],
    /listening on (http:\/\/\S+)/,
    `${JSON.stringify(opts)}\n`
  );
  return {
    proxyBase: ready[1],
    close: () => {
      child.kill('SIGTERM');
    },
  };
}
