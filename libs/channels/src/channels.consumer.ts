import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ChannelDirectory } from './channel-directory';

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class ChannelsConsumer {
  constructor(private readonly directory: ChannelDirectory) {}

  @EventPattern(Topics.ChannelCatalog)
  async onChannel(@Payload() value: unknown): Promise<void> {
    await this.directory.apply(parseEvent(Topics.ChannelCatalog, value));
  }
}
