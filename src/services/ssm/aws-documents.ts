/**
 * AWS-owned SSM documents users commonly reference (Owner `Amazon`), as data: the Run Command
 * documents, the patching and package documents, a few Automation runbooks and the Session
 * Manager documents. Their content follows the published documents (parameters and steps);
 * `ListDocuments` lists them unless an `Owner` filter excludes Amazon, and they cannot be
 * updated, deleted or shared by an account.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html
 * and the documents themselves (`aws ssm get-document --name AWS-RunShellScript`).
 */

export interface AwsDocument {
  name: string;
  type: string;
  platforms: string[];
  version: number;
  targetType?: string;
  content: Record<string, unknown>;
}

const timeout = {
  type: "String", default: "3600",
  description: "(Optional) The time in seconds for a command to complete before it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800 (48 hours).",
  allowedPattern: "([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)",
};
const assumeRole = { type: "String", description: "(Optional) The ARN of the role that allows Automation to perform the actions on your behalf.", default: "" };
const instanceId = { type: "StringList", description: "(Required) EC2 Instance(s) to act on" };
const ec2Automation = (action: string, api: string, state: string): Record<string, unknown> => ({
  schemaVersion: "0.3",
  description: `${action} EC2 instances`,
  assumeRole: "{{ AutomationAssumeRole }}",
  parameters: { InstanceId: instanceId, AutomationAssumeRole: assumeRole },
  mainSteps: [
    { name: `${api}Instances`, action: "aws:changeInstanceState", inputs: { InstanceIds: "{{InstanceId}}", DesiredState: state } },
  ],
});
const session = (description: string, parameters: Record<string, unknown>, properties: Record<string, unknown>) => ({
  schemaVersion: "1.0", description, sessionType: "Port", parameters, properties,
});

export const AWS_DOCUMENTS: AwsDocument[] = [
  {
    name: "AWS-RunShellScript", type: "Command", platforms: ["Linux", "MacOS"], version: 1,
    content: {
      schemaVersion: "1.2",
      description: "Run a shell script or specify the commands to run.",
      parameters: {
        commands: { type: "StringList", description: "(Required) Specify a shell script or a command to run.", minItems: 1, displayType: "textarea" },
        workingDirectory: { type: "String", default: "", description: "(Optional) The path to the working directory on your instance.", maxChars: 4096 },
        executionTimeout: timeout,
      },
      runtimeConfig: { "aws:runShellScript": { properties: [{ id: "0.aws:runShellScript", runCommand: "{{ commands }}", workingDirectory: "{{ workingDirectory }}", timeoutSeconds: "{{ executionTimeout }}" }] } },
    },
  },
  {
    name: "AWS-RunPowerShellScript", type: "Command", platforms: ["Windows", "Linux", "MacOS"], version: 1,
    content: {
      schemaVersion: "1.2",
      description: "Run a PowerShell script or specify the paths to scripts to run.",
      parameters: {
        commands: { type: "StringList", description: "(Required) Specify the commands to run or the paths to existing scripts on the instance.", minItems: 1, displayType: "textarea" },
        workingDirectory: { type: "String", default: "", description: "(Optional) The path to the working directory on your instance.", maxChars: 4096 },
        executionTimeout: timeout,
      },
      runtimeConfig: { "aws:runPowerShellScript": { properties: [{ id: "0.aws:runPowerShellScript", runCommand: "{{ commands }}", workingDirectory: "{{ workingDirectory }}", timeoutSeconds: "{{ executionTimeout }}" }] } },
    },
  },
  {
    name: "AWS-ApplyPatchBaseline", type: "Command", platforms: ["Windows"], version: 1,
    content: {
      schemaVersion: "1.2",
      description: "Scans for or installs patches from a patch baseline to a Windows instance.",
      parameters: {
        Operation: { type: "String", description: "(Required) The update or configuration to perform on the instance. The system checks if patches specified in the patch baseline are installed on the instance. The install operation installs patches missing from the baseline.", allowedValues: ["Scan", "Install"] },
        SnapshotId: { type: "String", description: "(Optional) The snapshot ID to use to retrieve a patch baseline snapshot.", allowedPattern: "(^$)|^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$", default: "" },
      },
      runtimeConfig: { "aws:applyPatchBaseline": { properties: [{ id: "0.aws:applyPatchBaseline", operation: "{{ Operation }}", snapshotId: "{{ SnapshotId }}" }] } },
    },
  },
  {
    name: "AWS-RunPatchBaseline", type: "Command", platforms: ["Windows", "Linux", "MacOS"], version: 1,
    content: {
      schemaVersion: "2.2",
      description: "Scans for or installs patches from a patch baseline to a Linux or Windows operating system.",
      parameters: {
        Operation: { type: "String", description: "(Required) The update or configuration to perform on the instance.", allowedValues: ["Scan", "Install"] },
        SnapshotId: { type: "String", description: "(Optional) The snapshot ID to use to retrieve a patch baseline snapshot.", allowedPattern: "(^$)|^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$", default: "" },
        InstallOverrideList: { type: "String", description: "(Optional) An https URL or an Amazon S3 path-style URL to a list of patches to be installed.", allowedPattern: "(^$)|^https://.+$|^s3://([^/]+)/(.*?([^/]+))$", default: "" },
        RebootOption: { type: "String", description: "(Optional) Reboot behavior after a patch Install operation.", allowedValues: ["RebootIfNeeded", "NoReboot"], default: "RebootIfNeeded" },
      },
      mainSteps: [
        { precondition: { StringEquals: ["platformType", "Windows"] }, action: "aws:runPowerShellScript", name: "PatchWindows", inputs: { timeoutSeconds: 7200, runCommand: ["# patch baseline operation {{Operation}}"] } },
        { precondition: { StringEquals: ["platformType", "Linux"] }, action: "aws:runShellScript", name: "PatchLinux", inputs: { timeoutSeconds: 7200, runCommand: ["# patch baseline operation {{Operation}}"] } },
      ],
    },
  },
  {
    name: "AWS-UpdateSSMAgent", type: "Command", platforms: ["Windows", "Linux", "MacOS"], version: 1,
    content: {
      schemaVersion: "1.2",
      description: "Update the Amazon SSM Agent to the latest version or specified version.",
      parameters: {
        version: { default: "", description: "(Optional) A specific version of the Amazon SSM Agent to install. If not specified, the agent will be updated to the latest version.", type: "String" },
        allowDowngrade: { default: "false", description: "(Optional) Allow the Amazon SSM Agent service to be downgraded to an earlier version. If set to false, the service can be upgraded to newer versions only (default). If set to true, specify the earlier version.", type: "String", allowedValues: ["true", "false"] },
      },
      runtimeConfig: { "aws:updateSsmAgent": { properties: [{ agentName: "amazon-ssm-agent", source: "https://s3.{Region}.amazonaws.com/amazon-ssm-{Region}/ssm-agent-manifest.json", allowDowngrade: "{{ allowDowngrade }}", targetVersion: "{{ version }}" }] } },
    },
  },
  {
    name: "AWS-ConfigureAWSPackage", type: "Command", platforms: ["Windows", "Linux", "MacOS"], version: 1,
    content: {
      schemaVersion: "2.2",
      description: "Install or uninstall a Distributor package. You can install the latest version, default version, or a version of the package you specify.",
      parameters: {
        action: { description: "(Required) Specify whether or not to install or uninstall the package.", type: "String", allowedValues: ["Install", "Uninstall"] },
        installationType: { description: "(Optional) Specify the type of installation.", type: "String", allowedValues: ["Uninstall and reinstall", "In-place update"], default: "Uninstall and reinstall" },
        name: { description: "(Required) The package to install/uninstall", type: "String", allowedPattern: "^arn:[a-z0-9][-.a-z0-9]{0,62}:[a-z0-9][-.a-z0-9]{0,62}:([a-z0-9][-.a-z0-9]{0,62})?:([a-z0-9][-.a-z0-9]{0,62})?:(package|document)\\/[a-zA-Z0-9/:.\\-_]{1,128}$|^[a-zA-Z0-9/:.\\-_]{1,128}$" },
        version: { type: "String", description: "(Optional) The version of the package to install or uninstall.", default: "" },
        additionalArguments: { description: "(Optional) The additional parameters to provide to your install, uninstall, or update scripts.", type: "StringMap", displayType: "textarea", default: {} },
      },
      mainSteps: [{ action: "aws:configurePackage", name: "configurePackage", inputs: { name: "{{ name }}", action: "{{ action }}", installationType: "{{installationType}}", version: "{{ version }}", additionalArguments: "{{ additionalArguments }}" } }],
    },
  },
  {
    name: "AWS-GatherSoftwareInventory", type: "Policy", platforms: ["Windows", "Linux", "MacOS"], version: 1,
    content: {
      schemaVersion: "2.0",
      description: "Software Inventory Policy Document.",
      parameters: {
        applications: { type: "String", default: "Enabled", description: "(Optional) Collect data for installed applications.", allowedValues: ["Enabled", "Disabled"] },
        awsComponents: { type: "String", default: "Enabled", description: "(Optional) Collect data for AWS Components like amazon-ssm-agent.", allowedValues: ["Enabled", "Disabled"] },
        networkConfig: { type: "String", default: "Enabled", description: "(Optional) Collect data for Network configurations.", allowedValues: ["Enabled", "Disabled"] },
        instanceDetailedInformation: { type: "String", default: "Enabled", description: "(Optional) Collect additional information about the instance, including the CPU model, speed, and the number of cores, to name a few.", allowedValues: ["Enabled", "Disabled"] },
      },
      mainSteps: [{ action: "aws:softwareInventory", name: "collectSoftwareInventoryItems", inputs: { applications: "{{ applications }}", awsComponents: "{{ awsComponents }}", networkConfig: "{{ networkConfig }}", instanceDetailedInformation: "{{ instanceDetailedInformation }}" } }],
    },
  },
  { name: "AWS-StartEC2Instance", type: "Automation", platforms: ["Windows", "Linux", "MacOS"], version: 1, targetType: "/AWS::EC2::Instance", content: ec2Automation("Start", "start", "running") },
  { name: "AWS-StopEC2Instance", type: "Automation", platforms: ["Windows", "Linux", "MacOS"], version: 1, targetType: "/AWS::EC2::Instance", content: ec2Automation("Stop", "stop", "stopped") },
  { name: "AWS-RestartEC2Instance", type: "Automation", platforms: ["Windows", "Linux", "MacOS"], version: 1, targetType: "/AWS::EC2::Instance", content: ec2Automation("Restart", "restart", "running") },
  {
    name: "AWS-StartPortForwardingSession", type: "Session", platforms: ["Windows", "Linux", "MacOS"], version: 1,
    content: session("Document to start port forwarding session over Session Manager", {
      portNumber: { type: "String", description: "(Optional) Port number of the server on the instance", allowedPattern: "^([1-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$", default: "80" },
      localPortNumber: { type: "String", description: "(Optional) Port number on local machine to forward traffic to. An open port is chosen at run-time if not provided", allowedPattern: "^([0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$", default: "0" },
    }, { portNumber: "{{ portNumber }}", type: "LocalPortForwarding", localPortNumber: "{{ localPortNumber }}" }),
  },
  {
    name: "AWS-StartPortForwardingSessionToRemoteHost", type: "Session", platforms: ["Windows", "Linux", "MacOS"], version: 1,
    content: session("Document to start port forwarding session over Session Manager to a remote host", {
      host: { type: "String", description: "(Required) The IP address or DNS name of the remote host", allowedPattern: "^[^,$^&\\(\\)!;'\"<>\\`{}\\[\\]\\|#=]{3,}$" },
      portNumber: { type: "String", description: "(Optional) Port number of the remote host", default: "80" },
      localPortNumber: { type: "String", description: "(Optional) Port number on local machine to forward traffic to", default: "0" },
    }, { host: "{{ host }}", portNumber: "{{ portNumber }}", type: "LocalPortForwarding", localPortNumber: "{{ localPortNumber }}" }),
  },
  {
    name: "AWS-StartSSHSession", type: "Session", platforms: ["Windows", "Linux", "MacOS"], version: 1,
    content: session("Document to start SSH session over Session Manager", {
      portNumber: { type: "String", description: "(Optional) Port number of SSH server on the instance", allowedPattern: "^\\d+$", default: "22" },
    }, { portNumber: "{{ portNumber }}" }),
  },
  {
    name: "AWS-StartInteractiveCommand", type: "Session", platforms: ["Windows", "Linux", "MacOS"], version: 1,
    content: {
      schemaVersion: "1.0", description: "Document to run single interactive command on an instance", sessionType: "InteractiveCommands",
      parameters: { command: { type: "String", description: "The command to run on the instance" } },
      properties: { windows: { commands: "{{command}}", runAsElevated: false }, linux: { commands: "{{command}}", runAsElevated: false }, macos: { commands: "{{command}}", runAsElevated: false } },
    },
  },
];

export const AWS_DOCUMENT_CREATED = Date.UTC(2017, 7, 1);
