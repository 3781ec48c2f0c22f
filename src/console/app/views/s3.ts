/** S3: buckets → objects by prefix (folders), versions, metadata, download, upload, delete. */
import { h, fill } from "../dom.ts";
import { base64ToBytes, bytesToBase64, call, download } from "../api.ts";
import { button, bytes, confirmed, enc, field, form, go, kv, link, pre, section, status, table, text, when } from "../ui.ts";
import type { ViewContext } from "./types.ts";

const PAGE = 200;

export async function s3(el: HTMLElement, path: string[], query: URLSearchParams, ctx: ViewContext): Promise<void> {
  const bucket = path[0];
  if (!bucket) return buckets(el);
  if (query.has("key")) return object(el, bucket, query.get("key")!, query.get("versionId") ?? undefined);
  return objects(el, bucket, query.get("prefix") ?? "", query.get("versions") === "1", ctx);
}

async function buckets(el: HTMLElement): Promise<void> {
  const out = await call("s3", "ListBuckets", { MaxBuckets: 1000 });
  const list = out.Buckets ?? [];
  fill(el, h("h1", null, "S3 buckets"),
    form("create-bucket", async (data) => {
      const name = String(data.get("name"));
      await call("s3", "CreateBucket", { Bucket: name });
      status(`Created bucket ${name}.`);
      go(`#/s3/${enc(name)}`);
    }, field("New bucket", text("name", { required: true, placeholder: "bucket-name" })), h("button", { type: "submit" }, "Create")),
    table([
      { title: "name", cell: (b) => link(`#/s3/${enc(b.Name)}`, b.Name) },
      { title: "region", cell: (b) => b.BucketRegion ?? "" },
      { title: "created", cell: (b) => when(b.CreationDate) },
      { title: "", cell: (b) => button("Delete", async () => {
        if (!confirmed(`Delete bucket ${b.Name}? It must be empty.`)) return;
        await call("s3", "DeleteBucket", { Bucket: b.Name! });
        status(`Deleted bucket ${b.Name}.`);
        go("#/s3");
      }, { class: "danger", "data-action": "delete-bucket" }) },
    ], list, { name: "buckets", empty: "No buckets in this account and region." }));
}

async function objects(el: HTMLElement, bucket: string, prefix: string, versions: boolean, ctx: ViewContext): Promise<void> {
  const crumbs: HTMLElement[] = [link(`#/s3`, "buckets"), h("span", null, " / "), link(`#/s3/${enc(bucket)}`, bucket)];
  let at = "";
  for (const part of prefix.split("/").slice(0, -1)) {
    at += part + "/";
    crumbs.push(h("span", null, " / "), link(`#/s3/${enc(bucket)}?prefix=${enc(at)}`, part));
  }
  const listing = h("div", { class: "listing" });
  const more = h("div");
  const upload = form("upload", async (data, f) => {
    const file = data.get("file") as File | null;
    if (!file || !file.name) throw new Error("Choose a file to upload.");
    const key = String(data.get("key") || prefix + file.name);
    const body = new Uint8Array(await file.arrayBuffer());
    await call("s3", "PutObject", { Bucket: bucket, Key: key, Body: bytesToBase64(body), ContentType: file.type || "application/octet-stream" });
    f.reset();
    status(`Uploaded ${key} (${bytes(body.length)}).`);
    go(location.hash);
  }, field("Upload", h("input", { type: "file", name: "file" })), field("as key", text("key", { placeholder: `${prefix}<file name>` })), h("button", { type: "submit" }, "Upload"));
  const toggle = link(`#/s3/${enc(bucket)}?prefix=${enc(prefix)}${versions ? "" : "&versions=1"}`, versions ? "Hide versions" : "Show versions");
  fill(el, h("h1", null, "Bucket ", bucket), h("div", { class: "crumbs" }, crumbs), h("div", { class: "toolbar" }, toggle), upload, listing, more);

  const folder = (p: string) => link(`#/s3/${enc(bucket)}?prefix=${enc(p)}${versions ? "&versions=1" : ""}`, h("span", { class: "folder" }, p.slice(prefix.length)));
  const open = (key: string, versionId?: string) => go(`#/s3/${enc(bucket)}?key=${enc(key)}${versionId ? `&versionId=${enc(versionId)}` : ""}`);
  const rows: HTMLElement[] = [];
  const render = () => fill(listing, rows.length ? h("table", { "data-name": "objects" }, h("thead", null, h("tr", null,
    ["key", versions ? "version" : "", "size", "last modified", versions ? "latest" : "storage class"].map((t) => h("th", null, t)))), h("tbody", null, rows))
    : h("p", { class: "empty" }, prefix ? "No objects under this prefix." : "This bucket is empty."));

  if (!versions) {
    let token: string | undefined;
    const page = async () => {
      const out = await call("s3", "ListObjectsV2", { Bucket: bucket, Prefix: prefix || undefined, Delimiter: "/", MaxKeys: PAGE, ContinuationToken: token });
      for (const p of out.CommonPrefixes ?? []) rows.push(h("tr", null, h("td", null, folder(p.Prefix!)), h("td"), h("td"), h("td"), h("td")));
      for (const o of out.Contents ?? []) {
        const key = o.Key!;
        rows.push(h("tr", { class: "open", "data-key": key, onclick: () => open(key) },
          h("td", null, h("a", { href: `#/s3/${enc(bucket)}?key=${enc(key)}` }, key.slice(prefix.length))), h("td"), h("td", null, bytes(o.Size)), h("td", null, when(o.LastModified)), h("td", null, o.StorageClass ?? "")));
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      render();
      fill(more, token ? button("Load more", page, { "data-action": "more" }) : null);
      if (!ctx.current()) return;
    };
    await page();
    return;
  }
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  const page = async () => {
    const out = await call("s3", "ListObjectVersions", { Bucket: bucket, Prefix: prefix || undefined, Delimiter: "/", MaxKeys: PAGE, KeyMarker: keyMarker, VersionIdMarker: versionMarker });
    for (const p of out.CommonPrefixes ?? []) rows.push(h("tr", null, h("td", null, folder(p.Prefix!)), h("td"), h("td"), h("td"), h("td")));
    const entries = [...(out.Versions ?? []).map((v) => ({ ...v, Key: v.Key!, marker: false })), ...(out.DeleteMarkers ?? []).map((v) => ({ ...v, Key: v.Key!, marker: true, Size: undefined }))]
      .sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : Number(b.LastModified ?? 0) - Number(a.LastModified ?? 0)));
    for (const v of entries) {
      rows.push(h("tr", { class: v.marker ? "marker" : "open", onclick: v.marker ? undefined : () => open(v.Key, v.VersionId) },
        h("td", null, v.Key.slice(prefix.length)), h("td", null, h("code", null, v.VersionId), v.marker ? " (delete marker)" : ""),
        h("td", null, v.marker ? "" : bytes(v.Size)), h("td", null, when(v.LastModified)), h("td", null, v.IsLatest ? "latest" : "")));
    }
    keyMarker = out.IsTruncated ? out.NextKeyMarker : undefined;
    versionMarker = out.IsTruncated ? out.NextVersionIdMarker : undefined;
    render();
    fill(more, keyMarker ? button("Load more", page, { "data-action": "more" }) : null);
  };
  await page();
}

async function object(el: HTMLElement, bucket: string, key: string, versionId: string | undefined): Promise<void> {
  const head = await call("s3", "HeadObject", { Bucket: bucket, Key: key, VersionId: versionId });
  const tags = await call("s3", "GetObjectTagging", { Bucket: bucket, Key: key, VersionId: versionId }).catch(() => ({ TagSet: [] }));
  const versions = await call("s3", "ListObjectVersions", { Bucket: bucket, Prefix: key, MaxKeys: 100 }).catch(() => ({ Versions: [] }));
  const mine = (versions.Versions ?? []).filter((v) => v.Key === key);
  const parent = key.includes("/") ? key.slice(0, key.lastIndexOf("/") + 1) : "";
  const preview = h("div");
  const { Metadata, ...facts } = head;
  fill(el, h("h1", null, key),
    h("div", { class: "crumbs" }, link("#/s3", "buckets"), " / ", link(`#/s3/${enc(bucket)}?prefix=${enc(parent)}`, bucket + (parent ? "/" + parent : ""))),
    h("div", { class: "toolbar" },
      button("Download", async () => {
        const out = await call("s3", "GetObject", { Bucket: bucket, Key: key, VersionId: versionId });
        download(key.split("/").pop() || "object", base64ToBytes(out.Body ?? "") as BlobPart, out.ContentType);
      }, { "data-action": "download" }),
      button("Preview", async () => {
        const out = await call("s3", "GetObject", { Bucket: bucket, Key: key, VersionId: versionId, Range: "bytes=0-65535" });
        fill(preview, section("Content (first 64 KB)", pre(new TextDecoder().decode(base64ToBytes(out.Body ?? "")))));
      }, { "data-action": "preview" }),
      button(versionId ? "Delete this version" : "Delete", async () => {
        if (!confirmed(`Delete ${key}${versionId ? ` version ${versionId}` : ""}?`)) return;
        await call("s3", "DeleteObject", { Bucket: bucket, Key: key, VersionId: versionId });
        status(`Deleted ${key}.`);
        go(`#/s3/${enc(bucket)}?prefix=${enc(parent)}`);
      }, { class: "danger", "data-action": "delete-object" })),
    section("Properties", kv(facts)),
    section("Metadata", kv(Metadata)),
    section("Tags", kv(Object.fromEntries((tags.TagSet ?? []).map((t) => [t.Key, t.Value])))),
    preview,
    mine.length > 1 || versionId ? section("Versions", table([
      { title: "version", cell: (v) => link(`#/s3/${enc(bucket)}?key=${enc(key)}&versionId=${enc(v.VersionId)}`, v.VersionId) },
      { title: "size", cell: (v) => bytes(v.Size) },
      { title: "last modified", cell: (v) => when(v.LastModified) },
      { title: "", cell: (v) => (v.IsLatest ? "latest" : "") },
    ], mine, { name: "versions" })) : null);
}
