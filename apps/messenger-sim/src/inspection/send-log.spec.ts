import { AcceptedSend, SendLog } from './send-log';

const send = (n: number, pageId = 'P', recipientId = 'S'): AcceptedSend => ({
  messageId: `m_${n}`,
  pageId,
  recipientId,
  receivedAt: n,
  messagingType: 'RESPONSE',
  body: { n },
});

describe('SendLog', () => {
  it('keeps sends per shopper and per Page, oldest first', () => {
    const log = new SendLog(100);
    log.record(send(1, 'P', 'A'));
    log.record(send(2, 'P', 'B'));
    log.record(send(3, 'P', 'A'));
    expect(log.inbox('P', 'A').map((s) => s.messageId)).toEqual(['m_1', 'm_3']);
    expect(log.ofPage('P').map((s) => s.messageId)).toEqual(['m_1', 'm_2', 'm_3']);
    expect(log.inbox('Q', 'A')).toEqual([]);
  });

  it('drops the oldest sends beyond its bound, from every view', () => {
    const log = new SendLog(100);
    for (let n = 0; n < 5000; n++) log.record(send(n, n % 2 ? 'P' : 'Q', `S${n % 3}`));
    expect(log.stored).toBe(100);
    expect(log.evicted).toBe(4900);
    const kept = [...log.ofPage('P'), ...log.ofPage('Q')]
      .map((s) => s.receivedAt)
      .sort((a, b) => a - b);
    expect(kept[0]).toBe(4900);
    expect(log.inbox('P', 'S0').every((s) => s.receivedAt >= 4900)).toBe(true);
    log.clear();
    expect(log.stored).toBe(0);
    expect(log.ofPage('P')).toEqual([]);
  });
});
