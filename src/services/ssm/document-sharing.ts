/**
 * Document sharing and review metadata: DescribeDocumentPermission, ModifyDocumentPermission
 * (share a document, its `$DEFAULT`, `$LATEST` or `$ALL` versions, with accounts or `All` = public; at most 1000 accounts:
 * `DocumentPermissionLimit`), UpdateDocumentMetadata and ListDocumentMetadataHistory (reviews of
 * `Automation.ChangeTemplate` documents; other types are `InvalidDocumentType`).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ModifyDocumentPermission.html
 * (and API_DescribeDocumentPermission, API_UpdateDocumentMetadata, API_ListDocumentMetadataHistory)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler } from "../types.ts";
import { docKey, loadDocument, pick, requireOwnDoc, type DocRecord } from "./documents.ts";
import { pageOf } from "./paging.ts";

const MAX_SHARED = 1000;
const norm = (id: string) => (id.toLowerCase() === "all" ? "all" : id);

export const documentSharingHandlers: Record<string, Handler> = {
  async DescribeDocumentPermission(input, ctx) {
    const record = await loadDocument(ctx, input.Name);
    if (!record) throw new AwsError("InvalidDocument", "The specified document does not exist.", 400);
    const shared = record.shared ?? [];
    const { page, NextToken } = pageOf(shared, input.MaxResults ?? 50, input.NextToken);
    return {
      AccountIds: page.map((s) => s.AccountId),
      AccountSharingInfoList: page.map((s) => ({ AccountId: s.AccountId, ...(s.SharedDocumentVersion ? { SharedDocumentVersion: s.SharedDocumentVersion } : {}) })),
      ...(NextToken ? { NextToken } : {}),
    };
  },

  async ModifyDocumentPermission(input, ctx) {
    const record = await requireOwnDoc(ctx, input.Name);
    const add: string[] = (input.AccountIdsToAdd ?? []).map(norm);
    const remove: string[] = (input.AccountIdsToRemove ?? []).map(norm);
    for (const id of [...add, ...remove]) {
      if (id !== "all" && !/^\d{12}$/.test(id)) throw new AwsError("InvalidPermissionType", `The account ID ${id} is not valid.`, 400);
    }
    const version: string | undefined = input.SharedDocumentVersion;
    let shared = (record.shared ?? []).filter((s) => !remove.includes(s.AccountId) && !add.includes(s.AccountId));
    shared = shared.concat(add.map((AccountId) => ({ AccountId, ...(version ? { SharedDocumentVersion: version } : {}) })));
    if (shared.length > MAX_SHARED) {
      throw new AwsError("DocumentPermissionLimit", `The document can't be shared with more than ${MAX_SHARED} accounts.`, 400);
    }
    await ctx.store.set(docKey(record.name), { ...record, shared } satisfies DocRecord);
    return {};
  },

  async UpdateDocumentMetadata(input, ctx) {
    const record = await requireOwnDoc(ctx, input.Name);
    if (record.type !== "Automation.ChangeTemplate") {
      throw new AwsError("InvalidDocumentType", "Only documents of type Automation.ChangeTemplate have review metadata.", 400);
    }
    const v = String(pick(record, input.DocumentVersion).version);
    const reviews = { ...(record.reviews ?? {}) };
    const list = [...(reviews[v] ?? [])];
    const now = ctx.clock.now();
    const action: string = input.DocumentReviews.Action;
    const comment = input.DocumentReviews.Comment;
    const last = list[list.length - 1];
    const status = action === "Approve" ? "APPROVED" : action === "Reject" ? "REJECTED" : action === "SendForReview" ? "PENDING" : last?.ReviewStatus ?? "NOT_REVIEWED";
    if (action === "UpdateReview" && last) list[list.length - 1] = { ...last, UpdatedTime: now, ...(comment ? { Comment: comment } : {}) };
    else list.push({ CreateTime: now, UpdatedTime: now, ReviewStatus: status, ...(comment ? { Comment: comment } : {}), Reviewer: `arn:aws:iam::${ctx.accountId}:root` });
    reviews[v] = list;
    await ctx.store.set(docKey(record.name), { ...record, reviews } satisfies DocRecord);
    return {};
  },

  async ListDocumentMetadataHistory(input, ctx) {
    const record = await loadDocument(ctx, input.Name);
    if (!record) throw new AwsError("InvalidDocument", "The specified document does not exist.", 400);
    const v = pick(record, input.DocumentVersion);
    const list = record.reviews?.[String(v.version)] ?? [];
    const { page, NextToken } = pageOf(list, input.MaxResults ?? 50, input.NextToken);
    return {
      Name: record.name,
      DocumentVersion: String(v.version),
      Author: record.owner ?? `arn:aws:iam::${ctx.accountId}:root`,
      Metadata: { ReviewerResponse: page.map((r) => ({ ...r, CreateTime: new Date(r.CreateTime), UpdatedTime: new Date(r.UpdatedTime) })) },
      ...(NextToken ? { NextToken } : {}),
    };
  },
};
