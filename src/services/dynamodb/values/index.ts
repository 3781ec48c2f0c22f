/** DynamoDB attribute values: types, numbers, ordering and key encoding, validation and sizing. */
export * from "./types.ts";
export * from "./numbers.ts";
export * from "./compare.ts";
export * from "./validate.ts";
