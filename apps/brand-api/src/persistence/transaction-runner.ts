import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** An open database transaction, handed from a use case to repositories without exposing TypeORM. */
export type Tx = EntityManager & { readonly __tx: unique symbol };

@Injectable()
export class TransactionRunner {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager) => work(manager as Tx));
  }
}
