import { ZodPipe } from '@app/http';
import { Body, Controller, Delete, Get, Put } from '@nestjs/common';
import { FaultInjector } from './fault-injector';
import { FaultConfig } from './faults';

/** Failures injected into the Send API; PUT replaces the whole set and restarts forced-error counts. */
@Controller('__sim/faults')
export class FaultsController {
  constructor(private readonly faults: FaultInjector) {}

  @Put()
  configure(@Body(new ZodPipe(FaultConfig)) body: FaultConfig): FaultConfig {
    return this.faults.configure(body);
  }

  @Get()
  describe(): FaultConfig {
    return this.faults.describe();
  }

  @Delete()
  clear(): FaultConfig {
    return this.faults.clear();
  }
}
