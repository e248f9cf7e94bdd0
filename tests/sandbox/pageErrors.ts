/** What went wrong on a sandbox page, for the browser tests. */
import type { Page } from '@playwright/test';

/** Uncaught errors, console errors and failed requests of the page, from now on. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    // The browser's own line for a failed request names no address: the response handler below does.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      errors.push(`console: ${msg.text()}`);
    }
  });
  page.on('response', (r) => {
    // Grafana's own fonts and images are not part of the sandbox; everything else must load.
    const grafanaStatic = /^\/public\/(fonts|build)\//.test(new URL(r.url()).pathname);
    if (r.status() >= 400 && !grafanaStatic) {
      errors.push(`HTTP ${r.status()}: ${r.request().method()} ${new URL(r.url()).pathname}`);
    }
  });
  return errors;
}
