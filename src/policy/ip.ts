/** IPv4 / IPv6 addresses and CIDR blocks for `IpAddress` / `NotIpAddress` (RFC 4632, RFC 4291). */

/** An address as a 128-bit bigint plus its family; null when not an address. IPv4-mapped IPv6 counts as IPv4. */
export function parseIp(text: string): { v6: boolean; value: bigint } | null {
  const s = text.trim();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    let value = 0n;
    for (const part of s.split(".")) {
      const n = Number(part);
      if (n > 255) return null;
      value = (value << 8n) | BigInt(n);
    }
    return { v6: false, value };
  }
  if (!s.includes(":")) return null;
  let head = s;
  let tailV4: bigint | null = null;
  const lastColon = s.lastIndexOf(":");
  if (s.slice(lastColon + 1).includes(".")) {
    const v4 = parseIp(s.slice(lastColon + 1));
    if (!v4 || v4.v6) return null;
    tailV4 = v4.value;
    head = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? left.length !== 8 : missing < 1) return null;
  const all = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== null) value = (value & ~0xffffffffn) | tailV4;
  // ::ffff:a.b.c.d is the IPv4 address a.b.c.d.
  if (value >> 32n === 0xffffn) return { v6: false, value: value & 0xffffffffn };
  return { v6: true, value };
}

/** Whether `address` lies in `cidr` (`203.0.113.0/24`, `2001:db8::/32`, or a bare address). */
export function ipInCidr(address: string, cidr: string): boolean {
  const ip = parseIp(address);
  if (!ip) return false;
  const slash = cidr.indexOf("/");
  const net = parseIp(slash >= 0 ? cidr.slice(0, slash) : cidr);
  if (!net || net.v6 !== ip.v6) return false;
  const bits = net.v6 ? 128 : 32;
  const prefix = slash >= 0 ? Number(cidr.slice(slash + 1)) : bits;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return false;
  const shift = BigInt(bits - prefix);
  return ip.value >> shift === net.value >> shift;
}
