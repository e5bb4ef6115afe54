import { Injectable } from '@nestjs/common';

/** The time, injected so use cases stay pure functions of their inputs (STYLE.md §3). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
