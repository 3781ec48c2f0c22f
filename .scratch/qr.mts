import { qrPng, qrMatrix } from "../src/services/iam/qr-png.ts";
import jsQR from "jsqr";
for (const text of ["hello", "otpauth://totp/alice-mfa@000000000000?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services", "x".repeat(300)]) {
  const m = qrMatrix(text);
  const scale = 4, border = 4, side = (m.length + 8) * scale;
  const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) {
    const my = Math.floor(y / scale) - border, mx = Math.floor(x / scale) - border;
    if (my >= 0 && my < m.length && mx >= 0 && mx < m.length && m[my][mx]) { const o = (y * side + x) * 4; rgba[o] = rgba[o+1] = rgba[o+2] = 0; }
  }
  const r = jsQR(rgba, side, side);
  console.log(m.length, r?.data === text, qrPng(text).length);
}
