/**
 * Secrets the bot must keep for a while (a customer's temporary password until its creator has
 * seen it), sealed with AES-256-GCM under a key from configuration. A sealed value names what
 * it belongs to (the associated data), so it cannot be moved to another record and opened there.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Config } from "../config.js";

const VERSION = "v1";

export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error("the encryption key must be 32 bytes");
  }

  /** Seals a secret for the record named by `context`. */
  seal(secret: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
    return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), sealed.toString("base64url")].join(".");
  }

  /** Opens a sealed secret; throws if it was tampered with, moved, or sealed under another key. */
  open(sealed: string, context: string): string {
    const [version, iv, tag, data] = sealed.split(".");
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error("not a sealed secret");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  }
}

export class MissingEncryptionKey extends Error {
  constructor() {
    super("ENCRYPTION_KEY is required with PostgreSQL: every instance must seal and open secrets with the same key. Generate one with: openssl rand -base64 32");
    this.name = "MissingEncryptionKey";
  }
}

/**
 * The configured key; for the embedded SQLite database without one, a key generated once and
 * kept beside the database file (readable by its owner only), so that `npm start` needs nothing.
 */
export function encryptionKeyFor(config: Pick<Config, "encryptionKey" | "database">): Buffer {
  if (config.encryptionKey) return config.encryptionKey;
  if (config.database.provider !== "sqlite") throw new MissingEncryptionKey();
  const file = join(dirname(config.database.file), "encryption.key");
  const read = () => Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (existsSync(file)) return read();
  mkdirSync(dirname(file), { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return read();
    throw error;
  }
  chmodSync(file, 0o600);
  return key;
}
