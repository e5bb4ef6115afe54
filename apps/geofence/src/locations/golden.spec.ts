import { Geofence } from '@app/contracts';
import { prepareFence } from '@app/geo';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenVisit, proposeTransitions } from './visit-rules';

/*
 * Golden files, Turf style: test/fixtures/in/<case>.json holds stores and one shopper's fixes in
 * order; test/fixtures/out/<case>.json the transitions they must cause. Every store is a candidate
 * here (brute force); the index's own agreement with brute force is fast-path.spec.ts's job.
 * REGEN=1 rewrites the expected files (review the diff before committing it).
 */
const dir = join(__dirname, '..', '..', 'test', 'fixtures');
const policy = { exitHysteresisM: 30 };

interface Case {
  /** `dwellSeconds`: the store's dwell thresholds (its live dwell offers); none: no dwell transitions. */
  stores: { storeId: string; location: { lat: number; lng: number }; geofence: Geofence; dwellSeconds?: number[] }[];
  points: { name: string; t: number; lat: number; lng: number; accuracyM: number | null }[];
}

function run(c: Case): string[] {
  const candidates = c.stores.map((s) => ({ storeId: s.storeId, location: s.location, fence: prepareFence(s), dwellThresholdsS: s.dwellSeconds ?? [] }));
  const open = new Map<string, OpenVisit>();
  const out: string[] = [];
  c.points.forEach((p, step) => {
    const fix = { ...p, sharedAtMs: p.t * 1000 };
    const proposed = proposeTransitions(fix, candidates, open, policy);
    // What the visit state's Lua script does with a proposal, for one shopper.
    for (const e of proposed.enter) {
      open.set(e.storeId, { visitId: `${e.storeId}#${step}`, enteredAtMs: fix.sharedAtMs, dwelledSeconds: 0 });
      out.push(`${step} ${p.name}: enter ${e.storeId}`);
    }
    for (const d of proposed.dwell) {
      open.set(d.storeId, { ...open.get(d.storeId)!, dwelledSeconds: d.dwellSeconds });
      out.push(`${step} ${p.name}: dwell ${d.storeId} after ${d.dwellSeconds} s`);
    }
    for (const x of proposed.exit) {
      open.delete(x.storeId);
      out.push(`${step} ${p.name}: exit ${x.storeId} (${x.visitId})`);
    }
  });
  return out;
}

describe('golden fixtures', () => {
  for (const file of readdirSync(join(dir, 'in')).filter((f) => f.endsWith('.json'))) {
    it(file.replace('.json', ''), () => {
      const actual = run(JSON.parse(readFileSync(join(dir, 'in', file), 'utf8')) as Case);
      const expectedPath = join(dir, 'out', file);
      if (process.env.REGEN === '1') writeFileSync(expectedPath, `${JSON.stringify(actual, null, 1)}\n`);
      expect(actual).toEqual(JSON.parse(readFileSync(expectedPath, 'utf8')));
    });
  }
});
