/**
 * STS through the AWS SDK for JavaScript v3, in-process and over HTTP, on each test store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AssumeRoleCommand, AssumeRoleWithSAMLCommand, AssumeRoleWithWebIdentityCommand, AssumeRootCommand,
  DecodeAuthorizationMessageCommand, GetAccessKeyInfoCommand, GetCallerIdentityCommand,
  GetFederationTokenCommand, GetSessionTokenCommand, GetWebIdentityTokenCommand, STSClient,
} from "@aws-sdk/client-sts";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createRequestHandler } from "../../../src/runtime/sdk.ts";
import { STORES, startTestServer, TEST_CREDENTIALS } from "../../helpers/clients.ts";

const ROLE = "arn:aws:iam::111122223333:role/service/deployer";

function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}.c2lnbmF0dXJl`;
}

function samlResponse(sessionName: string): string {
  const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">
  <saml:Issuer>https://idp.example.com/saml</saml:Issuer>
  <saml:Assertion>
    <saml:Issuer>https://idp.example.com/saml</saml:Issuer>
    <saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice@example.com</saml:NameID></saml:Subject>
    <saml:Conditions NotBefore="2000-01-01T00:00:00Z" NotOnOrAfter="2999-01-01T00:00:00Z">
      <saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>${sessionName}</saml:AttributeValue></saml:Attribute>
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>`;
  return btoa(xml);
}

type Transport = { name: string; client: (credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => STSClient; iam: IAMClient };

/** The role the tests assume: STS checks with IAM that it exists. */
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });

const clock = { t: Date.parse("2026-11-22T00:00:00Z"), now() { return this.t; } };

const transports: { name: string; setup: () => Promise<{ transport: Transport; close: () => Promise<void> }> }[] = [];
for (const store of STORES) {
  transports.push({
    name: `in-process, ${store.name}`,
    async setup() {
      const emulator: Emulator = createEmulator({ store: store.make(), clock });
      const handler = createRequestHandler(emulator);
      return {
        transport: {
          name: "in-process",
          client: (credentials = TEST_CREDENTIALS) => new STSClient({ region: "us-east-1", credentials, requestHandler: handler }),
          iam: new IAMClient({ region: "us-east-1", credentials: { accessKeyId: "111122223333", secretAccessKey: "x" }, requestHandler: handler }),
        },
        close: async () => {},
      };
    },
  });
}
transports.push({
  name: "over HTTP (Node server)",
  async setup() {
    const server = await startTestServer();
    return {
      transport: {
        name: "http",
        client: (credentials = TEST_CREDENTIALS) => new STSClient({ region: "us-east-1", credentials, endpoint: server.url }),
        iam: new IAMClient({ region: "us-east-1", credentials: { accessKeyId: "111122223333", secretAccessKey: "x" }, endpoint: server.url }),
      },
      close: () => server.close(),
    };
  },
});

for (const { name, setup } of transports) {
  describe(`STS ${name}`, () => {
    let t: Transport;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ transport: t, close } = await setup());
      await t.iam.send(new CreateRoleCommand({ RoleName: "deployer", Path: "/service/", AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 43200 }));
    });
    afterAll(() => close());

    it("GetCallerIdentity answers the default account's root", async () => {
      const out = await t.client().send(new GetCallerIdentityCommand({}));
      expect(out.Account).toBe("000000000000");
      expect(out.Arn).toBe("arn:aws:iam::000000000000:root");
      expect(out.UserId).toBe("000000000000");
    });

    it("a 12-digit access key id is the account", async () => {
      const out = await t.client({ accessKeyId: "123456789012", secretAccessKey: "x" }).send(new GetCallerIdentityCommand({}));
      expect(out.Account).toBe("123456789012");
      expect(out.Arn).toBe("arn:aws:iam::123456789012:root");
    });

    it("AssumeRole issues credentials that act as the assumed role", async () => {
      const out = await t.client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "ci-run", DurationSeconds: 1800 }));
      const creds = out.Credentials!;
      expect(creds.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
      expect(creds.SecretAccessKey).toHaveLength(40);
      expect(creds.SessionToken!.length).toBeGreaterThan(100);
      const start = t.name === "http" ? Date.now() : clock.now();
      expect(Math.abs(creds.Expiration!.getTime() - (start + 1800_000))).toBeLessThan(t.name === "http" ? 60_000 : 1);
      expect(out.AssumedRoleUser!.Arn).toBe("arn:aws:sts::111122223333:assumed-role/deployer/ci-run");
      expect(out.AssumedRoleUser!.AssumedRoleId).toMatch(/^AROA[A-Z2-7]{17}:ci-run$/);
      expect(out.PackedPolicySize).toBeUndefined();

      const session = t.client({ accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken });
      const me = await session.send(new GetCallerIdentityCommand({}));
      expect(me).toMatchObject({ Account: "111122223333", Arn: out.AssumedRoleUser!.Arn, UserId: out.AssumedRoleUser!.AssumedRoleId });

      const info = await t.client().send(new GetAccessKeyInfoCommand({ AccessKeyId: creds.AccessKeyId }));
      expect(info.Account).toBe("111122223333");

      // Role chaining is limited to one hour.
      await expect(session.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "chained", DurationSeconds: 7200 })))
        .rejects.toMatchObject({ name: "ValidationError", message: expect.stringContaining("role chaining") });
      const chained = await session.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "chained" }));
      expect(chained.AssumedRoleUser!.Arn).toBe("arn:aws:sts::111122223333:assumed-role/deployer/chained");
    });

    it("expired session credentials get ExpiredToken", async () => {
      const out = await t.client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "short", DurationSeconds: 900 }));
      const c = out.Credentials!;
      const session = t.client({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken });
      if (t.name === "http") return; // the HTTP server runs on the real clock
      clock.t += 901_000;
      try {
        await expect(session.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "ExpiredTokenException" });
      } finally {
        clock.t -= 901_000;
      }
    });

    it("AssumeRole validates its input the way STS does", async () => {
      await expect(t.client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "x", DurationSeconds: 100 })))
        .rejects.toMatchObject({
          name: "ValidationError",
          message: "2 validation errors detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
          $metadata: { httpStatusCode: 400 },
        });
      await expect(t.client().send(new AssumeRoleCommand({ RoleArn: ROLE } as never)))
        .rejects.toMatchObject({ name: "ValidationError", message: "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null" });
      await expect(t.client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "ok", Policy: "{not json" })))
        .rejects.toMatchObject({ name: "MalformedPolicyDocumentException", $metadata: { httpStatusCode: 400 } });
      await expect(t.client().send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111122223333:user/bob", RoleSessionName: "ok" })))
        .rejects.toMatchObject({ name: "ValidationError" });
    });

    it("AssumeRole reports PackedPolicySize for session policies and tags", async () => {
      const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
      const out = await t.client().send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: "tagged", Policy: policy, Tags: [{ Key: "team", Value: "core" }], SourceIdentity: "alice" }));
      expect(out.PackedPolicySize).toBeGreaterThan(0);
      expect(out.PackedPolicySize).toBeLessThanOrEqual(100);
      expect(out.SourceIdentity).toBe("alice");
    });

    it("AssumeRoleWithWebIdentity reads the token's claims", async () => {
      const token = jwt({ sub: "repo:org/app:ref:refs/heads/main", aud: "sts.amazonaws.com", iss: "https://token.actions.githubusercontent.com", exp: 4_000_000_000 });
      const out = await t.client().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: "gha", WebIdentityToken: token }));
      expect(out.SubjectFromWebIdentityToken).toBe("repo:org/app:ref:refs/heads/main");
      expect(out.Audience).toBe("sts.amazonaws.com");
      expect(out.Provider).toBe("token.actions.githubusercontent.com");
      expect(out.AssumedRoleUser!.Arn).toBe("arn:aws:sts::111122223333:assumed-role/deployer/gha");
      await expect(t.client().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: "gha", WebIdentityToken: "not-a-jwt" })))
        .rejects.toMatchObject({ name: "InvalidIdentityTokenException" });
    });

    it("AssumeRoleWithSAML reads the assertion", async () => {
      const out = await t.client().send(new AssumeRoleWithSAMLCommand({
        RoleArn: ROLE, PrincipalArn: "arn:aws:iam::111122223333:saml-provider/corp", SAMLAssertion: samlResponse("alice"),
      }));
      expect(out.Subject).toBe("alice@example.com");
      expect(out.SubjectType).toBe("persistent");
      expect(out.Issuer).toBe("https://idp.example.com/saml");
      expect(out.Audience).toBe("https://signin.aws.amazon.com/saml");
      expect(out.NameQualifier).toMatch(/^[A-Za-z0-9+/]{27}=$/);
      expect(out.AssumedRoleUser!.Arn).toBe("arn:aws:sts::111122223333:assumed-role/deployer/alice");
    });

    it("GetSessionToken and GetFederationToken", async () => {
      const session = await t.client().send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
      const c = session.Credentials!;
      const asSession = t.client({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken });
      expect((await asSession.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::000000000000:root");
      await expect(asSession.send(new GetSessionTokenCommand({}))).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });

      const fed = await t.client().send(new GetFederationTokenCommand({ Name: "bob" }));
      expect(fed.FederatedUser).toEqual({ FederatedUserId: "000000000000:bob", Arn: "arn:aws:sts::000000000000:federated-user/bob" });
      const f = fed.Credentials!;
      const asFed = t.client({ accessKeyId: f.AccessKeyId!, secretAccessKey: f.SecretAccessKey!, sessionToken: f.SessionToken });
      expect((await asFed.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:sts::000000000000:federated-user/bob");
    });

    it("AssumeRoot, DecodeAuthorizationMessage, GetWebIdentityToken", async () => {
      const root = await t.client().send(new AssumeRootCommand({ TargetPrincipal: "444455556666", TaskPolicyArn: { arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" } }));
      const r = root.Credentials!;
      const asRoot = t.client({ accessKeyId: r.AccessKeyId!, secretAccessKey: r.SecretAccessKey!, sessionToken: r.SessionToken });
      expect((await asRoot.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::444455556666:root");
      await expect(t.client().send(new DecodeAuthorizationMessageCommand({ EncodedMessage: "garbage!!" })))
        .rejects.toMatchObject({ name: "InvalidAuthorizationMessageException" });
      await expect(t.client().send(new GetWebIdentityTokenCommand({ Audience: ["x"], SigningAlgorithm: "RS256" })))
        .rejects.toMatchObject({ name: "OutboundWebIdentityFederationDisabledException", $metadata: { httpStatusCode: 403 } });
    });
  });
}
