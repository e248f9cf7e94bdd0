/**
 * Command line entry of the OpenAI Admin API simulator (`npm run sim -- --port 8787`).
 * Flags: --port, --host, --seed, --org <small|large|projects,users,keys>, --latency-ms, --jitter-ms,
 * --rate-limit <capacity>/<refillPerSec>, --now <unix|ISO>. SIM_ORG sets --org's default.
 */
import { DEMO_KEYS, LARGE_ORG, ORG_ID, startSimulator, type OrgSize, type SimulatorOptions } from './server';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function parseNow(raw: string): number {
  if (/^\d+$/.test(raw)) {
    return Number(raw);
  }
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) {
    fail(`--now: expected unix seconds or an ISO date, got '${raw}'`);
  }
  return Math.floor(ms / 1000);
}

function parseNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    fail(`${flag}: expected a non-negative number, got '${raw}'`);
  }
  return n;
}

/** `small` (the default), `large` (LARGE_ORG) or `<projects>,<users>,<keys>`. */
function parseOrg(flag: string, raw: string): OrgSize | undefined {
  if (raw === 'small') {
    return undefined;
  }
  if (raw === 'large') {
    return LARGE_ORG;
  }
  const m = /^(\d+),(\d+),(\d+)$/.exec(raw);
  if (!m) {
    fail(`${flag}: expected small, large or <projects>,<users>,<keys> (e.g. 50,1000,3000), got '${raw}'`);
  }
  // The organization checks the size itself.
  return { projects: Number(m[1]), users: Number(m[2]), keys: Number(m[3]) };
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): SimulatorOptions {
  const opts: SimulatorOptions = {
    port: env.SIM_PORT ? parseNumber('SIM_PORT', env.SIM_PORT) : 8787,
    host: env.SIM_HOST || '127.0.0.1',
    faults: {},
    org: env.SIM_ORG ? parseOrg('SIM_ORG', env.SIM_ORG) : undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) {
        fail(`${flag} needs a value`);
      }
      return v;
    };
    switch (flag) {
      case '--port':
        opts.port = parseNumber(flag, value());
        break;
      case '--host':
        opts.host = value();
        break;
      case '--seed':
        opts.seed = parseNumber(flag, value());
        break;
      case '--org':
        opts.org = parseOrg(flag, value());
        break;
      case '--latency-ms':
        opts.faults!.latencyMs = parseNumber(flag, value());
        break;
      case '--jitter-ms':
        opts.faults!.jitterMs = parseNumber(flag, value());
        break;
      case '--rate-limit': {
        const m = /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(value());
        if (!m) {
          fail('--rate-limit: expected <capacity>/<refillPerSec>, e.g. 20/5');
        }
        opts.faults!.rateLimit = { capacity: Number(m[1]), refillPerSec: Number(m[2]) };
        break;
      }
      case '--now':
        opts.now = parseNow(value());
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          'Usage: npm run sim -- [--port 8787] [--host 127.0.0.1] [--seed 42] [--org small|large|P,U,K] [--latency-ms N] [--jitter-ms N] [--rate-limit cap/perSec] [--now unix|ISO]\n'
        );
        process.exit(0);
        break;
      default:
        fail(`unknown flag: ${arg}`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  const sim = await startSimulator(parseArgs(process.argv.slice(2), process.env));
  const lines = [
    `OpenAI Admin API simulator listening on ${sim.url} (organization ${ORG_ID})`,
    `Organization: ${sim.org.projects.length} projects, ${sim.org.users.length} users, ${sim.org.projectApiKeys.length} API keys`,
    `Base URL for the data source: ${sim.url}/v1`,
    'Admin keys:',
    ...Object.entries(DEMO_KEYS).map(([k, v]) => `  ${k.padEnd(26)} ${v.description}`),
    `Clock: ${new Date(sim.now() * 1000).toISOString()}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    process.stdout.write(`${signal}: stopping simulator\n`);
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => fail(`simulator failed to start: ${e instanceof Error ? e.message : String(e)}`));
