/**
 * Amazon MemoryDB control plane over awsJson 1.1 (AmazonMemoryDB.*). No Redis/Valkey is
 * started; clusters report the metadata AWS reports (endpoints, shards, nodes, ARNs).
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_Operations.html
 *
 * Resources are ready at once: a create answers with the transitional status AWS answers
 * with (`creating`), later reads show the settled one (`available` / `active`). User ↔ ACL
 * membership and ACL → clusters are derived from the ACLs and clusters when read, so they
 * are always consistent both ways.
 */
import { defineService } from "../types.ts";
import { memorydbAuthorization } from "./authorization.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import model from "../../../models/memorydb.json" with { type: "json" };
import { aclHandlers } from "./acls.ts";
import { catalogHandlers } from "./catalog-ops.ts";
import { clusterHandlers } from "./clusters.ts";
import { withDefaults } from "./defaults.ts";
import { eventHandlers } from "./events.ts";
import { multiRegionHandlers } from "./multi-region.ts";
import { parameterGroupHandlers } from "./parameter-groups.ts";
import { snapshotHandlers } from "./snapshots.ts";
import { subnetGroupHandlers } from "./subnet-groups.ts";
import { tagHandlers } from "./tags.ts";
import { userHandlers } from "./users.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";

export default defineService<Ops>({
  name: "memorydb",
  authorization: memorydbAuthorization,
  model: model as unknown as ServiceModel,
  handlers: withDefaults({
    ...clusterHandlers,
    ...subnetGroupHandlers,
    ...userHandlers,
    ...aclHandlers,
    ...parameterGroupHandlers,
    ...snapshotHandlers,
    ...eventHandlers,
    ...catalogHandlers,
    ...multiRegionHandlers,
    ...tagHandlers,
  }),
});
