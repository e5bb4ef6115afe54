import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Sealed {
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

/**
 * Seals secrets (Page access tokens, app secrets) with AES-256-GCM under named keys, so they are
 * never stored or sent in the clear and the key can rotate: a sealed value names the key (kid)
 * that opens it.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;

  constructor(
    keys: Map<string, Buffer>,
    private readonly activeKid: string,
  ) {
    for (const [kid, key] of keys) {
      if (key.length !== 32) throw new Error(`secret key ${kid} must be 32 bytes, got ${key.length}`);
    }
    if (!keys.has(activeKid)) throw new Error(`SECRETS_ACTIVE_KID ${activeKid} is not in SECRETS_KEYS`);
    this.keys = keys;
  }

  /** Parses `kid:base64key,kid:base64key`. */
  static fromEnv(spec: string, activeKid: string): SecretBox {
    const keys = new Map<string, Buffer>();
    for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
      const at = part.indexOf(':');
      if (at <= 0) throw new Error('SECRETS_KEYS entries must be kid:base64key');
      keys.set(part.slice(0, at), Buffer.from(part.slice(at + 1), 'base64'));
    }
    return new SecretBox(keys, activeKid);
  }

  seal(plaintext: string, associatedData = ''): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(this.activeKid), iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      kid: this.activeKid,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ct: ct.toString('base64'),
    };
  }

  /** Throws when the value was tampered with, sealed for other associated data, or the key is gone. */
  open(sealed: Sealed, associatedData = ''): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key(sealed.kid), Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64')), decipher.final()]).toString('utf8');
  }

  /** Whether a sealed value should be re-sealed under the active key. */
  isStale(sealed: Sealed): boolean {
    return sealed.kid !== this.activeKid;
  }

  private key(kid: string): Buffer {
    const key = this.keys.get(kid);
    if (!key) throw new Error(`no secret key with id ${kid}`);
    return key;
  }
}
