import type { QuietHours } from './decisions/local-time';
import type { DecayPolicy } from './interests/interest-profile';

/** The engine's settings, from its environment (env.ts), injected as ENGINE_POLICY. */
export interface EnginePolicy {
  windowHours: number;
  sendRequestTtlSeconds: number;
  defaultLocale: string;
  /** Quiet hours of brands that did not set theirs (catalog.brand.v1); null: none. */
  defaultQuietHours: QuietHours | null;
  interestDecay: DecayPolicy;
  interestTtlSeconds: number;
  /** Minimum (decayed) interest score for offers whose audience lists interests. */
  interestThreshold: number;
}
export const ENGINE_POLICY = Symbol('ENGINE_POLICY');
