/**
 * Server certificates (UploadServerCertificate ... UntagServerCertificate: PEM certificate, its
 * private key, optional chain; Expiration from the certificate; the key must be the
 * certificate's; 20 per account) and users' signing certificates (UploadSigningCertificate ...
 * DeleteSigningCertificate: X.509 PEM, 2 per user, Active/Inactive).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadServerCertificate.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UploadSigningCertificate.html
 *
 * The private key is kept (IAM keeps it for the services that use the certificate) and never
 * returned.
 */
import type { Handlers } from "../types.ts";
import type { Operations, ServerCertificateMetadata, Tag } from "../../generated/iam.ts";
import { AwsError } from "../../protocol/errors.ts";
import {
  alreadyExists, date, deleteRecord, getRecord, iamArn, limitExceeded, listRecords, mergeTags, noSuchEntity, paginate,
  putRecord, randomText, removeTags, scopeOf, tagsOut, underPath, uniqueId, type Scope,
} from "./common.ts";
import { loadUser, type SigningCertificateRecord, type UserRecord } from "./records.ts";
import { namedOrCaller } from "./users.ts";
import { keyMatches, parseCertificate, parseCertificateDer, pemBlocks } from "./der.ts";

/** IAM's ServerCertificatesPerAccount and SigningCertificatesPerUser quotas. */
const MAX_SERVER_CERTIFICATES = 20;
const MAX_SIGNING_CERTIFICATES = 2;

interface ServerCertificateRecord {
  ServerCertificateName: string;
  ServerCertificateId: string;
  Path: string;
  Arn: string;
  UploadDate: number;
  Expiration: number;
  CertificateBody: string;
  CertificateChain?: string;
  PrivateKey: string;
  Tags: Tag[];
}

const malformedCertificate = (message: string) => new AwsError("MalformedCertificateException", message, 400);

function metadata(cert: ServerCertificateRecord): ServerCertificateMetadata {
  return {
    Path: cert.Path, ServerCertificateName: cert.ServerCertificateName, ServerCertificateId: cert.ServerCertificateId, Arn: cert.Arn,
    UploadDate: date(cert.UploadDate), Expiration: date(cert.Expiration),
  };
}

async function loadServerCertificate(scope: Scope, name: string): Promise<ServerCertificateRecord> {
  const cert = await getRecord<ServerCertificateRecord>(scope, "server-certificate", name);
  if (!cert) throw noSuchEntity(`The Server Certificate with name ${name} cannot be found.`);
  return cert;
}

function findSigning(user: UserRecord, id: string): SigningCertificateRecord {
  const cert = user.SigningCertificates.find((c) => c.CertificateId === id);
  if (!cert) throw noSuchEntity(`The Certificate with id ${id} cannot be found.`);
  return cert;
}

export const certificateHandlers: Handlers<Operations> = {
  async UploadServerCertificate(input, ctx) {
    const scope = scopeOf(ctx);
    if (await getRecord(scope, "server-certificate", input.ServerCertificateName)) {
      throw alreadyExists(`The Server Certificate with name ${input.ServerCertificateName} already exists.`);
    }
    const info = parseCertificate(input.CertificateBody);
    if (!info) throw malformedCertificate("Unable to parse certificate. Please ensure the certificate is in PEM format.");
    if (input.CertificateChain !== undefined) {
      const chain = pemBlocks(input.CertificateChain);
      if (!chain.length || chain.some((b) => b.label !== "CERTIFICATE" || !parseCertificateDer(b.der))) {
        throw malformedCertificate("Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.");
      }
    }
    const matches = await keyMatches(info, input.PrivateKey);
    if (matches === "malformed") throw malformedCertificate("Unable to parse private key. Please ensure the private key is in PEM format.");
    if (!matches) throw new AwsError("KeyPairMismatchException", "The public key in the certificate does not match the private key.", 400);
    if ((await listRecords(scope, "server-certificate")).length >= MAX_SERVER_CERTIFICATES) {
      throw limitExceeded(`Cannot exceed quota for ServerCertificatesPerAccount: ${MAX_SERVER_CERTIFICATES}`);
    }
    const path = input.Path ?? "/";
    const cert: ServerCertificateRecord = {
      ServerCertificateName: input.ServerCertificateName, ServerCertificateId: uniqueId("ASCA"), Path: path,
      Arn: iamArn(scope.account, "server-certificate", path, input.ServerCertificateName), UploadDate: scope.now, Expiration: info.notAfter,
      CertificateBody: input.CertificateBody, CertificateChain: input.CertificateChain, PrivateKey: input.PrivateKey, Tags: mergeTags([], input.Tags),
    };
    await putRecord(scope, "server-certificate", cert.ServerCertificateName, cert);
    return { ServerCertificateMetadata: metadata(cert), Tags: tagsOut(cert.Tags) };
  },

  async GetServerCertificate(input, ctx) {
    const cert = await loadServerCertificate(scopeOf(ctx), input.ServerCertificateName);
    return {
      ServerCertificate: {
        ServerCertificateMetadata: metadata(cert), CertificateBody: cert.CertificateBody, CertificateChain: cert.CertificateChain, Tags: tagsOut(cert.Tags),
      },
    };
  },

  async ListServerCertificates(input, ctx) {
    const certs = underPath(await listRecords<ServerCertificateRecord>(scopeOf(ctx), "server-certificate"), input.PathPrefix);
    const page = paginate(certs.map(metadata), input.Marker, input.MaxItems);
    return { ServerCertificateMetadataList: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateServerCertificate(input, ctx) {
    const scope = scopeOf(ctx);
    const cert = await loadServerCertificate(scope, input.ServerCertificateName);
    const name = input.NewServerCertificateName ?? cert.ServerCertificateName;
    const path = input.NewPath ?? cert.Path;
    if (name.toLowerCase() !== cert.ServerCertificateName.toLowerCase() && (await getRecord(scope, "server-certificate", name))) {
      throw alreadyExists(`The Server Certificate with name ${name} already exists.`);
    }
    await deleteRecord(scope, "server-certificate", cert.ServerCertificateName);
    await putRecord(scope, "server-certificate", name, { ...cert, ServerCertificateName: name, Path: path, Arn: iamArn(scope.account, "server-certificate", path, name) });
    return {};
  },

  async DeleteServerCertificate(input, ctx) {
    const scope = scopeOf(ctx);
    const cert = await loadServerCertificate(scope, input.ServerCertificateName);
    await deleteRecord(scope, "server-certificate", cert.ServerCertificateName);
    return {};
  },

  async TagServerCertificate(input, ctx) {
    const scope = scopeOf(ctx);
    const cert = await loadServerCertificate(scope, input.ServerCertificateName);
    await putRecord(scope, "server-certificate", cert.ServerCertificateName, { ...cert, Tags: mergeTags(cert.Tags, input.Tags) });
    return {};
  },

  async UntagServerCertificate(input, ctx) {
    const scope = scopeOf(ctx);
    const cert = await loadServerCertificate(scope, input.ServerCertificateName);
    await putRecord(scope, "server-certificate", cert.ServerCertificateName, { ...cert, Tags: removeTags(cert.Tags, input.TagKeys) });
    return {};
  },

  async ListServerCertificateTags(input, ctx) {
    const cert = await loadServerCertificate(scopeOf(ctx), input.ServerCertificateName);
    const page = paginate(cert.Tags, input.Marker, input.MaxItems);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  // ---- signing certificates ----

  async UploadSigningCertificate(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await namedOrCaller(ctx, input.UserName);
    const info = parseCertificate(input.CertificateBody);
    if (!info) throw malformedCertificate("Unable to parse certificate. Please ensure the certificate is in PEM format.");
    if (info.notAfter < scope.now) throw new AwsError("InvalidCertificateException", "The certificate is expired.", 400);
    const body = input.CertificateBody.trim();
    if (user.SigningCertificates.some((c) => c.CertificateBody.trim() === body)) {
      throw new AwsError("DuplicateCertificateException", "The certificate already exists for this user.", 409);
    }
    if (user.SigningCertificates.length >= MAX_SIGNING_CERTIFICATES) {
      throw limitExceeded(`Cannot exceed quota for SigningCertificatesPerUser: ${MAX_SIGNING_CERTIFICATES}`);
    }
    const cert: SigningCertificateRecord = {
      CertificateId: randomText(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), CertificateBody: input.CertificateBody, Status: "Active", UploadDate: scope.now,
    };
    await putRecord(scope, "user", user.UserName, { ...user, SigningCertificates: [...user.SigningCertificates, cert] });
    return { Certificate: { UserName: user.UserName, ...cert, UploadDate: date(cert.UploadDate) } };
  },

  async ListSigningCertificates(input, ctx) {
    const user = await namedOrCaller(ctx, input.UserName);
    const page = paginate(user.SigningCertificates.map((c) => ({ UserName: user.UserName, ...c, UploadDate: date(c.UploadDate) })), input.Marker, input.MaxItems);
    return { Certificates: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateSigningCertificate(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await namedOrCaller(ctx, input.UserName);
    findSigning(user, input.CertificateId);
    const certs = user.SigningCertificates.map((c) => (c.CertificateId === input.CertificateId ? { ...c, Status: input.Status as "Active" | "Inactive" } : c));
    await putRecord(scope, "user", user.UserName, { ...user, SigningCertificates: certs });
    return {};
  },

  async DeleteSigningCertificate(input, ctx) {
    const scope = scopeOf(ctx);
    const user = input.UserName !== undefined ? await loadUser(scope, input.UserName) : await namedOrCaller(ctx, undefined);
    findSigning(user, input.CertificateId);
    await putRecord(scope, "user", user.UserName, { ...user, SigningCertificates: user.SigningCertificates.filter((c) => c.CertificateId !== input.CertificateId) });
    return {};
  },
};
