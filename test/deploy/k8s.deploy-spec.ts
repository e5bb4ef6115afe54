/**
 * Every overlay of k8s/ renders with kustomize, every object is valid against the Kubernetes
 * schemas, and the project's policies hold: probes, resources, non-root and read-only pods,
 * graceful rollouts, no secret values, pinned images in prod, autoscaling on the real consumer
 * groups, the network boundaries of the issue, and one Strimzi KafkaTopic per topic of the
 * contracts with the same partitions and policy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topicConfigs } from '../../scripts/provision-topics';
import { METRIC_NAMES } from '@app/observability';
import {
  K8sObject,
  ROOT,
  appsOfRepo,
  modelOf,
  registeredMetricNames,
  render,
  selects,
} from './manifests';

const OVERLAYS = ['k8s/overlays/dev', 'k8s/overlays/prod'];
const HTTP_APPS = ['brand-api', 'messenger-gateway'];
const WORKERS = ['geofence', 'promotion-engine', 'messenger-delivery'];
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|KEYS?|_KID|DATABASE_URL|REDIS_URL)$/;

const rendered = new Map<string, K8sObject[]>();
const objectsOf = (overlay: string): K8sObject[] => {
  if (!rendered.has(overlay)) rendered.set(overlay, render(overlay));
  return rendered.get(overlay)!;
};
const ofKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: K8sObject[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name);
const podSpecOf = (o: K8sObject) =>
  o.kind === 'Job' || o.kind === 'Deployment' ? o.spec.template.spec : undefined;

describe.each(OVERLAYS)('%s', (overlay) => {
  const objs = () => objectsOf(overlay);
  const deployments = () => ofKind(objs(), 'Deployment');
  const workloads = () => objs().filter((o) => o.kind === 'Deployment' || o.kind === 'Job');

  it('renders, and every built-in and KEDA object is valid against its schema', () => {
    expect(objs().length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const o of objs()) {
      if (o.apiVersion.startsWith('kafka.strimzi.io/')) continue; // shape checked below: no published models
      const Model = modelOf(o.apiVersion, o.kind);
      if (!Model) {
        problems.push(`${o.apiVersion} ${o.kind} ${o.metadata.name}: no schema known`);
        continue;
      }
      try {
        new Model(o).validate();
      } catch (error) {
        problems.push(`${o.kind} ${o.metadata.name}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('runs every app with readiness and liveness probes, resources and a restrictive securityContext', () => {
    const problems: string[] = [];
    for (const w of workloads()) {
      const pod = podSpecOf(w);
      const at = `${w.kind} ${w.metadata.name}`;
      if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${at}: pod runAsNonRoot`);
      if (pod.securityContext?.seccompProfile?.type !== 'RuntimeDefault')
        problems.push(`${at}: seccomp RuntimeDefault`);
      if (pod.automountServiceAccountToken !== false)
        problems.push(`${at}: automountServiceAccountToken false`);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        const sc = c.securityContext ?? {};
        if (sc.readOnlyRootFilesystem !== true)
          problems.push(`${at}/${c.name}: readOnlyRootFilesystem`);
        if (sc.allowPrivilegeEscalation !== false)
          problems.push(`${at}/${c.name}: allowPrivilegeEscalation false`);
        if (sc.privileged === true) problems.push(`${at}/${c.name}: privileged`);
        if (!sc.capabilities?.drop?.includes('ALL'))
          problems.push(`${at}/${c.name}: drop ALL capabilities`);
        if (sc.capabilities?.add?.length) problems.push(`${at}/${c.name}: adds capabilities`);
        if (sc.runAsUser === 0) problems.push(`${at}/${c.name}: runs as root`);
        if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory)
          problems.push(`${at}/${c.name}: cpu and memory requests`);
        if (!c.resources?.limits?.memory) problems.push(`${at}/${c.name}: memory limit`);
        const tmp = (c.volumeMounts ?? []).find(
          (m: { mountPath: string }) => m.mountPath === '/tmp',
        );
        const vol = tmp && pod.volumes?.find((v: { name: string }) => v.name === tmp.name);
        if (!vol?.emptyDir)
          problems.push(`${at}/${c.name}: an emptyDir at /tmp (the root filesystem is read-only)`);
        if (w.kind === 'Deployment') {
          if (c.readinessProbe?.httpGet?.path !== '/health')
            problems.push(`${at}/${c.name}: readiness on /health`);
          if (!c.livenessProbe?.httpGet?.path) problems.push(`${at}/${c.name}: liveness probe`);
          if (c.livenessProbe?.httpGet?.path === '/health')
            problems.push(`${at}/${c.name}: liveness must not depend on Kafka/Redis/Postgres`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('rolls out without losing work: surge before removing, a drain delay, time to finish and commit', () => {
    for (const d of deployments()) {
      expect({
        name: d.metadata.name,
        strategy: d.spec.strategy?.rollingUpdate?.maxUnavailable,
      }).toEqual({ name: d.metadata.name, strategy: 0 });
      const pod = d.spec.template.spec;
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
      for (const c of pod.containers) expect(c.lifecycle?.preStop).toBeDefined();
    }
  });

  it('leaves the replica count of autoscaled Deployments to their autoscaler (an apply never scales a busy app down)', () => {
    const scaled = new Set([
      ...ofKind(objs(), 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name),
      ...ofKind(objs(), 'ScaledObject').map((s) => s.spec.scaleTargetRef.name),
    ]);
    for (const name of [...HTTP_APPS, ...WORKERS]) expect(scaled).toContain(name);
    for (const d of deployments())
      if (scaled.has(d.metadata.name))
        expect({ name: d.metadata.name, replicas: d.spec.replicas }).toEqual({
          name: d.metadata.name,
          replicas: undefined,
        });
  });

  it('commits no secret values: no Secret objects, secret settings only through secretKeyRef', () => {
    expect(ofKind(objs(), 'Secret')).toEqual([]);
    const problems: string[] = [];
    for (const w of workloads()) {
      for (const c of podSpecOf(w).containers) {
        for (const e of c.env ?? []) {
          if (SECRET_NAME.test(e.name) && e.value !== undefined)
            problems.push(`${w.metadata.name}: ${e.name} has a literal value`);
          if (e.valueFrom?.secretKeyRef && e.valueFrom.secretKeyRef.name !== 'promotions-secrets')
            problems.push(`${w.metadata.name}: unknown secret ${e.valueFrom.secretKeyRef.name}`);
        }
      }
    }
    for (const cm of ofKind(objs(), 'ConfigMap')) {
      for (const [k, v] of Object.entries(cm.data ?? {})) {
        if (SECRET_NAME.test(k))
          problems.push(`ConfigMap ${cm.metadata.name}: ${k} belongs in the Secret`);
        if (/:\/\/[^/\s:@]+:[^/\s@]+@/.test(v))
          problems.push(`ConfigMap ${cm.metadata.name}: ${k} carries credentials`);
      }
    }
    expect(problems).toEqual([]);
    // Every secret key the manifests reference is documented for operators.
    const ops = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const keys = new Set(
      workloads().flatMap((w) =>
        podSpecOf(w).containers.flatMap(
          (c: { env?: { valueFrom?: { secretKeyRef?: { key: string } } }[] }) =>
            (c.env ?? []).map((e) => e.valueFrom?.secretKeyRef?.key).filter(Boolean),
        ),
      ),
    );
    for (const key of keys) expect(ops).toContain(key as string);
  });

  it('references only ConfigMaps it renders', () => {
    const maps = new Set(ofKind(objs(), 'ConfigMap').map((c) => c.metadata.name));
    for (const w of workloads())
      for (const c of podSpecOf(w).containers)
        for (const from of c.envFrom ?? [])
          if (from.configMapRef) expect(maps).toContain(from.configMapRef.name);
  });

  it('gives every Deployment a Service and a PodDisruptionBudget that select its pods', () => {
    for (const d of deployments()) {
      const labels = d.spec.template.metadata.labels;
      expect(selects(d.spec.selector, labels)).toBe(true);
      expect({
        d: d.metadata.name,
        svc: ofKind(objs(), 'Service').some((s) =>
          selects({ matchLabels: s.spec.selector }, labels),
        ),
      }).toEqual({ d: d.metadata.name, svc: true });
      expect({
        d: d.metadata.name,
        pdb: ofKind(objs(), 'PodDisruptionBudget').some((p) => selects(p.spec.selector, labels)),
      }).toEqual({ d: d.metadata.name, pdb: true });
    }
  });

  it('scales the HTTP apps on CPU and the workers on the lag of their real consumer groups', () => {
    const apps = appsOfRepo();
    const contract = new Map(topicConfigs().map((t) => [t.topic, t.numPartitions ?? 1]));
    for (const name of HTTP_APPS) {
      const hpa = named(objs(), 'HorizontalPodAutoscaler', name);
      expect(hpa?.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name });
      expect(hpa?.spec.metrics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            type: 'Resource',
            resource: expect.objectContaining({ name: 'cpu' }),
          }),
        ]),
      );
    }
    for (const name of WORKERS) {
      const so = named(objs(), 'ScaledObject', name);
      expect(so?.spec.scaleTargetRef.name).toBe(name);
      const group = apps.find((a) => a.name === name)?.groupId;
      expect(group).toBeDefined();
      expect(so?.spec.triggers.length).toBeGreaterThan(0);
      for (const t of so!.spec.triggers) {
        expect(t.type).toBe('kafka');
        expect(t.metadata.consumerGroup).toBe(group);
        expect(contract.has(t.metadata.topic)).toBe(true);
        expect(so!.spec.maxReplicaCount).toBeLessThanOrEqual(contract.get(t.metadata.topic)!);
        // KEDA's operator resolves the broker from its own namespace.
        const ns = objs().find((o) => o.kind === 'Deployment')!.metadata.namespace;
        expect(t.metadata.bootstrapServers).toBe(`promotions-kafka-bootstrap.${ns}.svc:9092`);
      }
    }
  });

  it('lets traffic in only to brand-api and the gateway, and out only to what each app needs', () => {
    const policies = ofKind(objs(), 'NetworkPolicy');
    const ingressNs = (p: K8sObject) =>
      (p.spec.ingress ?? []).some(
        (r: { from?: { namespaceSelector?: { matchLabels?: Record<string, string> } }[] }) =>
          (r.from ?? []).some(
            (f) =>
              f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'ingress-nginx',
          ),
      );
    const egressPorts = (labels: Record<string, string>) => {
      const ports = new Set<string>();
      for (const p of policies) {
        if (!selects(p.spec.podSelector, labels)) continue;
        for (const r of p.spec.egress ?? []) {
          const kind = (r.to ?? []).some((t: { ipBlock?: unknown }) => t.ipBlock)
            ? 'internet'
            : 'cluster';
          for (const port of r.ports ?? []) ports.add(`${kind}:${port.port}`);
        }
      }
      return [...ports].sort();
    };
    for (const d of deployments()) {
      const labels = d.spec.template.metadata.labels;
      const name = d.metadata.name;
      expect({
        name,
        denied: policies.some(
          (p) => p.metadata.name === 'default-deny' && selects(p.spec.podSelector, labels),
        ),
      }).toEqual({ name, denied: true });
      const fromIngress = policies.some((p) => selects(p.spec.podSelector, labels) && ingressNs(p));
      expect({ name, fromIngress }).toEqual({ name, fromIngress: HTTP_APPS.includes(name) });
      const allowed: Record<string, string[]> = {
        'brand-api': ['cluster:53', 'cluster:5432', 'cluster:9092'],
        'messenger-gateway': ['cluster:53', 'cluster:6379', 'cluster:9092'],
        geofence: ['cluster:53', 'cluster:6379', 'cluster:9092'],
        'promotion-engine': ['cluster:53', 'cluster:6379', 'cluster:9092'],
        'messenger-delivery': ['cluster:53', 'cluster:6379', 'cluster:9092', 'internet:443'],
        'messenger-sim': ['cluster:3001', 'cluster:53'],
      };
      const devSim =
        name === 'messenger-delivery' && overlay.endsWith('dev') ? ['cluster:3900'] : [];
      expect({ name, egress: egressPorts(labels) }).toEqual({
        name,
        egress: [...allowed[name], ...devSim].sort(),
      });
    }
  });

  it('routes the Ingress to existing Services and ports', () => {
    const services = ofKind(objs(), 'Service');
    for (const ing of ofKind(objs(), 'Ingress'))
      for (const rule of ing.spec.rules)
        for (const path of rule.http.paths) {
          const svc = services.find((s) => s.metadata.name === path.backend.service.name);
          expect(svc?.spec.ports.map((p: { name: string }) => p.name)).toContain(
            path.backend.service.port.name,
          );
        }
  });

  it('declares a KafkaTopic for every topic of the contracts, with its partitions and cleanup policy', () => {
    const topics = ofKind(objs(), 'KafkaTopic');
    const kafka = ofKind(objs(), 'Kafka');
    expect(kafka).toHaveLength(1);
    const byName = new Map(topics.map((t) => [t.spec.topicName ?? t.metadata.name, t]));
    const problems: string[] = [];
    for (const want of topicConfigs()) {
      const got = byName.get(want.topic);
      if (!got) {
        problems.push(`${want.topic}: no KafkaTopic (regenerate: make k8s-topics)`);
        continue;
      }
      const wantConfig = Object.fromEntries(
        (want.configEntries ?? []).map((e) => [e.name, e.value]),
      );
      const gotConfig = Object.fromEntries(
        Object.entries(got.spec.config ?? {}).map(([k, v]) => [k, String(v)]),
      );
      if (got.spec.partitions !== (want.numPartitions ?? 1))
        problems.push(
          `${want.topic}: ${got.spec.partitions} partitions, contract says ${want.numPartitions}`,
        );
      if ((gotConfig['cleanup.policy'] ?? 'delete') !== (wantConfig['cleanup.policy'] ?? 'delete'))
        problems.push(
          `${want.topic}: cleanup.policy ${gotConfig['cleanup.policy']} vs ${wantConfig['cleanup.policy']}`,
        );
      for (const [k, v] of Object.entries(wantConfig))
        if (gotConfig[k] !== v) problems.push(`${want.topic}: ${k}=${gotConfig[k]}, want ${v}`);
      if (got.metadata.labels?.['strimzi.io/cluster'] !== kafka[0].metadata.name)
        problems.push(`${want.topic}: not labelled for cluster ${kafka[0].metadata.name}`);
    }
    const wanted = new Set(topicConfigs().map((t) => t.topic));
    for (const name of byName.keys())
      if (!wanted.has(name))
        problems.push(`${name}: KafkaTopic for a topic the contracts do not have`);
    expect(problems).toEqual([]);
  });

  it('runs Kafka on Strimzi in KRaft mode with replication the node pool can honour', () => {
    const [kafka] = ofKind(objs(), 'Kafka');
    const pools = ofKind(objs(), 'KafkaNodePool');
    expect(kafka.apiVersion).toBe('kafka.strimzi.io/v1beta2');
    expect(kafka.metadata.annotations).toMatchObject({
      'strimzi.io/kraft': 'enabled',
      'strimzi.io/node-pools': 'enabled',
    });
    expect(kafka.spec.kafka.listeners).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'plain', port: 9092, type: 'internal', tls: false }),
      ]),
    );
    expect(kafka.spec.entityOperator?.topicOperator).toBeDefined();
    const config = kafka.spec.kafka.config;
    expect(config['auto.create.topics.enable']).toBe(false);
    const brokers = pools
      .filter((p) => p.spec.roles.includes('broker'))
      .reduce((n, p) => n + p.spec.replicas, 0);
    expect(pools.some((p) => p.spec.roles.includes('controller'))).toBe(true);
    for (const p of pools)
      expect(p.metadata.labels?.['strimzi.io/cluster']).toBe(kafka.metadata.name);
    expect(config['default.replication.factor']).toBeLessThanOrEqual(brokers);
    expect(config['offsets.topic.replication.factor']).toBeLessThanOrEqual(brokers);
    expect(config['min.insync.replicas']).toBeLessThanOrEqual(config['default.replication.factor']);
    for (const t of ofKind(objs(), 'KafkaTopic'))
      expect(t.spec.replicas ?? 0).toBeLessThanOrEqual(brokers);
  });

  it('runs the migrations as a Job with the same image', () => {
    const job = named(objs(), 'Job', 'migrate');
    expect(job?.spec.template.spec.containers[0].args).toEqual(['dist/scripts/migrate.js']);
    expect(job?.spec.template.spec.restartPolicy).toBe('Never');
  });
});

describe('overlay differences', () => {
  it('prod pins every image to a release tag or digest and never ships the simulator', () => {
    const prod = objectsOf('k8s/overlays/prod');
    for (const w of prod.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
      for (const c of w.spec.template.spec.containers) {
        const image: string = c.image;
        const tag = image.includes('@sha256:') ? 'digest' : /:([^/:]+)$/.exec(image)?.[1];
        expect({
          image,
          pinned: Boolean(tag) && !['latest', 'dev', 'main', 'master'].includes(tag!),
        }).toEqual({ image, pinned: true });
      }
    }
    expect(prod.some((o) => o.metadata.name === 'messenger-sim')).toBe(false);
    expect(
      prod.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('promotions-config'))
        ?.data?.GRAPH_API_URL,
    ).toBe('https://graph.facebook.com');
  });

  it('dev runs the simulator as the Graph API', () => {
    const dev = objectsOf('k8s/overlays/dev');
    expect(dev.some((o) => o.kind === 'Deployment' && o.metadata.name === 'messenger-sim')).toBe(
      true,
    );
    expect(
      dev.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('promotions-config'))
        ?.data?.GRAPH_API_URL,
    ).toBe('http://messenger-sim:3900');
  });

  it('runs every app of apps/ on the port it listens on', () => {
    const dev = objectsOf('k8s/overlays/dev');
    for (const app of appsOfRepo()) {
      const d = dev.find((o) => o.kind === 'Deployment' && o.metadata.name === app.name);
      expect({ app: app.name, deployed: Boolean(d) }).toEqual({ app: app.name, deployed: true });
      const c = d!.spec.template.spec.containers[0];
      expect(c.args).toEqual([`dist/apps/${app.name}/src/main.js`]);
      expect(c.ports[0].containerPort).toBe(app.port);
      expect(c.env.find((e: { name: string }) => e.name === 'PORT')?.value).toBe(String(app.port));
    }
  });

  it('runs every app with the V8 flags the local stack and the benchmarks use', () => {
    const flags = JSON.parse(readFileSync(join(ROOT, 'scripts', 'app-node-options.json'), 'utf8')) as Record<string, string>;
    const dev = objectsOf('k8s/overlays/dev');
    const deployed = appsOfRepo().map((app) => {
      const d = dev.find((o) => o.kind === 'Deployment' && o.metadata.name === app.name);
      const env = (d?.spec.template.spec.containers[0].env ?? []) as { name: string; value?: string }[];
      return { app: app.name, NODE_OPTIONS: env.find((e) => e.name === 'NODE_OPTIONS')?.value };
    });
    expect(deployed).toEqual(appsOfRepo().map((app) => ({ app: app.name, NODE_OPTIONS: flags[app.name] })));
  });
});

describe('the Grafana dashboard', () => {
  it('is valid JSON whose queries use only metrics the apps register', () => {
    const dashboard = JSON.parse(
      readFileSync(join(ROOT, 'k8s', 'base', 'grafana', 'promotions-dashboard.json'), 'utf8'),
    ) as { panels: { title: string; targets: { expr: string }[] }[] };
    const known = new Set([...registeredMetricNames(), ...Object.values(METRIC_NAMES)]);
    const builtIn = /^(process_|nodejs_)/;
    const problems: string[] = [];
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        for (const [, name] of target.expr.matchAll(/([a-z_:][a-z0-9_:]*)\{/g)) {
          const base = name.replace(/_(bucket|count|sum)$/, '');
          if (!known.has(name) && !known.has(base) && !builtIn.test(name))
            problems.push(`${panel.title}: ${name}`);
        }
      }
    }
    expect(problems).toEqual([]);
    for (const required of [
      'kafka_consumer_lag',
      'kafka_events_consumed_total',
      'promotion_decisions_total',
      'messenger_sends_total',
      'send_api_latency_seconds',
      'messenger_rate_limit_wait_seconds',
      'kafka_consumer_group_joins_total',
    ])
      expect(JSON.stringify(dashboard)).toContain(required);
  });
});
