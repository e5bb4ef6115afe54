import { Injectable } from '@nestjs/common';
import type { GraphError } from '../send-api/graph-error';
import { FaultConfig, FaultState, describeFaults, drawFault, faultState } from './faults';

/** The faults currently injected into the Send API (PUT /__sim/faults replaces them all). */
@Injectable()
export class FaultInjector {
  private state: FaultState = faultState();

  configure(config: FaultConfig): FaultConfig {
    this.state = faultState(config);
    return this.describe();
  }

  describe(): FaultConfig {
    return describeFaults(this.state);
  }

  clear(): FaultConfig {
    return this.configure({});
  }

  get latencyMs(): number {
    return this.state.config.latencyMs ?? 0;
  }

  isRestricted(pageId: string): boolean {
    return this.state.restricted.has(pageId);
  }

  draw(pageKey: string, nowMs: number, random: number): GraphError | undefined {
    return drawFault(this.state, pageKey, nowMs, random);
  }
}
