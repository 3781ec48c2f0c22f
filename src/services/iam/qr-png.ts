/**
 * A QR code drawn as a PNG, for the `QRCodePNG` of CreateVirtualMFADevice (an `otpauth://totp/...`
 * URI an authenticator app scans). The QR matrix comes from `uqr` (ISO/IEC 18004, error
 * correction level M, best mask chosen) and the PNG from `fast-png`; both are web-standard only.
 */
import { encode as encodePng } from "fast-png";
import { encode as encodeQr } from "uqr";

/** `text` as a QR code in an 8-bit grayscale PNG: `scale` pixels per module, a 4-module quiet zone. */
export function qrPng(text: string, scale = 4): Uint8Array {
  const matrix = encodeQr(text, { ecc: "M", border: 4 }).data;
  const side = matrix.length * scale;
  const pixels = new Uint8Array(side * side).fill(255);
  for (let py = 0; py < side; py++) {
    const row = matrix[Math.floor(py / scale)]!;
    for (let px = 0; px < side; px++) if (row[Math.floor(px / scale)]) pixels[py * side + px] = 0;
  }
  return encodePng({ width: side, height: side, data: pixels, channels: 1, depth: 8 });
}
