/**
 * Documents through every client: create (JSON, YAML, a Change Calendar, a change template),
 * versions, the default version, lookups by version and version name, listings with filters,
 * AWS-owned documents, sharing, reviews, tags on documents, calendar state, deletes.
 */
import { expect } from "vitest";
import { call, fails, type Step } from "../walkthrough.ts";

const command = (echo: string) => JSON.stringify({
  schemaVersion: "2.2",
  description: "Says something",
  parameters: { Message: { type: "String", description: "What to say", default: "hi" } },
  mainSteps: [{ action: "aws:runShellScript", name: "say", inputs: { runCommand: [`echo ${echo} {{ Message }}`] } }],
});
const yaml = "schemaVersion: '2.2'\ndescription: YAML document\nmainSteps:\n  - action: aws:runShellScript\n    name: run\n    inputs:\n      runCommand: [uptime]\n";
const calendar = [
  "BEGIN:VCALENDAR", "PRODID:-//AWS//Change Calendar 1.0//EN", "VERSION:2.0", "X-CALENDAR-TYPE:DEFAULT_OPEN",
  "BEGIN:VEVENT", "UID:freeze-1", "SUMMARY:release freeze", "DTSTART:20260301T000000Z", "DTEND:20260303T000000Z", "END:VEVENT",
  "END:VCALENDAR",
].join("\r\n");
const template = JSON.stringify({
  description: "Change template", templateInformation: "# Restart", emergencyChange: false, autoApprovable: false,
  mainSteps: [{ name: "run", action: "aws:executeAutomation", inputs: { DocumentName: "AWS-RestartEC2Instance" } }],
  schemaVersion: "0.3",
});

export const documentSteps: Step[] = [
  call("CreateDocument", { Name: "Say-Hello", Content: command("one"), DocumentType: "Command", VersionName: "v1", Tags: [{ Key: "team", Value: "a" }] }, {
    check: (out) => {
      expect(out.DocumentDescription).toMatchObject({
        Name: "Say-Hello", Status: "Active", DocumentVersion: "1", LatestVersion: "1", DefaultVersion: "1", VersionName: "v1", SchemaVersion: "2.2",
        Description: "Says something", DocumentType: "Command", DocumentFormat: "JSON", HashType: "Sha256", PlatformTypes: ["Linux", "MacOS"],
        Owner: "000000000000", Tags: [{ Key: "team", Value: "a" }], Parameters: [{ Name: "Message", Type: "String", Description: "What to say", DefaultValue: "hi" }],
      });
      expect(out.DocumentDescription!.Hash).toMatch(/^[0-9a-f]{64}$/);
    },
  }),
  fails("CreateDocument", { Name: "Say-Hello", Content: command("x") }, "DocumentAlreadyExists"),
  fails("CreateDocument", { Name: "Broken", Content: "{not json" }, "InvalidDocumentContent"),
  fails("CreateDocument", { Name: "AWS-Mine", Content: command("x") }, "ValidationException"),
  call("CreateDocument", { Name: "Yaml-Doc", Content: yaml, DocumentFormat: "YAML", DocumentType: "Command" }, {
    check: (out) => expect(out.DocumentDescription).toMatchObject({ Name: "Yaml-Doc", DocumentFormat: "YAML", DocumentVersion: "1" }),
  }),
  call("CreateDocument", { Name: "Freeze-Calendar", Content: calendar, DocumentFormat: "TEXT", DocumentType: "ChangeCalendar" }),
  call("CreateDocument", { Name: "Restart-Template", Content: template, DocumentType: "Automation.ChangeTemplate" }),

  call("UpdateDocument", { Name: "Say-Hello", Content: command("two"), DocumentVersion: "$LATEST", VersionName: "v2" }, {
    check: (out) => expect(out.DocumentDescription).toMatchObject({ DocumentVersion: "2", LatestVersion: "2", DefaultVersion: "1", VersionName: "v2" }),
  }),
  fails("UpdateDocument", { Name: "Say-Hello", Content: command("two"), DocumentVersion: "$LATEST" }, "DuplicateDocumentContent"),
  fails("UpdateDocument", { Name: "AWS-RunShellScript", Content: command("x"), DocumentVersion: "$LATEST" }, "InvalidDocumentOperation"),
  call("GetDocument", { Name: "Say-Hello" }, { check: (out) => expect(out).toMatchObject({ Name: "Say-Hello", DocumentVersion: "1", VersionName: "v1", Content: command("one"), DocumentType: "Command", DocumentFormat: "JSON", Status: "Active" }) }),
  call("GetDocument", { Name: "Say-Hello", VersionName: "v2" }, { check: (out) => expect(out).toMatchObject({ DocumentVersion: "2", Content: command("two") }) }),
  call("GetDocument", { Name: "Yaml-Doc" }, { check: (out) => expect(out).toMatchObject({ Content: yaml, DocumentFormat: "YAML" }) }),
  fails("GetDocument", { Name: "Say-Hello", DocumentVersion: "9" }, "InvalidDocumentVersion"),
  fails("GetDocument", { Name: "No-Such-Doc" }, "InvalidDocument"),
  call("UpdateDocumentDefaultVersion", { Name: "Say-Hello", DocumentVersion: "2" }, {
    check: (out) => expect(out.Description).toEqual({ Name: "Say-Hello", DefaultVersion: "2", DefaultVersionName: "v2" }),
  }),
  call("DescribeDocument", { Name: "Say-Hello" }, { check: (out) => expect(out.Document).toMatchObject({ DocumentVersion: "2", DefaultVersion: "2", LatestVersion: "2" }) }),
  call("DescribeDocument", { Name: "AWS-RunShellScript" }, {
    check: (out) => expect(out.Document).toMatchObject({ Name: "AWS-RunShellScript", Owner: "Amazon", DocumentType: "Command", PlatformTypes: expect.arrayContaining(["Linux"]) }),
  }),
  call("ListDocumentVersions", { Name: "Say-Hello" }, {
    check: (out) => expect(out.DocumentVersions!.map((v) => [v.DocumentVersion, v.IsDefaultVersion, v.VersionName])).toEqual([["1", false, "v1"], ["2", true, "v2"]]),
  }),
  call("ListDocuments", { Filters: [{ Key: "Owner", Values: ["Self"] }] }, {
    check: (out) => expect(out.DocumentIdentifiers!.map((d) => d.Name).sort()).toEqual(["Freeze-Calendar", "Restart-Template", "Say-Hello", "Yaml-Doc"]),
  }),
  call("ListDocuments", { Filters: [{ Key: "DocumentType", Values: ["ChangeCalendar"] }, { Key: "Owner", Values: ["Self"] }] }, {
    check: (out) => expect(out.DocumentIdentifiers!.map((d) => d.Name)).toEqual(["Freeze-Calendar"]),
  }),
  call("ListDocuments", { Filters: [{ Key: "Owner", Values: ["Amazon"] }, { Key: "Name", Values: ["AWS-RunShell"] }] }, {
    check: (out) => expect(out.DocumentIdentifiers!.map((d) => d.Name)).toEqual(["AWS-RunShellScript"]),
  }),

  call("AddTagsToResource", { ResourceType: "Document", ResourceId: "Say-Hello", Tags: [{ Key: "env", Value: "prod" }] }),
  call("ListTagsForResource", { ResourceType: "Document", ResourceId: "Say-Hello" }, {
    check: (out) => expect(out.TagList).toEqual([{ Key: "team", Value: "a" }, { Key: "env", Value: "prod" }]),
  }),
  call("RemoveTagsFromResource", { ResourceType: "Document", ResourceId: "Say-Hello", TagKeys: ["team"] }),
  call("ListDocuments", { Filters: [{ Key: "tag:env", Values: ["prod"] }] }, {
    check: (out) => expect(out.DocumentIdentifiers!.map((d) => [d.Name, d.Tags])).toEqual([["Say-Hello", [{ Key: "env", Value: "prod" }]]]),
  }),

  call("ModifyDocumentPermission", { Name: "Say-Hello", PermissionType: "Share", AccountIdsToAdd: ["111122223333", "444455556666"], SharedDocumentVersion: "$DEFAULT" }),
  call("ModifyDocumentPermission", { Name: "Say-Hello", PermissionType: "Share", AccountIdsToRemove: ["444455556666"] }),
  call("DescribeDocumentPermission", { Name: "Say-Hello", PermissionType: "Share" }, {
    check: (out) => expect(out).toMatchObject({ AccountIds: ["111122223333"], AccountSharingInfoList: [{ AccountId: "111122223333", SharedDocumentVersion: "$DEFAULT" }] }),
  }),
  fails("ModifyDocumentPermission", { Name: "Say-Hello", PermissionType: "Share", AccountIdsToAdd: ["not-an-account"] }, "InvalidPermissionType"),
  fails("ModifyDocumentPermission", { Name: "AWS-RunShellScript", PermissionType: "Share", AccountIdsToAdd: ["111122223333"] }, "InvalidDocumentOperation"),

  call("UpdateDocumentMetadata", { Name: "Restart-Template", DocumentVersion: "1", DocumentReviews: { Action: "Approve", Comment: [{ Type: "Comment", Content: "looks fine" }] } }),
  call("ListDocumentMetadataHistory", { Name: "Restart-Template", DocumentVersion: "1", Metadata: "DocumentReviews" }, {
    check: (out) => {
      expect(out).toMatchObject({ Name: "Restart-Template", DocumentVersion: "1" });
      expect(out.Metadata!.ReviewerResponse).toEqual([expect.objectContaining({ ReviewStatus: "APPROVED", Comment: [{ Type: "Comment", Content: "looks fine" }] })]);
    },
  }),
  fails("UpdateDocumentMetadata", { Name: "Say-Hello", DocumentReviews: { Action: "Approve" } }, "InvalidDocumentType"),

  call("GetCalendarState", { CalendarNames: ["Freeze-Calendar"], AtTime: "2026-03-02T12:00:00Z" }, {
    check: (out) => expect(out).toEqual({ State: "CLOSED", AtTime: "2026-03-02T12:00:00Z", NextTransitionTime: "2026-03-03T00:00:00Z" }),
  }),
  call("GetCalendarState", { CalendarNames: ["Freeze-Calendar"], AtTime: "2026-02-01T00:00:00Z" }, {
    check: (out) => expect(out).toEqual({ State: "OPEN", AtTime: "2026-02-01T00:00:00Z", NextTransitionTime: "2026-03-01T00:00:00Z" }),
  }),
  fails("GetCalendarState", { CalendarNames: ["Say-Hello"] }, "InvalidDocumentType"),

  fails("DeleteDocument", { Name: "Say-Hello", DocumentVersion: "2" }, "InvalidDocumentOperation"),
  call("DeleteDocument", { Name: "Say-Hello", DocumentVersion: "1" }),
  call("ListDocumentVersions", { Name: "Say-Hello" }, { check: (out) => expect(out.DocumentVersions!.map((v) => v.DocumentVersion)).toEqual(["2"]) }),
  call("DeleteDocument", { Name: "Say-Hello" }),
  fails("DescribeDocument", { Name: "Say-Hello" }, "InvalidDocument"),
];
