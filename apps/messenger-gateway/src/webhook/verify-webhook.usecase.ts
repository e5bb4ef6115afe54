import { ChannelDirectory } from '@app/channels';
import { DomainError } from '@app/http';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';

/** Meta's subscription handshake: echo the challenge when the verify token is a connected Page's. */
@Injectable()
export class VerifyWebhook {
  constructor(private readonly channels: ChannelDirectory) {}

  async execute(query: { mode?: string; verifyToken?: string; challenge?: string }): Promise<string> {
    if (query.mode !== 'subscribe' || !query.verifyToken || !query.challenge) {
      throw new DomainError('FORBIDDEN', 'verification refused');
    }
    const sha256 = createHash('sha256').update(query.verifyToken, 'utf8').digest('hex');
    if (!(await this.channels.hasVerifyToken(sha256))) throw new DomainError('FORBIDDEN', 'verification refused');
    return query.challenge;
  }
}
