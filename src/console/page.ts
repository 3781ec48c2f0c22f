/**
 * The console's one HTML page, with its script and styles inline (no other request, no CDN):
 * the assets are built from `src/console/app/` by `scripts/build-console.mjs` into
 * `assets.generated.ts`, a module every runtime imports like any other.
 */
import { CONSOLE_CSS, CONSOLE_JS } from "./assets.generated.ts";

let page: string | undefined;

export function consolePage(): string {
  // `</script` cannot occur in the bundle as a string's content: esbuild escapes it.
  page ??= `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fetchstack console</title><link rel="icon" href="data:,"><style>${CONSOLE_CSS}</style></head>
<body><fs-console></fs-console><script type="module">${CONSOLE_JS}</script></body></html>`;
  return page;
}
