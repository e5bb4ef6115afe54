import { ConsumerLifecycle } from './consumer-lifecycle';

describe('ConsumerLifecycle', () => {
  it('makes a stop that comes during the start wait for it, and the start skip its remaining steps', async () => {
    const lifecycle = new ConsumerLifecycle();
    const steps: string[] = [];
    let connected!: () => void;
    const started = lifecycle.start(async (stopping) => {
      await new Promise<void>((resolve) => (connected = resolve));
      steps.push('connected');
      if (stopping()) return;
      steps.push('ran');
    });
    const stopped = lifecycle.stop(async () => {
      steps.push('closed');
    });
    connected();
    await started;
    await stopped;
    expect(steps).toEqual(['connected', 'closed']);
  });

  it('closes at once when nothing was started, and after a start that failed', async () => {
    const idle = new ConsumerLifecycle();
    const closed: string[] = [];
    await idle.stop(async () => void closed.push('idle'));
    const failed = new ConsumerLifecycle();
    await expect(failed.start(() => Promise.reject(new Error('broker down')))).rejects.toThrow('broker down');
    await failed.stop(async () => void closed.push('failed'));
    expect(closed).toEqual(['idle', 'failed']);
  });

  it('does not let a start that never settles hold the stop past its bound', async () => {
    jest.useFakeTimers();
    try {
      const lifecycle = new ConsumerLifecycle();
      void lifecycle.start(() => new Promise<void>(() => undefined));
      let closed = false;
      const stopped = lifecycle.stop(async () => void (closed = true));
      await jest.advanceTimersByTimeAsync(2_999);
      expect(closed).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      await stopped;
      expect(closed).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});
