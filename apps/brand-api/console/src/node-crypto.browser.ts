/**
 * `node:crypto` in the console bundle. libs/contracts imports it for event ids and hashes, which
 * the console never makes (it only borrows the contracts' zod schemas and types).
 */
function unavailable(): never {
  throw new Error('node:crypto is not available in the brand console');
}

export const createHash = unavailable;
export const randomUUID = unavailable;
