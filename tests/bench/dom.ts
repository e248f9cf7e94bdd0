/**
 * Browser globals for @grafana/data and @grafana/runtime, which expect a DOM even when only their data helpers
 * are used. Import this before anything from @grafana/* (the benchmark imports the harness dynamically after it).
 */
import Module from 'node:module';

import { JSDOM } from 'jsdom';

export function installDom(): void {
  if (typeof (globalThis as { window?: unknown }).window !== 'undefined') {
    return;
  }
  process.env.TZ = 'UTC';
  // @grafana/ui (reached through the data source's imports) requires stylesheets, as webpack would load them.
  const extensions = (Module as unknown as { _extensions: Record<string, (m: unknown) => void> })._extensions;
  for (const ext of ['.css', '.scss']) {
    extensions[ext] = () => {};
  }
  const dom = new JSDOM('<!doctype html><html><body></body></html>', { url: 'http://localhost/' });
  const win = dom.window as unknown as Record<string, unknown>;
  const g = globalThis as unknown as Record<string, unknown>;
  // Like jsdom-global: every window property Node lacks becomes a global; Node's own (fetch, timers) stay.
  for (const key of Object.getOwnPropertyNames(win)) {
    if (!(key in g)) {
      g[key] = win[key];
    }
  }
  // DOM code dispatches its events to the window, which accepts only jsdom's own event classes.
  for (const key of ['Event', 'CustomEvent', 'EventTarget']) {
    g[key] = win[key];
  }
  g.window = win;
  g.devicePixelRatio = 1;
  g.matchMedia = () => ({
    matches: false,
    addListener() {},
    removeListener() {},
    addEventListener() {},
    removeEventListener() {},
  });
  (win as Record<string, unknown>).matchMedia = g.matchMedia;
  g.requestAnimationFrame ??= (cb: (t: number) => void) => setTimeout(() => cb(Date.now()), 16);
  g.cancelAnimationFrame ??= (id: ReturnType<typeof setTimeout>) => clearTimeout(id);
}
