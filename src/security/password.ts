/**
 * Temporary admin passwords: generated from a CSPRNG, shown once, stored only as a salted hash.
 */
import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number }) => Promise<Buffer>;
const COST = { N: 16384, r: 8, p: 1 };

const upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const lower = "abcdefghijkmnopqrstuvwxyz";
const digits = "23456789";
const symbols = "!@#$%&*?";

/** 16 characters with at least one of each class (Microsoft 365's complexity rules), no look-alikes. */
export function generateTemporaryPassword(length = 16): string {
  const all = upper + lower + digits + symbols;
  const chars = [upper, lower, digits, symbols].map((set) => set[randomInt(set.length)]);
  while (chars.length < length) chars.push(all[randomInt(all.length)]);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join("");
}

/** The shortest password {@link hashGeneratedPassword} takes: 16 of generateTemporaryPassword's 65 characters are about 95 bits. */
const GENERATED_LENGTH = 16;

const sha256 = (salt: Buffer, password: string): Buffer => createHash("sha256").update(salt).update(password, "utf8").digest();

/**
 * The stored form of a password this code generated ({@link generateTemporaryPassword}): a
 * salted SHA-256. Such a password (about 95 bits from a CSPRNG) is out of reach of guessing
 * whatever its hash costs, so a key-derivation function made slow for passwords people choose
 * (scrypt, as earlier versions used: 60 ms of CPU per customer created) adds nothing but that cost.
 * Not for passwords people choose.
 */
export async function hashGeneratedPassword(password: string): Promise<string> {
  if (password.length < GENERATED_LENGTH) throw new Error("only generated passwords of 16 characters or more are hashed this way");
  const salt = randomBytes(16);
  return `sha256$${salt.toString("base64")}$${sha256(salt, password).toString("base64")}`;
}

/** Whether a password is the one a stored hash was made of: salted SHA-256, or scrypt (hashes of earlier versions). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts[0] === "sha256" && parts.length === 3) {
    const expected = Buffer.from(parts[2], "base64");
    const actual = sha256(Buffer.from(parts[1], "base64"), password);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
  const [scheme, n, r, p, salt, hash] = parts;
  if (scheme !== "scrypt") return false;
  const expected = Buffer.from(hash, "base64");
  const actual = await scryptAsync(password, Buffer.from(salt, "base64"), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(expected, actual);
}

/** A password's hash as earlier versions stored it (scrypt), for tests that read their records. */
export async function scryptHash(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString("base64")}$${hash.toString("base64")}`;
}
