// The fetchstack CLI (dist/cli.js) with one addition for bench/memory.ts: SIGUSR2 runs a full
// garbage collection (the process must run with --expose-gc), so RSS is read without garbage.
process.on("SIGUSR2", () => {
  globalThis.gc?.();
  globalThis.gc?.();
  process.stdout.write("gc done\n");
});
await import("../dist/cli.js");
