/**
 * In-process event bus between services (SNS → SQS, S3 → notifications, Firehose → S3).
 * Listeners run after the emitting request's state is written; their failures are logged,
 * never thrown back at the emitter.
 */
import type { EventBus } from "./services/types.ts";

export function createEventBus(onError: (error: unknown) => void, track: (p: Promise<unknown>) => void): EventBus {
  const listeners = new Map<string, Set<(detail: unknown) => void | Promise<void>>>();
  return {
    emit(type, detail) {
      for (const listener of listeners.get(type) ?? []) {
        try {
          const result = listener(detail);
          if (result && typeof (result as Promise<void>).then === "function") {
            track((result as Promise<void>).catch(onError));
          }
        } catch (error) {
          onError(error);
        }
      }
    },
    on(type, listener) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      set.add(listener);
      return () => set!.delete(listener);
    },
  };
}
