/**
 * SSM's IAM actions and resources per operation (`ssm:<Operation>` on the parameter ARN,
 * `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`), for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
 */
import type { AuthorizationEnv, AuthorizationMap, Input } from "../../policy/authorization.ts";

const parameterArn = (name: string, env: AuthorizationEnv) =>
  name.startsWith("arn:") ? name : `arn:aws:ssm:${env.region}:${env.account}:parameter/${name.replace(/^\//, "")}`;
const one = (member: string) => (input: Input, env: AuthorizationEnv) => (input[member] ? parameterArn(String(input[member]), env) : undefined);
const many = (input: Input, env: AuthorizationEnv) => ((input.Names ?? []) as string[]).map((n) => parameterArn(n.split(":")[0], env));

const documentArn = (member: string) => (input: Input, env: AuthorizationEnv) =>
  input[member] ? `arn:aws:ssm:${env.region}:${env.account}:document/${String(input[member])}` : undefined;
const windowArn = (input: Input, env: AuthorizationEnv) =>
  input.WindowId ? `arn:aws:ssm:${env.region}:${env.account}:maintenancewindow/${String(input.WindowId)}` : undefined;
const onDocument = { resource: documentArn("Name") };

const opsItemArn = (input: Input, env: AuthorizationEnv) =>
  input.OpsItemId ? `arn:aws:ssm:${env.region}:${env.account}:opsitem/${String(input.OpsItemId)}` : undefined;
const baselineArn = (input: Input, env: AuthorizationEnv) =>
  input.BaselineId ? (String(input.BaselineId).startsWith("arn:") ? String(input.BaselineId) : `arn:aws:ssm:${env.region}:${env.account}:patchbaseline/${String(input.BaselineId)}`) : undefined;
const associationArn = (input: Input, env: AuthorizationEnv) =>
  input.AssociationId ? `arn:aws:ssm:${env.region}:${env.account}:association/${String(input.AssociationId)}` : undefined;
const onWindow = { resource: windowArn };
const onOpsItem = { resource: opsItemArn };
const onBaseline = { resource: baselineArn };
const onAssociation = { resource: associationArn };

/** Operations not listed act on `*` (lists, settings, sessions, ...). */
export const ssmAuthorization: AuthorizationMap = {
  prefix: "ssm",
  resource: "*",
  operations: {
    DeleteParameter: { resource: one("Name") },
    GetParameterHistory: { resource: (input, env) => (input.Name ? parameterArn(String(input.Name).split(":")[0], env) : undefined) },
    UnlabelParameterVersion: { resource: one("Name") },
    RegisterTargetWithMaintenanceWindow: onWindow,
    RegisterTaskWithMaintenanceWindow: onWindow,
    DeregisterTargetFromMaintenanceWindow: onWindow,
    DeregisterTaskFromMaintenanceWindow: onWindow,
    UpdateMaintenanceWindowTarget: onWindow,
    UpdateMaintenanceWindowTask: onWindow,
    GetMaintenanceWindowTask: onWindow,
    DescribeMaintenanceWindowTargets: onWindow,
    DescribeMaintenanceWindowTasks: onWindow,
    DescribeMaintenanceWindowExecutions: onWindow,
    CreateAssociation: { resource: documentArn("Name"), tags: "Tags" },
    DescribeAssociation: onAssociation,
    UpdateAssociation: onAssociation,
    DeleteAssociation: onAssociation,
    ListAssociationVersions: onAssociation,
    GetOpsItem: onOpsItem,
    UpdateOpsItem: onOpsItem,
    DeleteOpsItem: onOpsItem,
    GetPatchBaseline: onBaseline,
    UpdatePatchBaseline: onBaseline,
    DeletePatchBaseline: onBaseline,
    RegisterDefaultPatchBaseline: onBaseline,
    RegisterPatchBaselineForPatchGroup: onBaseline,
    DeregisterPatchBaselineForPatchGroup: onBaseline,
    ModifyDocumentPermission: onDocument,
    DescribeDocumentPermission: onDocument,
    StartAutomationExecution: { resource: (input, env) => (input.DocumentName ? `arn:aws:ssm:${env.region}:${env.account}:automation-definition/${String(input.DocumentName)}:$DEFAULT` : undefined), tags: "Tags" },
    StartSession: { resource: (input, env) => (input.Target ? `arn:aws:ec2:${env.region}:${env.account}:instance/${String(input.Target)}` : undefined) },
    GetParameter: { resource: (input, env) => (input.Name ? parameterArn(String(input.Name).split(":")[0], env) : undefined) },
    GetParameters: { resource: many },
    DeleteParameters: { resource: many },
    PutParameter: { resource: one("Name"), tags: "Tags", context: { "ssm:Overwrite": (i) => (i.Overwrite ? "true" : "false") } },
    GetParametersByPath: { resource: one("Path"), context: { "ssm:Recursive": (i) => (i.Recursive ? "true" : "false") } },
    DescribeParameters: { resource: "*" },
    LabelParameterVersion: { resource: one("Name") },
    AddTagsToResource: { resource: (i, env) => (i.ResourceType === "Parameter" ? parameterArn(String(i.ResourceId), env) : "*"), tags: "Tags" },
    RemoveTagsFromResource: { resource: (i, env) => (i.ResourceType === "Parameter" ? parameterArn(String(i.ResourceId), env) : "*") },
    ListTagsForResource: { resource: (i, env) => (i.ResourceType === "Parameter" ? parameterArn(String(i.ResourceId), env) : "*") },
    CreateDocument: { ...onDocument, tags: "Tags" },
    GetDocument: onDocument,
    DescribeDocument: onDocument,
    UpdateDocument: onDocument,
    UpdateDocumentDefaultVersion: onDocument,
    DeleteDocument: onDocument,
    ListDocumentVersions: onDocument,
    ListDocuments: { resource: "*" },
    SendCommand: { resource: documentArn("DocumentName") },
    CreateMaintenanceWindow: { resource: "*", tags: "Tags" },
    DescribeMaintenanceWindows: { resource: "*" },
    GetMaintenanceWindow: { resource: windowArn },
    UpdateMaintenanceWindow: { resource: windowArn },
    DeleteMaintenanceWindow: { resource: windowArn },
  },
};
