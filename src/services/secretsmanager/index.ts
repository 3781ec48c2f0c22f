/**
 * secretsmanager: not implemented yet. Every operation of the model answers 501 NotImplemented.
 */
import { defineService } from "../types.ts";
import model from "../../../models/secretsmanager.json" with { type: "json" };
import type { ServiceModel } from "../../protocol/model.ts";

export default defineService({
  name: "secretsmanager",
  model: model as unknown as ServiceModel,
  handlers: {},
});
