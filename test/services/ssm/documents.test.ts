/**
 * SSM documents as state (issue 17): create, read, version, list, default version, delete, with
 * SSM's errors; SendCommand answers InvalidInstanceId (no managed instances). JS SDK in-process.
 */
import { describe, expect, it } from "vitest";
import {
  CreateDocumentCommand, DeleteDocumentCommand, DescribeDocumentCommand, GetDocumentCommand, ListDocumentsCommand, ListDocumentVersionsCommand,
  SendCommandCommand, SSMClient, UpdateDocumentCommand, UpdateDocumentDefaultVersionCommand,
} from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const ssm = new SSMClient(inProcess(createEmulator({ store: createMemoryStore() })));
const content = (echo: string) => JSON.stringify({
  schemaVersion: "2.2",
  description: "Says something",
  parameters: { Message: { type: "String", description: "What to say", default: "hi" } },
  mainSteps: [{ action: "aws:runShellScript", name: "say", inputs: { runCommand: [`echo ${echo}`] } }],
});

describe("SSM documents", () => {
  it("CreateDocument describes the document from its content; GetDocument returns it", async () => {
    const created = await ssm.send(new CreateDocumentCommand({ Name: "Say-Hello", Content: content("one"), DocumentType: "Command", VersionName: "v1", Tags: [{ Key: "team", Value: "a" }] }));
    expect(created.DocumentDescription).toMatchObject({
      Name: "Say-Hello", Status: "Active", DocumentVersion: "1", LatestVersion: "1", DefaultVersion: "1", VersionName: "v1",
      SchemaVersion: "2.2", Description: "Says something", DocumentType: "Command", DocumentFormat: "JSON", HashType: "Sha256",
      PlatformTypes: ["Linux", "MacOS"], Owner: "000000000000", Tags: [{ Key: "team", Value: "a" }],
      Parameters: [{ Name: "Message", Type: "String", Description: "What to say", DefaultValue: "hi" }],
    });
    expect(created.DocumentDescription!.Hash).toMatch(/^[0-9a-f]{64}$/);
    const got = await ssm.send(new GetDocumentCommand({ Name: "Say-Hello" }));
    expect(got).toMatchObject({ Name: "Say-Hello", DocumentVersion: "1", Content: content("one"), DocumentType: "Command", Status: "Active" });
    expect((await error(ssm.send(new CreateDocumentCommand({ Name: "Say-Hello", Content: content("x") })))).name).toBe("DocumentAlreadyExists");
    expect((await error(ssm.send(new CreateDocumentCommand({ Name: "Bad", Content: "{not json" })))).name).toBe("InvalidDocumentContent");
    expect((await error(ssm.send(new CreateDocumentCommand({ Name: "AWS-Mine", Content: content("x") })))).name).toBe("ValidationException");
    expect((await error(ssm.send(new GetDocumentCommand({ Name: "Nope" })))).name).toBe("InvalidDocument");
  });

  it("UpdateDocument adds versions; $LATEST, numbers and version names select; the default version moves", async () => {
    const updated = await ssm.send(new UpdateDocumentCommand({ Name: "Say-Hello", Content: content("two"), DocumentVersion: "$LATEST", VersionName: "v2" }));
    expect(updated.DocumentDescription).toMatchObject({ DocumentVersion: "2", LatestVersion: "2", DefaultVersion: "1" });
    expect((await error(ssm.send(new UpdateDocumentCommand({ Name: "Say-Hello", Content: content("two"), DocumentVersion: "$LATEST" })))).name).toBe("DuplicateDocumentContent");
    expect((await error(ssm.send(new UpdateDocumentCommand({ Name: "Say-Hello", Content: content("three"), DocumentVersion: "1" })))).name).toBe("InvalidDocumentVersion");
    expect((await ssm.send(new GetDocumentCommand({ Name: "Say-Hello" }))).Content).toBe(content("one"));
    expect((await ssm.send(new GetDocumentCommand({ Name: "Say-Hello", DocumentVersion: "$LATEST" }))).Content).toBe(content("two"));
    expect((await ssm.send(new GetDocumentCommand({ Name: "Say-Hello", VersionName: "v2" }))).DocumentVersion).toBe("2");
    expect((await error(ssm.send(new GetDocumentCommand({ Name: "Say-Hello", DocumentVersion: "9" })))).name).toBe("InvalidDocumentVersion");
    const def = await ssm.send(new UpdateDocumentDefaultVersionCommand({ Name: "Say-Hello", DocumentVersion: "2" }));
    expect(def.Description).toEqual({ Name: "Say-Hello", DefaultVersion: "2", DefaultVersionName: "v2" });
    expect((await ssm.send(new DescribeDocumentCommand({ Name: "Say-Hello" }))).Document).toMatchObject({ DocumentVersion: "2", DefaultVersion: "2" });
    const versions = await ssm.send(new ListDocumentVersionsCommand({ Name: "Say-Hello" }));
    expect(versions.DocumentVersions!.map((v) => [v.DocumentVersion, v.IsDefaultVersion, v.VersionName])).toEqual([["1", false, "v1"], ["2", true, "v2"]]);
  });

  it("ListDocuments with filters and pages", async () => {
    await ssm.send(new CreateDocumentCommand({ Name: "Auto-One", Content: JSON.stringify({ schemaVersion: "0.3", mainSteps: [] }), DocumentType: "Automation" }));
    await ssm.send(new CreateDocumentCommand({ Name: "Yaml-Doc", Content: "schemaVersion: '2.2'\nmainSteps: []\n", DocumentFormat: "YAML" }));
    const all = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] }));
    expect(all.DocumentIdentifiers!.map((d) => d.Name).sort()).toEqual(["Auto-One", "Say-Hello", "Yaml-Doc"]);
    const automation = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "DocumentType", Values: ["Automation"] }, { Key: "Owner", Values: ["Self"] }] }));
    expect(automation.DocumentIdentifiers!.map((d) => d.Name)).toEqual(["Auto-One"]);
    const tagged = await ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "tag:team", Values: ["a"] }] }));
    expect(tagged.DocumentIdentifiers!.map((d) => d.Name)).toEqual(["Say-Hello"]);
    const first = await ssm.send(new ListDocumentsCommand({ MaxResults: 2, Filters: [{ Key: "Owner", Values: ["Self"] }] }));
    const second = await ssm.send(new ListDocumentsCommand({ MaxResults: 2, NextToken: first.NextToken, Filters: [{ Key: "Owner", Values: ["Self"] }] }));
    expect([...first.DocumentIdentifiers!, ...second.DocumentIdentifiers!]).toHaveLength(3);
    expect(second.NextToken).toBeUndefined();
    expect((await error(ssm.send(new ListDocumentsCommand({ Filters: [{ Key: "Bogus", Values: ["x"] }] })))).name).toBe("InvalidFilterKey");
  });

  it("SendCommand: no managed instances here (InvalidInstanceId); unknown documents are InvalidDocument", async () => {
    const e = await error(ssm.send(new SendCommandCommand({ DocumentName: "Say-Hello", InstanceIds: ["i-0123456789abcdef0"] })));
    expect(e.name).toBe("InvalidInstanceId");
    expect(e.message).toContain("i-0123456789abcdef0");
    expect((await error(ssm.send(new SendCommandCommand({ DocumentName: "Missing", InstanceIds: ["i-0123456789abcdef0"] })))).name).toBe("InvalidDocument");
  });

  it("DeleteDocument removes a version (not the default) or the whole document", async () => {
    expect((await error(ssm.send(new DeleteDocumentCommand({ Name: "Say-Hello", DocumentVersion: "2" })))).name).toBe("InvalidDocumentOperation");
    await ssm.send(new DeleteDocumentCommand({ Name: "Say-Hello", DocumentVersion: "1" }));
    expect((await ssm.send(new ListDocumentVersionsCommand({ Name: "Say-Hello" }))).DocumentVersions!.map((v) => v.DocumentVersion)).toEqual(["2"]);
    await ssm.send(new DeleteDocumentCommand({ Name: "Say-Hello" }));
    expect((await error(ssm.send(new DescribeDocumentCommand({ Name: "Say-Hello" })))).name).toBe("InvalidDocument");
  });
});
