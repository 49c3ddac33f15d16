/**
 * One extension's part of a positive assertion (§12): declared as `openid.ns.<alias>` and carried
 * as `openid.<alias>.<key>`. The alias is ours to choose; RPs look extensions up by namespace URI
 * (§12: "the response MAY use a different alias").
 */
export interface ExtensionResponse {
  readonly namespace: string;
  readonly alias: string;
  /** Keys relative to the alias (`email`, `type.email`); `''` stands for the bare `openid.<alias>`. */
  readonly fields: ReadonlyArray<readonly [string, string]>;
}
