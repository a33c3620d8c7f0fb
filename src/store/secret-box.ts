import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';

/**
 * Webhook secrets at rest: AES-256-GCM with SECRETS_KEY (node:crypto), bound to the subscription
 * they belong to (its id is the additional authenticated data, so a ciphertext moved to another
 * subscription does not decrypt). Stored as `enc:v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url),
 * the key id being the first 8 hex digits of the key's SHA-256: rotation reads with whichever
 * configured key wrote the value and writes with the first one. Without keys, secrets are stored
 * as they are, and plain values are always read (written before encryption was turned on).
 */
const PREFIX = 'enc:v1:';

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export class SecretBox {
  private readonly byId: Map<string, Buffer>;
  /** The key that encrypts; undefined: secrets are stored plain. */
  readonly currentKeyId: string | undefined;

  constructor(keys: readonly Buffer[] = []) {
    for (const k of keys) {
      if (k.length !== 32) throw new AppError('CONFIG_INVALID', 'SECRETS_KEY: a key must be 32 bytes');
    }
    this.byId = new Map(keys.map((k) => [keyId(k), k]));
    this.currentKeyId = keys[0] ? keyId(keys[0]) : undefined;
  }

  get encrypting(): boolean {
    return this.currentKeyId !== undefined;
  }

  seal(plain: string, subscriptionId: string): string {
    const key = this.currentKeyId && this.byId.get(this.currentKeyId);
    if (!key) return plain;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(subscriptionId, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.currentKeyId}:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
  }

  open(stored: string, subscriptionId: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    const [kid = '', iv = '', tag = '', body = ''] = stored.slice(PREFIX.length).split(':');
    const key = this.byId.get(kid);
    if (!key) {
      throw new AppError(
        'SECRET_UNREADABLE',
        `subscription ${subscriptionId}: its secret is encrypted with key ${kid}, which is neither SECRETS_KEY nor in SECRETS_KEY_PREVIOUS`,
        { context: { subscriptionId, keyId: kid } },
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(subscriptionId, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch (err) {
      throw new AppError(
        'SECRET_UNREADABLE',
        `subscription ${subscriptionId}: its stored secret does not decrypt with key ${kid} (altered, or moved from another subscription)`,
        { context: { subscriptionId, keyId: kid }, cause: err },
      );
    }
  }

  /** Whether a stored value is written the way this box writes now (encrypted with the current key, or plain). */
  isCurrent(stored: string): boolean {
    if (!this.currentKeyId) return !stored.startsWith(PREFIX);
    return stored.startsWith(`${PREFIX}${this.currentKeyId}:`);
  }
}
