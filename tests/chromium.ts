/**
 * Chromium launch options shared by the Playwright configs (playwright.config.ts and the sandbox's).
 *
 * A system Chromium, where installed, is used instead of Playwright's own browser (which cannot always be
 * downloaded), with the flags it needs to start headless without network access; otherwise this is undefined
 * and Playwright launches its own.
 */
import type { LaunchOptions } from '@playwright/test';
import { existsSync } from 'node:fs';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export const chromiumLaunchOptions: LaunchOptions | undefined = existsSync(SYSTEM_CHROMIUM)
  ? {
      executablePath: SYSTEM_CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }
  : undefined;
