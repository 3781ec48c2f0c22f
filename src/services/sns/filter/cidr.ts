/** IPv4/IPv6 addresses and CIDR blocks for the filter policy `cidr` operator. */

/** An address as a bigint plus its bit width, or null if `text` is not one. */
export function parseIp(text: string): { value: bigint; bits: 32 | 128 } | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split(".").map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), bits: 32 };
  }
  if (!text.includes(":") || !/^[0-9A-Fa-f:.]+$/.test(text)) return null;
  let head = text;
  let tail4: number[] = [];
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const ip = parseIp(v4[1]!);
    if (!ip) return null;
    tail4 = [Number(ip.value >> 16n), Number(ip.value & 0xffffn)];
    head = text.slice(0, -v4[1]!.length);
    if (head.endsWith(":") && !head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => (/^[0-9A-Fa-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? [...parse(halves[1]!), ...tail4] : [];
  const groups = halves.length === 2 ? left : [...left, ...tail4];
  if ([...left, ...right].some(Number.isNaN)) return null;
  const missing = 8 - groups.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = halves.length === 2 ? [...groups, ...new Array(missing).fill(0), ...right] : groups;
  return { value: all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n), bits: 128 };
}

export interface Cidr {
  network: bigint;
  mask: bigint;
  bits: 32 | 128;
}

/** `a.b.c.d/n` or `v6/n`, or null. */
export function parseCidr(text: string): Cidr | null {
  const [addr, len] = text.split("/");
  if (addr === undefined || len === undefined || !/^\d+$/.test(len)) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const n = Number(len);
  if (n > ip.bits) return null;
  const all = (1n << BigInt(ip.bits)) - 1n;
  const mask = all ^ ((1n << BigInt(ip.bits - n)) - 1n);
  return { network: ip.value & mask, mask, bits: ip.bits };
}

export function inCidr(cidr: Cidr, address: string): boolean {
  const ip = parseIp(address);
  return ip !== null && ip.bits === cidr.bits && (ip.value & cidr.mask) === cidr.network;
}
