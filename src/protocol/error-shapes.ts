/**
 * Error shapes of a model, found by an AwsError's code: the shape named by the code, or the
 * shape whose `error.code` is the code (query-protocol codes such as SQS's
 * `AWS.SimpleQueueService.NonExistentQueue`). Legacy query traits (SQS) are searched first.
 */
import type { ServiceModel, Shape } from "./model.ts";

export interface ErrorShapeInfo {
  name: string;
  shape: Shape;
  /** Code on the query wire (`error.code`), else the shape name. */
  queryCode: string;
  httpStatus?: number;
}

const cache = new WeakMap<ServiceModel, Map<string, ErrorShapeInfo | null>>();

export function findErrorShape(model: ServiceModel, code: string): ErrorShapeInfo | undefined {
  let byCode = cache.get(model);
  if (!byCode) cache.set(model, (byCode = new Map()));
  const hit = byCode.get(code);
  if (hit !== undefined) return hit ?? undefined;
  let found: ErrorShapeInfo | null = null;
  for (const shapes of [model.legacyQuery?.shapes, model.shapes]) {
    if (!shapes || found) continue;
    const direct = shapes[code];
    if (direct?.exception || direct?.error) {
      found = info(code, direct, model);
      break;
    }
    for (const [name, shape] of Object.entries(shapes)) {
      if (shape.error?.code === code && shape.exception) {
        found = info(name, shape, model);
        break;
      }
    }
  }
  byCode.set(code, found);
  return found ?? undefined;
}

function info(name: string, shape: Shape, model: ServiceModel): ErrorShapeInfo {
  // Members come from the current model; query code and status may only be in the legacy one.
  const current = model.shapes[name] ?? shape;
  const legacy = model.legacyQuery?.shapes[name];
  const error = { ...current.error, ...legacy?.error };
  return { name, shape: current, queryCode: error.code ?? name, httpStatus: error.httpStatusCode };
}
