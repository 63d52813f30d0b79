import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createCipher, parseSecretKeys, redactSecrets, SecretError } from "@/lib/secrets/crypto";

const keyB64 = () => randomBytes(32).toString("base64");

describe("secret cipher", () => {
  it("round-trips text, including unicode, with a fresh IV every time", () => {
    const cipher = createCipher(`k1:${keyB64()}`);
    const plain = "sk-live-Ünïcødé-密钥-1234";
    const a = cipher.encrypt(plain);
    const b = cipher.encrypt(plain);
    expect(a).not.toBe(b);
    expect(a.startsWith("v1:k1:")).toBe(true);
    expect(a).not.toContain(plain);
    expect(cipher.decrypt(a)).toBe(plain);
    expect(cipher.decrypt(b)).toBe(plain);
    expect(cipher.decrypt(cipher.encrypt(""))).toBe("");
  });

  it("rotates: the first key writes, older keys still read", () => {
    const oldKey = keyB64();
    const newKey = keyB64();
    const before = createCipher(`old:${oldKey}`);
    const written = before.encrypt("secret-from-last-year");

    const after = createCipher(`new:${newKey},old:${oldKey}`);
    expect(after.currentKeyId).toBe("new");
    expect(after.decrypt(written)).toBe("secret-from-last-year");
    const rewritten = after.encrypt("secret-from-last-year");
    expect(rewritten.split(":")[1]).toBe("new");
    // Once the old key is dropped, its ciphertexts are refused with a clear message.
    const onlyNew = createCipher(`new:${newKey}`);
    expect(onlyNew.decrypt(rewritten)).toBe("secret-from-last-year");
    expect(() => onlyNew.decrypt(written)).toThrowError(/key "old", which is not configured/);
  });

  it("detects tampering with the data, the tag, the IV and the key id", () => {
    const k = keyB64();
    const cipher = createCipher(`a:${k},b:${k}`);
    const text = cipher.encrypt("top secret value");
    const parts = text.split(":");
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, "base64");
      buf[0] = (buf[0] ?? 0) ^ 0x01;
      return buf.toString("base64");
    };
    for (const index of [2, 3, 4]) {
      const copy = [...parts];
      copy[index] = flip(copy[index] ?? "");
      expect(() => cipher.decrypt(copy.join(":"))).toThrowError(/tampered/);
    }
    // Same key material under another id: the id is authenticated, so relabelling fails.
    const relabelled = ["v1", "b", ...parts.slice(2)].join(":");
    expect(() => cipher.decrypt(relabelled)).toThrowError(SecretError);
    expect(() => cipher.decrypt("not-a-ciphertext")).toThrowError(/recognised format/);
  });

  it("rejects malformed key specs", () => {
    expect(() => parseSecretKeys("")).toThrowError(/No secret keys/);
    expect(() => parseSecretKeys("nokey")).toThrowError(/id:base64key/);
    expect(() => parseSecretKeys(`k:${Buffer.alloc(16).toString("base64")}`)).toThrowError(/32 bytes/);
    expect(() => parseSecretKeys(`k:${keyB64()},k:${keyB64()}`)).toThrowError(/twice/);
    expect(parseSecretKeys(` a:${keyB64()} , b:${keyB64()} `).map((k) => k.id)).toEqual(["a", "b"]);
  });
});

describe("redactSecrets", () => {
  it("replaces every occurrence deep inside values and keys without mutating the input", () => {
    const key = "sk-abcdef123456";
    const input = {
      headers: { Authorization: `Bearer ${key}` },
      list: [key, { nested: `x${key}y${key}` }, 42, null, true],
      [key]: "as a key",
      when: new Date(0),
    };
    const out = redactSecrets(input, [key]);
    expect(out.headers.Authorization).toBe("Bearer [redacted]");
    expect(out.list).toEqual(["[redacted]", { nested: "x[redacted]y[redacted]" }, 42, null, true]);
    expect(Object.keys(out)).toContain("[redacted]");
    expect(out.when).toEqual(new Date(0));
    expect(JSON.stringify(out)).not.toContain(key);
    expect(input.headers.Authorization).toBe(`Bearer ${key}`);
  });

  it("handles overlapping secrets (longest first), empty lists and cycles", () => {
    expect(redactSecrets("token abcd1234 and abcd", ["abcd", "abcd1234"])).toBe("token [redacted] and [redacted]");
    const same = { a: "x" };
    expect(redactSecrets(same, [])).toBe(same);
    expect(redactSecrets("ab", ["ab"])).toBe("ab");
    const cyclic: Record<string, unknown> = { s: "pw=hunter22" };
    cyclic.self = cyclic;
    const out = redactSecrets(cyclic, ["hunter22"]);
    expect(out.s).toBe("pw=[redacted]");
    expect(out.self).toBe(out);
  });
});
