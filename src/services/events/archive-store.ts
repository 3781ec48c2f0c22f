/**
 * Archived events: what a bus received that matched an archive, under
 * ["archived", archive, receivedAt, eventId]; retention applies when they are read.
 */
import { listValues, type Scope } from "./common.ts";
import type { ArchiveState } from "../../generated/events.ts";
import { matches } from "./matching.ts";

export interface StoredArchive {
  ArchiveName: string;
  ArchiveArn: string;
  EventSourceArn: string;
  /** Name of the source bus (same account and region). */
  bus: string;
  Description?: string;
  EventPattern?: string;
  RetentionDays: number;
  KmsKeyIdentifier?: string;
  State: ArchiveState;
  CreationTime: number;
}

export const archiveKey = (name: string) => ["archive", name];
const DAY = 86_400_000;

/** Called for the events a bus receives (not replays): keeps each in every matching archive. */
export async function archiveEvents(scope: Scope, bus: string, events: Record<string, unknown>[], now: number): Promise<void> {
  const archives = (await listValues<StoredArchive>(scope.store, ["archive"])).filter((a) => a.bus === bus && a.State === "ENABLED");
  for (const archive of archives) {
    for (const event of events) {
      if (archive.EventPattern && !matches(archive.EventPattern, event)) continue;
      await scope.store.set(["archived", archive.ArchiveName, now, String(event.id)], event);
    }
  }
}

export async function archivedEvents(scope: Scope, archive: StoredArchive, now: number, from = -Infinity, to = Infinity): Promise<{ at: number; event: Record<string, unknown> }[]> {
  const out: { at: number; event: Record<string, unknown> }[] = [];
  const oldest = archive.RetentionDays > 0 ? now - archive.RetentionDays * DAY : -Infinity;
  for await (const e of scope.store.list<Record<string, unknown>>({ prefix: ["archived", archive.ArchiveName] })) {
    const at = e.key[2] as number;
    if (at < oldest) {
      await scope.store.delete(e.key);
      continue;
    }
    const time = Date.parse(String(e.value.time));
    if (time >= from && time <= to) out.push({ at, event: e.value });
  }
  return out;
}

