/**
 * Identity providers: OpenID Connect (ARN `oidc-provider/<host><path>`, client ids, thumbprints)
 * and SAML (ARN `saml-provider/<name>`, metadata document), with tags.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html
 */
import type { Handlers } from "../types.ts";
import type { Operations, Tag } from "../../generated/iam.ts";
import {
  alreadyExists, date, deleteRecord, getRecord, invalidInput, limitExceeded, listRecords, mergeTags, noSuchEntity, paginate, putRecord,
  removeTags, scopeOf, tagsOut, type Scope,
} from "./common.ts";

interface OidcRecord {
  Arn: string;
  Url: string;
  ClientIDList: string[];
  ThumbprintList: string[];
  CreateDate: number;
  Tags: Tag[];
}

interface SamlRecord {
  Arn: string;
  Name: string;
  SAMLMetadataDocument: string;
  SAMLProviderUUID: string;
  CreateDate: number;
  ValidUntil: number;
  Tags: Tag[];
}

/** `https://host/path` → `host/path` (IAM keys and names providers by URL without scheme). */
function oidcId(url: string): string {
  if (!/^https:\/\/[^\s/]+/.test(url)) throw invalidInput("Invalid Openid Connect Provider URL");
  return url.replace(/^https:\/\//, "").replace(/\/$/, "");
}

function oidcIdFromArn(scope: Scope, arn: string): string {
  const prefix = `arn:aws:iam::${scope.account}:oidc-provider/`;
  if (!arn.startsWith(prefix)) throw invalidInput(`ARN ${arn} is not valid.`);
  return arn.slice(prefix.length);
}

async function loadOidc(scope: Scope, arn: string): Promise<OidcRecord> {
  const record = await getRecord<OidcRecord>(scope, "oidc", oidcIdFromArn(scope, arn));
  if (!record) throw noSuchEntity(`OpenIDConnect Provider not found for arn ${arn}`);
  return record;
}

async function loadSaml(scope: Scope, arn: string): Promise<SamlRecord> {
  const name = /^arn:aws[a-z-]*:iam::(\d{12}):saml-provider\/([\w.@-]+)$/.exec(arn);
  if (!name || name[1] !== scope.account) throw invalidInput(`ARN ${arn} is not valid.`);
  const record = await getRecord<SamlRecord>(scope, "saml", name[2]);
  if (!record) throw noSuchEntity(`Manifest not found for arn ${arn}`);
  return record;
}

function checkMetadata(document: string): number {
  if (!/EntityDescriptor/.test(document)) throw invalidInput("Could not parse metadata");
  const validUntil = /validUntil="([^"]+)"/.exec(document)?.[1];
  return validUntil && !Number.isNaN(Date.parse(validUntil)) ? Date.parse(validUntil) : Date.UTC(2100, 0, 1);
}

export const providerHandlers: Handlers<Operations> = {
  async CreateOpenIDConnectProvider(input, ctx) {
    const scope = scopeOf(ctx);
    const id = oidcId(input.Url);
    if (await getRecord(scope, "oidc", id)) throw alreadyExists(`Provider with url ${input.Url} already exists.`);
    if ((input.ThumbprintList?.length ?? 0) > 5) throw limitExceeded("Thumbprint list must contain fewer than 5 entries.");
    if ((input.ClientIDList?.length ?? 0) > 100) throw limitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100");
    const record: OidcRecord = {
      Arn: `arn:aws:iam::${scope.account}:oidc-provider/${id}`,
      Url: id,
      ClientIDList: [...new Set(input.ClientIDList ?? [])],
      ThumbprintList: input.ThumbprintList ?? [],
      CreateDate: scope.now,
      Tags: mergeTags([], input.Tags),
    };
    await putRecord(scope, "oidc", id, record);
    return { OpenIDConnectProviderArn: record.Arn, Tags: tagsOut(record.Tags) };
  },

  async GetOpenIDConnectProvider(input, ctx) {
    const record = await loadOidc(scopeOf(ctx), input.OpenIDConnectProviderArn);
    return { Url: record.Url, ClientIDList: record.ClientIDList, ThumbprintList: record.ThumbprintList, CreateDate: date(record.CreateDate), Tags: tagsOut(record.Tags) };
  },

  async ListOpenIDConnectProviders(_input, ctx) {
    return { OpenIDConnectProviderList: (await listRecords<OidcRecord>(scopeOf(ctx), "oidc")).map((r) => ({ Arn: r.Arn })) };
  },

  async DeleteOpenIDConnectProvider(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await loadOidc(scope, input.OpenIDConnectProviderArn);
    await deleteRecord(scope, "oidc", record.Url);
    return {};
  },

  async AddClientIDToOpenIDConnectProvider(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await loadOidc(scope, input.OpenIDConnectProviderArn);
    if (!record.ClientIDList.includes(input.ClientID)) {
      await putRecord(scope, "oidc", record.Url, { ...record, ClientIDList: [...record.ClientIDList, input.ClientID] });
    }
    return {};
  },

  async RemoveClientIDFromOpenIDConnectProvider(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await loadOidc(scope, input.OpenIDConnectProviderArn);
    await putRecord(scope, "oidc", record.Url, { ...record, ClientIDList: record.ClientIDList.filter((c) => c !== input.ClientID) });
    return {};
  },

  async UpdateOpenIDConnectProviderThumbprint(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await loadOidc(scope, input.OpenIDConnectProviderArn);
    await putRecord(scope, "oidc", record.Url, { ...record, ThumbprintList: input.ThumbprintList });
    return {};
  },

  async TagOpenIDConnectProvider(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await loadOidc(scope, input.OpenIDConnectProviderArn);
    await putRecord(scope, "oidc", record.Url, { ...record, Tags: mergeTags(record.Tags, input.Tags) });
    return {};
  },

  async UntagOpenIDConnectProvider(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await loadOidc(scope, input.OpenIDConnectProviderArn);
    await putRecord(scope, "oidc", record.Url, { ...record, Tags: removeTags(record.Tags, input.TagKeys) });
    return {};
  },

  async ListOpenIDConnectProviderTags(input, ctx) {
    const record = await loadOidc(scopeOf(ctx), input.OpenIDConnectProviderArn);
    const page = paginate(record.Tags, input.Marker, input.MaxItems);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  // ---- SAML ----

  async CreateSAMLProvider(input, ctx) {
    const scope = scopeOf(ctx);
    if (await getRecord(scope, "saml", input.Name)) throw alreadyExists(`SAMLProvider ${input.Name} already exists`);
    const record: SamlRecord = {
      Arn: `arn:aws:iam::${scope.account}:saml-provider/${input.Name}`,
      Name: input.Name,
      SAMLMetadataDocument: input.SAMLMetadataDocument,
      SAMLProviderUUID: `p-${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}`,
      CreateDate: scope.now,
      ValidUntil: checkMetadata(input.SAMLMetadataDocument),
      Tags: mergeTags([], input.Tags),
    };
    await putRecord(scope, "saml", input.Name, record);
    return { SAMLProviderArn: record.Arn, Tags: tagsOut(record.Tags) };
  },

  async GetSAMLProvider(input, ctx) {
    const record = await loadSaml(scopeOf(ctx), input.SAMLProviderArn);
    return {
      SAMLProviderUUID: record.SAMLProviderUUID, SAMLMetadataDocument: record.SAMLMetadataDocument,
      CreateDate: date(record.CreateDate), ValidUntil: date(record.ValidUntil), Tags: tagsOut(record.Tags),
    };
  },

  async ListSAMLProviders(_input, ctx) {
    const records = await listRecords<SamlRecord>(scopeOf(ctx), "saml");
    return { SAMLProviderList: records.map((r) => ({ Arn: r.Arn, ValidUntil: date(r.ValidUntil), CreateDate: date(r.CreateDate) })) };
  },

  async UpdateSAMLProvider(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await loadSaml(scope, input.SAMLProviderArn);
    const document = input.SAMLMetadataDocument ?? record.SAMLMetadataDocument;
    await putRecord(scope, "saml", record.Name, { ...record, SAMLMetadataDocument: document, ValidUntil: checkMetadata(document) });
    return { SAMLProviderArn: record.Arn };
  },

  async DeleteSAMLProvider(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await loadSaml(scope, input.SAMLProviderArn);
    await deleteRecord(scope, "saml", record.Name);
    return {};
  },

  async TagSAMLProvider(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await loadSaml(scope, input.SAMLProviderArn);
    await putRecord(scope, "saml", record.Name, { ...record, Tags: mergeTags(record.Tags, input.Tags) });
    return {};
  },

  async UntagSAMLProvider(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await loadSaml(scope, input.SAMLProviderArn);
    await putRecord(scope, "saml", record.Name, { ...record, Tags: removeTags(record.Tags, input.TagKeys) });
    return {};
  },

  async ListSAMLProviderTags(input, ctx) {
    const record = await loadSaml(scopeOf(ctx), input.SAMLProviderArn);
    const page = paginate(record.Tags, input.Marker, input.MaxItems);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
};
