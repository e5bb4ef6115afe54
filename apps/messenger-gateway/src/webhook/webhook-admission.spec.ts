import { DomainError } from '@app/http';
import { Metrics } from '@app/observability';
import { Logger } from '@nestjs/common';
import { WebhookAdmission } from './webhook-admission';

const shedCount = async (metrics: Metrics) => (await metrics.registry.getSingleMetric('webhook_requests_shed_total')?.get())?.values[0]?.value ?? 0;

describe('WebhookAdmission', () => {
  it('works on at most `limit` webhooks at once and answers UNAVAILABLE to the next, before running it', async () => {
    const metrics = new Metrics('test');
    const admission = new WebhookAdmission(2, metrics);
    const gates: (() => void)[] = [];
    const slow = () => admission.within(() => new Promise<string>((resolve) => gates.push(() => resolve('done'))));
    const first = slow();
    const second = slow();
    let ran = false;
    await expect(admission.within(async () => (ran = true))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(ran).toBe(false);
    expect(admission.inFlight).toBe(2);
    expect(await shedCount(metrics)).toBe(1);

    gates[0]();
    await expect(first).resolves.toBe('done');
    await expect(admission.within(async () => 'room again')).resolves.toBe('room again');
    gates[1]();
    await second;
    expect(admission.inFlight).toBe(0);
  });

  it('frees the slot of a webhook whose work failed, and passes the failure on', async () => {
    const admission = new WebhookAdmission(1, new Metrics('test'));
    await expect(admission.within(() => Promise.reject(new DomainError('FORBIDDEN', 'bad signature')))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(admission.inFlight).toBe(0);
    await expect(admission.within(async () => 1)).resolves.toBe(1);
  });

  it('summarises the sheds of an interval in one warning', async () => {
    const admission = new WebhookAdmission(0, new Metrics('test'));
    const warnings: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    try {
      admission.summarise();
      for (let i = 0; i < 3; i++) await expect(admission.within(async () => 1)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
      admission.summarise();
      admission.summarise();
      expect(warnings).toEqual([expect.stringMatching(/^shed 3 webhooks in the last 10 s: 0 were being worked on/)]);
    } finally {
      admission.onModuleDestroy();
      jest.restoreAllMocks();
    }
  });
});
