/**
 * A TypeScript entry point run in its own Node process, as the benchmark's stand-ins for remote services
 * (the API, Grafana's server) are: their CPU work then neither stalls the plugin's event loop nor counts as its time.
 */
import { ChildProcess, spawn } from 'node:child_process';

export interface Child {
  /** The first match of `ready` in the child's output. */
  ready: RegExpExecArray;
  process: ChildProcess;
}

/**
 * Starts `main` with tsx and resolves once its standard output matches `ready`. `input` is written to the child's
 * standard input, which then stays open: a child that watches it ends with the benchmark even if this one crashes.
 */
export function startChild(main: string, args: string[], ready: RegExp, input?: string): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (input !== undefined) {
    child.stdin!.write(input);
  }
  return new Promise<Child>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = ready.exec(out);
      if (m) {
        // Later output is not needed; keep draining it so the child never blocks on a full pipe.
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ ready: m, process: child });
      }
    });
    child.once('exit', (code) => reject(new Error(`${main} exited (${code}) before it was ready`)));
  });
}
