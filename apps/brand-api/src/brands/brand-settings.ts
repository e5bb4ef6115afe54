import { BrandSettings, TimeOfDay } from '@app/contracts';
import type { BrandEntity } from '@app/database';
import { z } from 'zod';

/** PUT /v1/settings: quiet hours in the shopper's zone ("21:00"–"09:00"), or null for none. */
export const BrandSettingsBody = z
  .object({
    quietHours: z
      .object({ start: TimeOfDay, end: TimeOfDay })
      .strict()
      .refine((q) => q.start !== q.end, 'start and end must differ')
      .nullable(),
  })
  .strict();
export type BrandSettingsBody = z.infer<typeof BrandSettingsBody>;

export interface BrandSettingsView {
  /** null: no quiet hours; "default": the platform's default (QUIET_HOURS, 21:00–09:00). */
  quietHours: { start: string; end: string } | null | 'default';
  version: number;
}

export function toBrandSettingsView(b: BrandEntity): BrandSettingsView {
  return { quietHours: b.quietHoursSet ? b.quietHours : 'default', version: b.settingsVersion };
}

export function toBrandSettingsEvent(b: BrandEntity, now: Date): BrandSettings {
  return {
    brandId: b.id,
    version: b.settingsVersion,
    ...(b.quietHoursSet ? { quietHours: b.quietHours } : {}),
    updatedAt: now.toISOString(),
  };
}
