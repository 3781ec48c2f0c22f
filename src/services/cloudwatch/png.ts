/**
 * The raster GetMetricWidgetImage draws on, written out as an 8-bit RGB PNG by `fast-png`.
 */
import { encode } from "fast-png";

/** An RGB raster, `width × height` pixels, row-major, 3 bytes a pixel. */
export class Raster {
  readonly pixels: Uint8Array;
  constructor(readonly width: number, readonly height: number, background: [number, number, number] = [255, 255, 255]) {
    this.pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) this.pixels.set(background, i * 3);
  }

  set(x: number, y: number, rgb: readonly [number, number, number]): void {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.pixels.set(rgb, (y * this.width + x) * 3);
  }

  /** A line from (x0, y0) to (x1, y1), `thickness` pixels (Bresenham, thickened downwards). */
  line(x0: number, y0: number, x1: number, y1: number, rgb: readonly [number, number, number], thickness = 1): void {
    x0 = Math.round(x0), y0 = Math.round(y0), x1 = Math.round(x1), y1 = Math.round(y1);
    const dx = Math.abs(x1 - x0);
    const dy = -Math.abs(y1 - y0);
    const sx = x0 < x1 ? 1 : -1;
    const sy = y0 < y1 ? 1 : -1;
    let err = dx + dy;
    for (let guard = 0; guard < 100_000; guard++) {
      for (let t = 0; t < thickness; t++) this.set(x0, y0 + t, rgb);
      if (x0 === x1 && y0 === y1) break;
      const e2 = 2 * err;
      if (e2 >= dy) { err += dy; x0 += sx; }
      if (e2 <= dx) { err += dx; y0 += sy; }
    }
  }

  /** The raster as PNG bytes. */
  toPng(): Uint8Array {
    return encode({ width: this.width, height: this.height, data: this.pixels, channels: 3, depth: 8 });
  }
}
