import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { inflateRawSync } from "node:zlib";

/**
 * Unpacks a zip into a directory, as Lambda unpacks a function's code into /var/task: every file
 * of the central directory, stored or deflated (what SST's archiver writes). Small on purpose:
 * no zip64, no encryption, which a function's zip never uses.
 */
export function unzip(zip: string, into: string): string[] {
  const data = readFileSync(zip);
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error(`${zip}: not a zip (no end of central directory)`);
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (data.readUInt32LE(at) !== 0x02014b50) throw new Error(`${zip}: bad central directory entry ${i}`);
    const method = data.readUInt16LE(at + 10);
    const compressed = data.readUInt32LE(at + 20);
    const nameLength = data.readUInt16LE(at + 28);
    const extra = data.readUInt16LE(at + 30);
    const comment = data.readUInt16LE(at + 32);
    const local = data.readUInt32LE(at + 42);
    const name = data.toString("utf8", at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extra + comment;

    const target = normalize(join(into, name));
    if (!target.startsWith(normalize(into))) throw new Error(`${zip}: ${name} points outside the directory`);
    if (name.endsWith("/")) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
    const raw = data.subarray(start, start + compressed);
    if (method !== 0 && method !== 8) throw new Error(`${zip}: ${name} uses compression method ${method}`);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, method === 8 ? inflateRawSync(raw) : raw);
    names.push(name);
  }
  return names;
}
