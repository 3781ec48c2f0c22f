import { sigv4, type BenchCase } from "./types.ts";

export const stsCases: BenchCase[] = [
  {
    name: "sts.GetCallerIdentity",
    service: "sts",
    moto: true,
    request: () => ({
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", authorization: sigv4("sts"), "x-amz-date": "20261122T000000Z" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    }),
  },
];
