/**
 * IAM temporary delegation requests across a partner's and a customer's accounts, and
 * GetHumanReadableSummary, through the JS SDK in-process.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  AcceptDelegationRequestCommand, AssociateDelegationRequestCommand, CreateDelegationRequestCommand, GetDelegationRequestCommand,
  GetHumanReadableSummaryCommand, IAMClient, ListDelegationRequestsCommand, RejectDelegationRequestCommand, SendDelegationTokenCommand,
  UpdateDelegationRequestCommand,
} from "@aws-sdk/client-iam";
import { createEmulator } from "../../../src/emulator.ts";
import { inProcess } from "../../helpers/clients.ts";

async function error(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

describe("IAM delegation requests", () => {
  let partner: IAMClient, customer: IAMClient, stranger: IAMClient;
  beforeEach(() => {
    const emulator = createEmulator({ credentials: { "222222222222": "p", "333333333333": "c", "444444444444": "s" } });
    const client = (key: string, secret: string) => new IAMClient({ ...inProcess(emulator), credentials: { accessKeyId: key, secretAccessKey: secret } });
    partner = client("222222222222", "p");
    customer = client("333333333333", "c");
    stranger = client("444444444444", "s");
  });

  const create = (extra: object = {}) => partner.send(new CreateDelegationRequestCommand({
    Description: "Set up monitoring", Permissions: { PolicyTemplateArn: "arn:aws:iam::aws:delegation-template/ExampleTemplate", Parameters: [{ Name: "bucket", Values: ["logs"], Type: "string" }] },
    RequestorWorkflowId: "workflow-1", NotificationChannel: "arn:aws:sns:us-east-1:222222222222:tokens", SessionDuration: 3600, ...extra,
  }));

  it("create, associate, update, accept, send the token; each state change in order", async () => {
    const { DelegationRequestId: id, ConsoleDeepLink } = await create({ OwnerAccountId: "333333333333", OnlySendByOwner: true });
    expect(ConsoleDeepLink).toContain(id!);
    expect(await error(create())).toMatchObject({ name: "EntityAlreadyExistsException", status: 409 });
    expect((await partner.send(new GetDelegationRequestCommand({ DelegationRequestId: id }))).DelegationRequest).toMatchObject({ State: "UNASSIGNED", RequestorId: "222222222222", OwnerAccountId: "333333333333", SessionDuration: 3600 });
    expect(await error(stranger.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id })))).toMatchObject({ name: "NoSuchEntityException", status: 404 });
    expect(await error(customer.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id })))).toMatchObject({ name: "InvalidInputException" });

    await customer.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id }));
    await customer.send(new UpdateDelegationRequestCommand({ DelegationRequestId: id, Notes: "please approve" }));
    expect(await error(customer.send(new SendDelegationTokenCommand({ DelegationRequestId: id })))).toMatchObject({ name: "InvalidInputException" });
    await customer.send(new AcceptDelegationRequestCommand({ DelegationRequestId: id }));
    const accepted = (await customer.send(new GetDelegationRequestCommand({ DelegationRequestId: id }))).DelegationRequest!;
    expect(accepted).toMatchObject({ State: "ACCEPTED", OwnerId: "arn:aws:iam::333333333333:root", ApproverId: "arn:aws:iam::333333333333:root", Notes: "please approve" });
    expect(await error(partner.send(new SendDelegationTokenCommand({ DelegationRequestId: id })))).toMatchObject({ name: "NoSuchEntityException" });
    await customer.send(new SendDelegationTokenCommand({ DelegationRequestId: id }));
    expect((await partner.send(new GetDelegationRequestCommand({ DelegationRequestId: id }))).DelegationRequest!.State).toBe("FINALIZED");
    expect(await error(customer.send(new RejectDelegationRequestCommand({ DelegationRequestId: id })))).toMatchObject({ name: "InvalidInputException" });
    expect((await customer.send(new ListDelegationRequestsCommand({}))).DelegationRequests!.map((r) => r.DelegationRequestId)).toEqual([id]);
    expect((await stranger.send(new ListDelegationRequestsCommand({}))).DelegationRequests).toEqual([]);

    const summary = await customer.send(new GetHumanReadableSummaryCommand({ EntityArn: `arn:aws:iam::333333333333:delegation-request/${id}` }));
    expect(summary).toMatchObject({ SummaryState: "AVAILABLE", Locale: "en" });
    expect(summary.SummaryContent).toContain("Account 222222222222 requests temporary access to account 333333333333 for 60 minutes.");
    expect(summary.SummaryContent).toContain("bucket = logs");
    expect(await error(customer.send(new GetHumanReadableSummaryCommand({ EntityArn: "arn:aws:iam::333333333333:user/alice" })))).toMatchObject({ name: "InvalidInputException" });
  });

  it("no owner named: any account associates; a request is rejected with its reason", async () => {
    const { DelegationRequestId: id } = await create();
    await stranger.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id }));
    expect(await error(customer.send(new AssociateDelegationRequestCommand({ DelegationRequestId: id })))).toMatchObject({ name: "NoSuchEntityException" });
    await stranger.send(new RejectDelegationRequestCommand({ DelegationRequestId: id, Notes: "not now" }));
    expect((await partner.send(new GetDelegationRequestCommand({ DelegationRequestId: id }))).DelegationRequest).toMatchObject({ State: "REJECTED", RejectionReason: "not now", OwnerAccountId: "444444444444" });
  });
});
