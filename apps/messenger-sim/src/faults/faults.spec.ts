import { FaultConfig, describeFaults, drawFault, faultState } from './faults';

const T0 = 1_700_000_000_000;

describe('drawFault', () => {
  it('injects nothing by default', () => {
    const state = faultState();
    for (let i = 0; i < 100; i++) expect(drawFault(state, 'P', T0 + i, 0)).toBeUndefined();
  });

  it('answers forced errors in order, each for its count, then stops', () => {
    const state = faultState(
      FaultConfig.parse({
        failNext: [
          { code: 613, count: 2 },
          { code: 10, subcode: 2018278 },
        ],
      }),
    );
    expect(drawFault(state, 'P', T0, 0.5)).toMatchObject({
      code: 613,
      httpStatus: 400,
      message: '(#613) Calls to this api have exceeded the rate limit.',
    });
    expect(describeFaults(state).failNext).toEqual([
      { code: 613, count: 1 },
      { code: 10, subcode: 2018278, count: 1 },
    ]);
    expect(drawFault(state, 'P', T0, 0.5)).toMatchObject({ code: 613 });
    expect(drawFault(state, 'P', T0, 0.5)).toMatchObject({ code: 10, subcode: 2018278 });
    expect(drawFault(state, 'P', T0, 0.5)).toBeUndefined();
  });

  it('limits forced errors to their Page when one is given, and honours message and status overrides', () => {
    const state = faultState(
      FaultConfig.parse({ failNext: [{ code: 2, pageId: 'B', message: 'boom', httpStatus: 503 }] }),
    );
    expect(drawFault(state, 'A', T0, 0.5)).toBeUndefined();
    expect(drawFault(state, 'B', T0, 0.5)).toEqual({
      code: 2,
      subcode: undefined,
      message: 'boom',
      httpStatus: 503,
    });
  });

  it('rate-limits each Page per second with code 613 by default', () => {
    const state = faultState({ rateLimitPerSecond: 2 });
    expect(drawFault(state, 'A', T0, 0.5)).toBeUndefined();
    expect(drawFault(state, 'A', T0 + 10, 0.5)).toBeUndefined();
    expect(drawFault(state, 'A', T0 + 20, 0.5)).toMatchObject({ code: 613, httpStatus: 400 });
    expect(drawFault(state, 'B', T0 + 20, 0.5)).toBeUndefined();
    expect(drawFault(state, 'A', T0 + 1000, 0.5)).toBeUndefined();
  });

  it('uses the configured rate-limit code', () => {
    const state = faultState({ rateLimitPerSecond: 1, rateLimitCode: 80006 });
    drawFault(state, 'A', T0, 0.5);
    expect(drawFault(state, 'A', T0, 0.5)).toMatchObject({ code: 80006 });
  });

  it('answers random temporary errors (code 2, HTTP 500) at the configured rate', () => {
    const state = faultState({ errorRate: 0.25 });
    expect(drawFault(state, 'A', T0, 0.24)).toMatchObject({ code: 2, httpStatus: 500 });
    expect(drawFault(state, 'A', T0, 0.25)).toBeUndefined();
    expect(drawFault(faultState({ errorRate: 1, errorCode: 1 }), 'A', T0, 0.99)).toMatchObject({
      code: 1,
      httpStatus: 500,
    });
  });

  it('prefers forced errors to the rate limit, and the rate limit to random errors', () => {
    const state = faultState(
      FaultConfig.parse({ failNext: [{ code: 100 }], rateLimitPerSecond: 1, errorRate: 1 }),
    );
    expect(drawFault(state, 'A', T0, 0)).toMatchObject({ code: 100 });
    expect(drawFault(state, 'A', T0, 0)).toMatchObject({ code: 2 });
    expect(drawFault(state, 'A', T0, 0)).toMatchObject({ code: 613 });
  });
});

describe('FaultConfig', () => {
  it('rejects out-of-range or unknown settings, naming the field', () => {
    const wrong = FaultConfig.safeParse({ errorRate: 1.5, burst: 3 });
    expect(wrong.success).toBe(false);
    expect(wrong.error?.issues.map((i) => i.path.join('.') || i.message)).toEqual([
      'errorRate',
      'Unrecognized key: "burst"',
    ]);
  });
});
