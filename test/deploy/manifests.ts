/**
 * Helpers of the deploy tests: render a kustomize overlay with the machine's kubectl (installed by
 * `make k8s-tools` when missing), validate objects against the Kubernetes schemas of the
 * `kubernetes-models` package (KEDA's from `@kubernetes-models/keda`), and match pod labels
 * against selectors the way the API server does.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const ROOT = join(__dirname, '..', '..');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- arbitrary manifests, checked field by field
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export function kubectl(): string {
  const bin = process.env.KUBECTL ?? 'kubectl';
  try {
    execFileSync(bin, ['version', '--client'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      `${bin} not found: run \`make k8s-tools\` (installs Debian's kubernetes-client)`,
    );
  }
  return bin;
}

export function render(dir: string): K8sObject[] {
  const out = execFileSync(kubectl(), ['kustomize', join(ROOT, dir)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

type Model = new (data: unknown) => { validate(): void };

/** The model class of a built-in kind, e.g. apps/v1 Deployment → kubernetes-models/apps/v1/Deployment. */
export function modelOf(apiVersion: string, kind: string): Model | undefined {
  const candidates = apiVersion.startsWith('keda.sh/')
    ? [`@kubernetes-models/keda/${apiVersion}/${kind}`]
    : [`kubernetes-models/${apiVersion}/${kind}`];
  for (const path of candidates) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is chosen by apiVersion
      const mod = require(path) as Record<string, Model>;
      if (mod[kind]) return mod[kind];
    } catch {
      // not a kind these packages know
    }
  }
  return undefined;
}

export interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

export function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}))
    if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'In' && !(has && e.values?.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values?.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The apps of apps/ with the port each listens on by default (env.ts) and its consumer group (main.ts). */
export function appsOfRepo(): { name: string; port: number; groupId?: string }[] {
  return readdirSync(join(ROOT, 'apps')).map((name) => {
    const envTs = readFileSync(join(ROOT, 'apps', name, 'src', 'env.ts'), 'utf8');
    const mainTs = readFileSync(join(ROOT, 'apps', name, 'src', 'main.ts'), 'utf8');
    const port = Number(/PORT: env\.port\((\d+)\)/.exec(envTs)?.[1]);
    const groupId = /groupId: '([^']+)'/.exec(mainTs)?.[1];
    return { name, port, groupId };
  });
}

/** Metric names the code registers (Metrics.counter/histogram/gauge calls and the shared names). */
export function registeredMetricNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/\.(?:counter|histogram|gauge)\(\s*'([a-z_:][a-z0-9_:]*)'/g))
          names.add(m[1]);
        for (const m of text.matchAll(/metric:\s*'([a-z_:][a-z0-9_:]*)'/g)) names.add(m[1]);
      }
    }
  };
  walk(join(ROOT, 'apps'));
  walk(join(ROOT, 'libs'));
  return names;
}
