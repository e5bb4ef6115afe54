import { SecretBox } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { ChannelDirectory } from './channel-directory';
import { ChannelsConsumer } from './channels.consumer';

/** Keeps the Redis projection of catalog.channel.v1 current and answers lookups by Page. */
@Module({})
export class ChannelsModule {
  static forRoot(secrets: { keys: string; activeKid: string }): DynamicModule {
    return {
      module: ChannelsModule,
      controllers: [ChannelsConsumer],
      providers: [{ provide: SecretBox, useValue: SecretBox.fromEnv(secrets.keys, secrets.activeKid) }, ChannelDirectory],
      exports: [ChannelDirectory],
    };
  }
}
