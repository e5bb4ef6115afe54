import { DynamicModule, Module } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { CoalescingPublisher } from './coalescing-publisher';
import { EventPublisher, KAFKA_PRODUCER_CLIENT } from './event-publisher';
import { KAFKA_SETTINGS, KafkaSettings, kafkaProducerOptions } from './kafka-options';

@Module({})
export class KafkaModule {
  /** The producer side of an app: an EventPublisher for contract-checked events, and its coalescing front. */
  static forRoot(settings: KafkaSettings, clientId: string): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: KAFKA_SETTINGS, useValue: settings },
        {
          provide: KAFKA_PRODUCER_CLIENT,
          useFactory: () => new ClientKafka(kafkaProducerOptions(settings, clientId)),
        },
        EventPublisher,
        CoalescingPublisher,
      ],
      exports: [EventPublisher, CoalescingPublisher, KAFKA_SETTINGS],
    };
  }
}
