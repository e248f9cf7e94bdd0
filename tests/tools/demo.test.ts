/**
 * @jest-environment node
 *
 * The demo (`npm run server`, docker-compose.yaml) as Docker Compose would resolve it, without Docker: what is
 * published where, what runs in the simulator container, and what a real admin key changes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';

import { grafanaLines } from '../sandbox/grafana/lines';

const ROOT = resolve(__dirname, '../..');
const PLUGIN_ID = 'aiusage-openai-datasource';

/** Compose's merge tags: `!override` replaces what `extends` brings, `!reset` removes it. */
const tagged = (tag: string) =>
  ['sequence', 'mapping', 'scalar'].map(
    (kind) =>
      new yaml.Type(tag, {
        kind: kind as 'sequence' | 'mapping' | 'scalar',
        construct: (data: unknown) => ({ [tag]: data }),
      })
  );
const COMPOSE_SCHEMA = yaml.DEFAULT_SCHEMA.extend([...tagged('!override'), ...tagged('!reset')]);

type Service = Record<string, any>;

function readCompose(path: string): { services: Record<string, Service> } {
  return yaml.load(readFileSync(join(ROOT, path), 'utf8'), { schema: COMPOSE_SCHEMA }) as {
    services: Record<string, Service>;
  };
}

/** Compose's `${VAR}`, `${VAR:-default}` and `${VAR:+replacement}`, nested ones included. */
function interpolate(text: string, env: Record<string, string>): string {
  let out = text;
  for (let previous = ''; previous !== out;) {
    previous = out;
    out = out.replace(/\$\{(\w+)(?:(:-|:\+)([^{}]*))?\}/g, (_, name: string, op?: string, word?: string) => {
      const value = env[name] ?? '';
      if (op === ':-') {
        return value || (word ?? '');
      }
      if (op === ':+') {
        return value ? (word ?? '') : '';
      }
      return value;
    });
  }
  return out;
}

/** The grafana service after `extends`, with `!override` applied, for the given environment. */
function grafanaService(env: Record<string, string>): Service {
  const root = readCompose('docker-compose.yaml').services.grafana;
  const base = readCompose('.config/docker-compose-base.yaml').services.grafana;
  const merged: Service = { ...base };
  for (const [key, value] of Object.entries(root)) {
    if (key === 'extends') {
      continue;
    }
    if (value && typeof value === 'object' && '!override' in value) {
      merged[key] = value['!override'];
    } else if (key === 'build') {
      merged.build = { ...base.build, ...value, args: { ...base.build?.args, ...value.args } };
    } else {
      merged[key] = value;
    }
  }
  return JSON.parse(interpolate(JSON.stringify(merged), env));
}

const KEY = 'sk-admin-0123456789abcdefABCDEF';

function mountOf(service: Service, target: string): string | undefined {
  const volume = (service.volumes as string[]).find((v) => v.split(':')[1] === target);
  return volume?.split(':')[0];
}

function envFile(service: Service): Record<string, string> {
  const files = service.env_file as string[];
  expect(files).toHaveLength(1);
  const vars: Record<string, string> = {};
  for (const line of readFileSync(join(ROOT, files[0]), 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) {
      vars[m[1]] = m[2];
    }
  }
  return vars;
}

function provisionedNames(service: Service): string[] {
  const datasources = (service.volumes as string[])
    .map((v) => v.split(':'))
    .filter(([, target]) => target.startsWith('/etc/grafana/provisioning/datasources/'));
  return datasources.flatMap(([source]) => {
    const file = yaml.load(readFileSync(join(ROOT, source), 'utf8')) as { datasources: Array<{ name: string }> };
    return file.datasources.map((d) => d.name);
  });
}

describe('the demo (docker-compose.yaml)', () => {
  it('publishes Grafana and the simulator on this computer only', () => {
    for (const env of [{}, { OPENAI_ADMIN_KEY: KEY }] as Array<Record<string, string>>) {
      expect(grafanaService(env).ports).toEqual(['127.0.0.1:3000:3000/tcp']);
    }
    const simulator = readCompose('docker-compose.yaml').services.simulator;
    for (const port of simulator.ports as string[]) {
      expect(port).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('starts the newest Grafana the browser tests verify, and GRAFANA_VERSION picks another', () => {
    const newest = grafanaLines().at(-1)!;
    expect(newest.name.startsWith('13.')).toBe(true);
    expect(grafanaService({}).build.args.grafana_version).toBe(newest.grafana);
    expect(grafanaService({ GRAFANA_VERSION: '12.4.10' }).build.args.grafana_version).toBe('12.4.10');
    // The image is create-plugin's, from its Dockerfile: grafana/<GRAFANA_IMAGE>.
    expect(grafanaService({}).build.args.grafana_image).toBe('grafana-enterprise');
    expect(grafanaService({ GRAFANA_IMAGE: 'grafana' }).build.args.grafana_image).toBe('grafana');
  });

  it('provisions the real organization and turns anonymous access off only when a key is given', () => {
    const demo = grafanaService({});
    expect(provisionedNames(demo)).toEqual(['OpenAI (simulator)']);
    expect(envFile(demo).GF_AUTH_ANONYMOUS_ENABLED).toBeUndefined();

    const withKey = grafanaService({ OPENAI_ADMIN_KEY: KEY });
    expect(provisionedNames(withKey)).toEqual(['OpenAI (simulator)', 'OpenAI']);
    expect(envFile(withKey).GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(withKey.environment.OPENAI_ADMIN_KEY).toBe(KEY);
    // The key reaches Grafana's encrypted store through provisioning, never a file or a path of the compose file.
    const { datasources } = yaml.load(
      readFileSync(join(ROOT, mountOf(withKey, '/etc/grafana/provisioning/datasources/openai.yml')!), 'utf8')
    ) as { datasources: Array<{ secureJsonData: Record<string, string>; jsonData: object }> };
    expect(datasources[0].secureJsonData.adminApiKey).toBe('$OPENAI_ADMIN_KEY');
    expect(JSON.stringify(withKey.volumes)).not.toContain(KEY);
  });

  it('mounts the plugin and the provisioning files, never the whole provisioning folder', () => {
    const demo = grafanaService({});
    expect(mountOf(demo, `/var/lib/grafana/plugins/${PLUGIN_ID}`)).toBe('./dist');
    expect(mountOf(demo, '/etc/grafana/provisioning')).toBeUndefined();
    expect(mountOf(demo, '/etc/grafana/provisioning/dashboards')).toBe('./provisioning/dashboards');
  });

  it('runs the simulator from its own image, not from the checkout', () => {
    const simulator = readCompose('docker-compose.yaml').services.simulator;
    expect(simulator.volumes).toBeUndefined();
    expect(simulator.image).toBeUndefined();
    expect(simulator.build).toEqual({ context: '.', dockerfile: 'tests/simulator/Dockerfile' });
    expect(JSON.stringify(simulator.command)).not.toMatch(/npx|tsx|node_modules/);

    const dockerfile = readFileSync(join(ROOT, 'tests/simulator/Dockerfile'), 'utf8');
    const ignore = readFileSync(join(ROOT, 'tests/simulator/Dockerfile.dockerignore'), 'utf8');
    expect(ignore).toMatch(/^\*$/m);
    expect(ignore).toMatch(/^\*\*\/node_modules$/m);
    // The final stage holds the bundle only.
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/COPY --from=build \/simulator\/simulator\.js/);
    expect(final).not.toMatch(/node_modules|npm |npx /);
  });

  it("builds a simulator bundle that answers with nothing but Node (the image's build command)", async () => {
    const dockerfile = readFileSync(join(ROOT, 'tests/simulator/Dockerfile'), 'utf8');
    const command = /npx --yes "esbuild@\$\{ESBUILD_VERSION\}" (.+) --outfile=(\S+)/.exec(dockerfile);
    expect(command).not.toBeNull();
    const out = mkdtempSync(join(tmpdir(), 'simulator-image-'));
    try {
      const bundle = join(out, 'simulator.js');
      execFileSync(
        join(ROOT, 'node_modules/.bin/esbuild'),
        [...command![1].split(/\s+/), `--outfile=${bundle}`, '--log-level=warning'],
        { cwd: ROOT }
      );
      // Run from an empty folder: no node_modules anywhere above it to fall back on.
      const child = spawn(process.execPath, [bundle, '--host', '127.0.0.1', '--port', '0'], { cwd: out });
      try {
        const url = await new Promise<string>((resolveUrl, reject) => {
          let output = '';
          child.stdout.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            const m = /listening on (http:\/\/\S+)/.exec(output);
            if (m) {
              resolveUrl(m[1]);
            }
          });
          child.on('exit', (code) => reject(new Error(`simulator exited with ${code}: ${output}`)));
        });
        const res = await fetch(`${url}/v1/organization/projects?limit=1`, {
          headers: { authorization: 'Bearer sk-admin-sim-full' },
        });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(1);
      } finally {
        child.kill();
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
