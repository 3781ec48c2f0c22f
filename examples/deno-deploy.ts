import { createEmulator, openDenoKvStore, openStoreBlobStore } from "fetchstack";

const store = await openDenoKvStore(await Deno.openKv());
const aws = createEmulator({ store, blobs: await openStoreBlobStore(store) });

Deno.serve((request) => aws.fetch(request));
