// The fetchstack CLI (dist/cli.js) with one addition for bench/memory.ts: SIGUSR2 runs a full
// garbage collection (the process must run with --expose-gc), so RSS is read without garbage,
// and prints the heap's spaces (MEMORY_SPACES=1) to tell V8's share of RSS from the rest.
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
// V8 flags set at run time, as the CLI could (MEMORY_RUNTIME_FLAGS="--flag --flag").
for (const flag of process.env.MEMORY_RUNTIME_FLAGS?.split(" ").filter(Boolean) ?? []) setFlagsFromString(flag);
process.on("SIGUSR2", () => {
  globalThis.gc?.();
  globalThis.gc?.();
  if (process.env.MEMORY_SPACES) {
    const MiB = (n) => (n / 1048576).toFixed(1);
    const m = process.memoryUsage();
    const spaces = getHeapSpaceStatistics().map((s) => `${s.space_name.replace(/_space$/, "")} ${MiB(s.space_size)}/${MiB(s.space_used_size)}`).join(", ");
    process.stdout.write(`heap total ${MiB(m.heapTotal)} used ${MiB(m.heapUsed)} external ${MiB(m.external)} buffers ${MiB(m.arrayBuffers)}; spaces (size/used MiB): ${spaces}\n`);
  }
  process.stdout.write("gc done\n");
});
await import("../dist/cli.js");
