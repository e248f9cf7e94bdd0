/**
 * The simulator in its own process, driven through its /__sim control endpoints. In the benchmark's process
 * its CPU work (computing months of usage per request) would stall the plugin's event loop and be counted as
 * the plugin's time; in its own process it behaves like the remote API it stands for.
 */
import { join } from 'node:path';

import type { Faults, SimulatorStats } from '../simulator/server';
import { startChild } from './child';

export interface RemoteSimulator {
  url: string;
  stats(): Promise<SimulatorStats>;
  /** Also empties the request log and counters. */
  resetStats(): Promise<void>;
  configure(f: Partial<Faults> & { now?: number }): Promise<void>;
  close(): void;
}

async function control(url: string, path: string, method: 'GET' | 'POST', body?: unknown): Promise<unknown> {
  const send = () => fetch(`${url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  // After a long synchronous measurement the kept-alive socket may have been closed by the simulator unnoticed;
  // the control calls are idempotent, so one more try on a new socket is safe.
  const res = await send().catch(send);
  if (!res.ok) {
    throw new Error(`simulator ${path}: HTTP ${res.status}`);
  }
  return res.json();
}

/** `args` adds command-line flags of the simulator, e.g. `--org large`. */
export async function startRemoteSimulator(now: number, args: string[] = []): Promise<RemoteSimulator> {
  const main = join(__dirname, '..', 'simulator', 'main.ts');
  const { ready, process: child } = await startChild(
    main,
    ['--port', '0', '--now', String(now), ...args],
    /listening on (http:\/\/\S+)/
  );
  const url = ready[1];
  // Faults set through /__sim/config persist; /__sim/reset would restore the start-up ones, so stats are
  // cleared by remembering the faults and applying them again after the reset.
  let faults: Partial<Faults> & { now?: number } = { now };
  return {
    url,
    stats: () => control(url, '/__sim/stats', 'GET') as Promise<SimulatorStats>,
    async resetStats() {
      await control(url, '/__sim/reset', 'POST');
      await control(url, '/__sim/config', 'POST', faults);
    },
    async configure(f) {
      faults = { ...faults, ...f };
      await control(url, '/__sim/config', 'POST', f);
    },
    close: () => child.kill('SIGTERM'),
  };
}
