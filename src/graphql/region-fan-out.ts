/**
 * Platform-wide views across regions (issue 18): runs work in every region the deployment serves, in
 * REGIONS order, each on that region's own services and in a platform transaction of its database
 * (the region the operation runs in keeps its current transaction). Only platform callers' resolvers
 * use it; a customer-bound caller's operation never leaves its region.
 */
export interface RegionFanOut<S> {
  each<T>(reason: string, work: (services: S, region: string) => Promise<T>): Promise<Array<{ region: string; value: T }>>;
}

/** The fan-out of a deployment serving one region: that region, in the current transaction. */
export function singleRegion<S>(region: string, services: S): RegionFanOut<S> {
  return { each: async (_reason, work) => [{ region, value: await work(services, region) }] };
}
